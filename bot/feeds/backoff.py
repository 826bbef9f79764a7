"""When to poll a feed next: a pure function of the outcome, the interval and the failures."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.feeds.model import FetchOutcome

MAX_DELAY = timedelta(hours=24)


def failure_delay(interval: timedelta, failures: int) -> timedelta:
    """Exponential backoff: the interval doubled per consecutive failure, at most 24 h.
    ``failures`` counts the failure just seen (1 after the first)."""
    if failures <= 0:
        return interval
    # 2**failures overflows timedelta long before 24 h matters: cap the exponent first.
    return min(interval * (2 ** min(failures, 32)), MAX_DELAY)


def next_poll(
    now: datetime,
    outcome: FetchOutcome,
    interval: timedelta,
    failures: int,
    retry_after: timedelta | None = None,
) -> datetime | None:
    """The time of the next poll, or None for a feed that is gone (410: disable it).

    ``failures`` is the count of consecutive failures including this outcome (0 after a
    success). OK and NOT_MODIFIED poll again after the interval; RETRY_LATER after the
    backoff or the server's Retry-After, whichever is later (never past 24 h); other failures
    after the backoff.
    """
    if outcome is FetchOutcome.GONE:
        return None
    if outcome in (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED):
        return now + interval
    delay = failure_delay(interval, failures)
    if outcome is FetchOutcome.RETRY_LATER and retry_after is not None:
        delay = min(max(delay, retry_after), MAX_DELAY)
    return now + delay
