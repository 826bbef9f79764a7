from datetime import UTC, datetime

import pytest

from bot.errors import EmptyArgument, InvalidDigestTime, UnknownTimezone
from bot.schedule import (
    is_due,
    next_occurrence,
    parse_digest_time,
    parse_timezone,
    previous_occurrence,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("08:00", "08:00"), ("7:30", "07:30"), ("23:59", "23:59"), ("0:00", "00:00"),
    (" 06.15 ", "06:15"),
])
def test_digest_time_accepts_24_hour_times(text, expected):
    assert parse_digest_time(text) == expected


@pytest.mark.parametrize("text", [
    "24:00", "12:60", "8", "8am", "", "08:00:00", "-1:00", "ab:cd",
    # Digits of other scripts, which \d and int() accept: "07:0٥" was stored as such.
    "7:0٥", "٠٧:٣٠", "²:00", "07:３０",
])
def test_digest_time_rejects_anything_but_ascii_hh_mm_carrying_the_text(text):
    with pytest.raises(InvalidDigestTime) as caught:
        parse_digest_time(text)
    assert caught.value.text == text
    assert "/digest_time" not in str(caught.value) and "Usage" not in str(caught.value)


def test_timezones_are_validated_carrying_the_name():
    assert parse_timezone(" Europe/Kyiv ") == "Europe/Kyiv"
    assert parse_timezone("UTC") == "UTC"
    with pytest.raises(EmptyArgument):
        parse_timezone("  ")
    for bad in ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/", "Europe\0x"]:
        with pytest.raises(UnknownTimezone) as caught:
            parse_timezone(bad)
        assert caught.value.name == bad
        assert "/timezone" not in str(caught.value)


@pytest.mark.parametrize("length", [256, 300, 5000])
def test_an_overlong_timezone_is_unknown_not_an_os_error(length):
    # ZoneInfo opened the file and raised OSError errno 36 (name too long) for 300.
    with pytest.raises(UnknownTimezone):
        parse_timezone("A" * length)
    with pytest.raises(UnknownTimezone):
        parse_timezone("Europe/" + "K" * length)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_previous_and_next_occurrence_in_a_timezone():
    now = utc(2025, 6, 1, 4, 0)  # 07:00 in Kyiv (UTC+3 in summer)
    assert previous_occurrence(now, "08:00", "Europe/Kyiv") == utc(2025, 5, 31, 5, 0)
    assert next_occurrence(now, "08:00", "Europe/Kyiv") == utc(2025, 6, 1, 5, 0)
    assert previous_occurrence(utc(2025, 6, 1, 5, 0), "08:00", "Europe/Kyiv") == utc(
        2025, 6, 1, 5, 0)


def test_local_time_is_kept_across_daylight_saving_changes():
    # Kyiv moves from UTC+2 to UTC+3 at 03:00 on 30 March 2025 and back on 26 October.
    assert next_occurrence(utc(2025, 3, 29, 12, 0), "08:00", "Europe/Kyiv") == utc(
        2025, 3, 30, 5, 0)
    assert next_occurrence(utc(2025, 3, 28, 12, 0), "08:00", "Europe/Kyiv") == utc(
        2025, 3, 29, 6, 0)
    assert next_occurrence(utc(2025, 10, 25, 12, 0), "08:00", "Europe/Kyiv") == utc(
        2025, 10, 26, 6, 0)


def test_a_time_in_the_spring_forward_gap_still_happens_once():
    # 03:30 does not exist in Kyiv on 30 March 2025; the digest comes at 04:30 local.
    moment = next_occurrence(utc(2025, 3, 29, 12, 0), "03:30", "Europe/Kyiv")
    assert moment == utc(2025, 3, 30, 1, 30)
    assert next_occurrence(moment, "03:30", "Europe/Kyiv") == utc(2025, 3, 31, 0, 30)


def test_the_repeated_autumn_hour_sends_once():
    # 03:30 happens twice in Kyiv on 26 October 2025; only the first counts.
    first = next_occurrence(utc(2025, 10, 25, 12, 0), "03:30", "Europe/Kyiv")
    assert first == utc(2025, 10, 26, 0, 30)
    assert not is_due(utc(2025, 10, 26, 1, 45), first, "03:30", "Europe/Kyiv")


def test_is_due_only_once_per_scheduled_moment():
    sent = utc(2025, 6, 1, 5, 0, 30)
    assert is_due(utc(2025, 6, 1, 5, 0), None, "08:00", "Europe/Kyiv")
    assert not is_due(utc(2025, 6, 1, 9, 0), sent, "08:00", "Europe/Kyiv")
    assert not is_due(utc(2025, 6, 2, 4, 59), sent, "08:00", "Europe/Kyiv")
    assert is_due(utc(2025, 6, 2, 5, 0), sent, "08:00", "Europe/Kyiv")
    assert is_due(utc(2025, 6, 3, 12, 0), sent, "08:00", "Europe/Kyiv")  # a missed day
