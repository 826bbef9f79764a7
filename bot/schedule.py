"""Digest schedule arithmetic: local digest times in IANA timezones, daylight saving included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import is_timezone
from bot.errors import EmptyArgument, InvalidDigestTime, InvalidQuery, UnknownTimezone

# ASCII digits only: \d would also take "٥" or "²", which int() reads or chokes on.
_HHMM = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])", re.ASCII)


def parse_digest_time(text: str) -> str:
    """Validate a 24-hour ``H:MM``/``HH:MM`` (or ``HH.MM``) and return it as ``HH:MM``;
    raises InvalidDigestTime."""
    match = _HHMM.fullmatch(text.strip())
    if not match:
        raise InvalidDigestTime(text)
    return f"{int(match[1]):02d}:{match[2]}"


def parse_timezone(text: str) -> str:
    """Validate an IANA timezone name from a user and return it trimmed. Raises
    EmptyArgument or UnknownTimezone."""
    name = text.strip()
    if not name:
        raise EmptyArgument("timezone")
    if not is_timezone(name):
        raise UnknownTimezone(name)
    return name


DELIVERY_MODES = ("instant", "hourly", "daily")
_QUIET = re.compile(r"\s*(\S+?)\s*[-–—]\s*(\S+)\s*")


def parse_delivery_mode(text: str) -> str:
    """One of DELIVERY_MODES, case-insensitively; raises InvalidQuery("delivery")."""
    mode = text.strip().lower()
    if mode not in DELIVERY_MODES:
        raise InvalidQuery("delivery", repr(text[:100]))
    return mode


def parse_quiet_hours(text: str) -> tuple[str, str] | None:
    """``HH:MM-HH:MM`` as (start, end), or None for ``off``; raises InvalidQuery("quiet")
    for anything else, a start equal to its end included."""
    if text.strip().lower() == "off":
        return None
    match = _QUIET.fullmatch(text)
    try:
        if not match:
            raise InvalidDigestTime(text)
        start, end = parse_digest_time(match[1]), parse_digest_time(match[2])
    except InvalidDigestTime:
        raise InvalidQuery("quiet", repr(text[:100])) from None
    if start == end:
        raise InvalidQuery("quiet", repr(text[:100]))
    return start, end


def in_quiet_hours(now: datetime, start: str | None, end: str | None, zone: str) -> bool:
    """Whether ``now`` falls in the local quiet hours [start, end), which may span midnight."""
    if start is None or end is None:
        return False
    local = now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    if start < end:
        return start <= local < end
    return local >= start or local < end


def _at(day: datetime, digest_time: str, tz: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in digest_time.split(":"))
    # Built from the wall-clock date, so 08:00 stays 08:00 local across DST changes. A time
    # that falls in a spring-forward gap resolves to the same instant one hour later.
    # Returned in UTC: aware times inside a DST fold never compare equal across zones.
    wall = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=tz)
    return wall.astimezone(UTC)


def previous_occurrence(now: datetime, digest_time: str, zone: str) -> datetime:
    """The latest scheduled digest moment at or before ``now`` (aware), in UTC."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    today = _at(local_now, digest_time, tz)
    if today <= now:
        return today
    return _at(local_now - timedelta(days=1), digest_time, tz)


def next_occurrence(now: datetime, digest_time: str, zone: str) -> datetime:
    """The first scheduled digest moment strictly after ``now`` (aware), in UTC."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    today = _at(local_now, digest_time, tz)
    if today > now:
        return today
    return _at(local_now + timedelta(days=1), digest_time, tz)


def is_due(now: datetime, last_digest_at: datetime | None, digest_time: str, zone: str) -> bool:
    """Whether a scheduled digest moment has passed since the chat's previous digest."""
    if last_digest_at is None:
        return True
    return last_digest_at < previous_occurrence(now, digest_time, zone)
