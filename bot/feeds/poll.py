"""One poll of one feed: fetch → parse (off the loop) → full text where opted in → the
feed's next state. No store and no Telegram: the caller (the background poller, ``newsbot
feeds poll``) loads ``FeedState``s, runs ``poll_feed`` for the due ones, writes the entries
and the new state, and words the alerts.

``advance_state`` is the pure part: consecutive failures, the next poll time, a moved URL,
a disabled feed, and when an admin should hear about it (``ALERT_AFTER`` failures in a row:
once; then once more when it recovers; never once per poll).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime

from bot.feeds.backoff import next_poll
from bot.feeds.errors import FeedFormatError
from bot.feeds.fetch import Fetcher
from bot.feeds.fulltext import complete_entry, needs_full_text
from bot.feeds.model import (
    FeedEntry,
    FeedSettings,
    FeedState,
    FetchOutcome,
    FetchResult,
    PollResult,
    Validators,
)
from bot.feeds.parsing import parse_feed

logger = logging.getLogger(__name__)

ALERT_AFTER = 3

__all__ = ["ALERT_AFTER", "FeedState", "PollResult", "advance_state", "poll_feed"]


def advance_state(state: FeedState, result: FetchResult, settings: FeedSettings,
                  now: datetime, error: str | None = None) -> tuple[FeedState, str | None]:
    """The feed's state after ``result`` (``error`` overrides a fetch that worked but gave no
    feed, e.g. ``not_a_feed``) and the alert due, if any."""
    succeeded = error is None and result.outcome in (FetchOutcome.OK, FetchOutcome.NOT_MODIFIED)
    outcome = result.outcome if error is None else FetchOutcome.FAILED
    failures = 0 if succeeded else state.failures + 1
    alert = None
    alerted = state.alerted
    gave_up = failures >= ALERT_AFTER or outcome is FetchOutcome.GONE
    if not succeeded and gave_up and not state.alerted:
        alert, alerted = "failing", True
    elif succeeded and state.alerted:
        alert, alerted = "recovered", False
    validators = state.validators
    if result.outcome is FetchOutcome.OK and error is None:
        validators = result.validators
    elif result.outcome is FetchOutcome.NOT_MODIFIED:
        validators = Validators(result.validators.etag or validators.etag,
                                result.validators.last_modified or validators.last_modified)
    new = FeedState(
        url=result.moved_to or state.url,
        validators=validators,
        failures=failures,
        last_status=outcome.value,
        last_error=None if succeeded else (error or result.error or outcome.value),
        last_success=now if succeeded else state.last_success,
        next_poll=next_poll(now, outcome, settings.interval, failures, result.retry_after),
        alerted=alerted,
    )
    return new, alert


async def poll_feed(fetcher: Fetcher, settings: FeedSettings, state: FeedState,
                    now: datetime) -> PollResult:
    """Poll one feed once. Parsing and extraction run in worker threads; entries of a feed
    that opted in to full text are completed through the same fetcher."""
    result = await fetcher.fetch(state.url, state.validators)
    feed = None
    error = None
    entries: list[FeedEntry] = []
    if result.ok:
        try:
            feed = await asyncio.to_thread(
                parse_feed, result.body, result.final_url, headers=result.headers,
                settings=replace(settings, key=settings.identity), first_seen=now,
            )
        except FeedFormatError:
            error = "not_a_feed"
        except Exception:  # a bug met on hostile input fails this feed, not the whole poll
            logger.exception("Reading feed %s failed unexpectedly", state.url)
            error = "internal"
        else:
            entries = feed.entries
            if settings.full_text:
                entries = list(await asyncio.gather(*(
                    complete_entry(e, fetcher) if needs_full_text(e) else _same(e)
                    for e in entries
                )))
    new_state, alert = advance_state(state, result, settings, now, error)
    return PollResult(settings, result, new_state, feed, entries, alert)


async def _same(entry: FeedEntry) -> FeedEntry:
    return entry
