"""next_poll: interval after success, exponential backoff to 24 h, Retry-After, 410."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.feeds.backoff import next_poll
from bot.feeds.model import FetchOutcome

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def test_success_and_304_wait_the_interval():
    assert next_poll(NOW, FetchOutcome.OK, QUARTER, 0) == NOW + QUARTER
    assert next_poll(NOW, FetchOutcome.NOT_MODIFIED, QUARTER, 0) == NOW + QUARTER


def test_failures_back_off_exponentially_up_to_a_day():
    delays = [next_poll(NOW, FetchOutcome.FAILED, QUARTER, n) - NOW for n in range(1, 9)]
    assert delays == [
        timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4),
        timedelta(hours=8), timedelta(hours=16), timedelta(hours=24), timedelta(hours=24),
    ]
    assert next_poll(NOW, FetchOutcome.FAILED, QUARTER, 500) == NOW + timedelta(hours=24)


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    two_hours = timedelta(hours=2)
    assert next_poll(NOW, FetchOutcome.RETRY_LATER, QUARTER, 1, two_hours) == NOW + two_hours
    # A shorter Retry-After does not bring the poll forward past the backoff.
    short = next_poll(NOW, FetchOutcome.RETRY_LATER, QUARTER, 1, timedelta(seconds=5))
    assert short == NOW + timedelta(minutes=30)
    # Nor does a week-long one stop the feed for more than a day.
    week = next_poll(NOW, FetchOutcome.RETRY_LATER, QUARTER, 1, timedelta(days=7))
    assert week == NOW + timedelta(hours=24)


def test_retry_later_without_header_backs_off():
    assert next_poll(NOW, FetchOutcome.RETRY_LATER, QUARTER, 2) == NOW + timedelta(hours=1)


def test_gone_stops_polling():
    assert next_poll(NOW, FetchOutcome.GONE, QUARTER, 1) is None
