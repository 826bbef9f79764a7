"""Digest schedule arithmetic: local digest times in IANA timezones, daylight saving included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import InvalidQuery

DIGEST_TIME_USAGE = "Usage: /digest_time HH:MM (24-hour, your local time), e.g. /digest_time 07:30"
TIMEZONE_USAGE = "Usage: /timezone Area/City, e.g. /timezone Europe/Kyiv or /timezone UTC"
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_digest_time(text: str) -> str:
    """Validate ``HH:MM`` (24-hour) and return it normalised, e.g. ``7:5`` is rejected."""
    match = _HHMM.match(text.strip())
    if not match:
        raise InvalidQuery(DIGEST_TIME_USAGE)
    return f"{int(match[1]):02d}:{match[2]}"


def parse_timezone(text: str) -> str:
    name = text.strip()
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise InvalidQuery(TIMEZONE_USAGE)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidQuery(f"Unknown timezone “{name}”.\n{TIMEZONE_USAGE}") from None
    return name


def local_time(digest_time: str, zone: str) -> time:
    hours, minutes = (int(part) for part in digest_time.split(":"))
    return time(hours, minutes, tzinfo=ZoneInfo(zone))


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
