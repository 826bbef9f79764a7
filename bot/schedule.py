"""Digest schedule arithmetic: local digest times in IANA timezones, daylight saving included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import is_timezone
from bot.errors import EmptyArgument, InvalidDigestTime, UnknownTimezone

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
