"""Polling followed feeds: ``poll_feeds`` fetches the due (or given) feeds concurrently
through one ``Fetcher`` (its limits: 16 fetches at once, 2 per host), and hands each poll to
the service, whose calls (reading feeds, saving, summarising, pruning) run in worker threads
so the event loop — the bot's replies — is never held up by them. Used by ``newsbot feeds
poll`` and by the bot's background job and /pollnow.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from bot.errors import NewsbotError
from bot.feeds.fetch import Fetcher
from bot.feeds.model import FeedPollReport, StoredFeed
from bot.feeds.poll import poll_feed
from bot.service import NewsService

logger = logging.getLogger(__name__)

AlertCallback = Callable[[StoredFeed, FeedPollReport], Awaitable[None]]


async def poll_feeds(
    service: NewsService,
    fetcher: Fetcher,
    *,
    now: datetime,
    feeds: Sequence[StoredFeed] | None = None,
    on_alert: AlertCallback | None = None,
) -> list[FeedPollReport]:
    """Poll ``feeds`` (default: those due at ``now``) once each and save what they bring;
    returns one report per feed, in the order of ``feeds``. ``on_alert(feed, report)`` is
    awaited for each report that carries an alert, with the feed's saved state. A feed whose
    poll cannot be saved (a database error) gets an ``error`` report with ``error="store"``,
    one that fails any other way (logged with its traceback) ``error="internal"``; neither
    stops the others. Afterwards, articles older than the service's
    ``keep_days`` are pruned."""
    if feeds is None:
        feeds = await asyncio.to_thread(service.due_feeds, now)

    async def one(feed: StoredFeed) -> FeedPollReport:
        try:
            result = await poll_feed(fetcher, feed.settings, feed.state, now)
            report = await asyncio.to_thread(service.save_poll, feed.id, result, now)
        except NewsbotError:
            logger.exception("Could not save the poll of feed %d (%s)", feed.id, feed.state.url)
            return FeedPollReport(feed.id, feed.state.url, "error", error="store")
        except Exception:  # one feed's surprise must not lose the other feeds' polls
            logger.exception("Polling feed %d (%s) failed", feed.id, feed.state.url)
            return FeedPollReport(feed.id, feed.state.url, "error", error="internal")
        logger.info("Feed %d (%s): %s, %d added, %d updated, %d unchanged", feed.id,
                    report.url, report.status, report.added, report.updated, report.unchanged)
        if report.alert and on_alert is not None:
            try:
                saved = await asyncio.to_thread(service.get_feed, str(feed.id))
            except NewsbotError:  # removed meanwhile: the alert still names it
                saved = feed
            await on_alert(saved, report)
        return report

    reports = list(await asyncio.gather(*(one(feed) for feed in feeds)))
    pruned = await asyncio.to_thread(service.prune_expired, now)
    if pruned:
        logger.info("Pruned %d articles older than %d days", pruned, service.keep_days)
    return reports
