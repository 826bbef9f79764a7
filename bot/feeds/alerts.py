"""``send_feed_alerts``: tell admins, on Telegram, that a feed started failing or recovered.

The decision to alert (after ``ALERT_AFTER`` failures in a row: once; once more on recovery;
never once per poll) is made by ``bot.feeds.poll.advance_state`` and kept in the store; this
only delivers the messages that decision produced, for the running bot's job, /pollnow and
``newsbot feeds poll`` from cron.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.render.feeds import render_feed_alert

if TYPE_CHECKING:
    from bot.feeds.model import FeedPollReport, StoredFeed

logger = logging.getLogger(__name__)

FeedAlert = tuple["StoredFeed", "FeedPollReport"]


async def send_feed_alerts(bot: Bot, admin_ids: Iterable[int],
                           alerts: Sequence[FeedAlert]) -> int:
    """Send each (feed, report) whose ``report.alert`` is set to every admin; returns how
    many messages Telegram accepted. An admin Telegram refuses (never wrote to the bot,
    blocked it) is logged and skipped: one unreachable admin must not silence the others."""
    sent = 0
    admins = sorted(admin_ids)
    for feed, report in alerts:
        if not report.alert:
            continue
        text = render_feed_alert(feed, report)
        level = logging.INFO if report.alert == "recovered" else logging.WARNING
        logger.log(level, "Feed %s %s: %s", feed.id, report.alert, report.error or "ok")
        for admin_id in admins:
            try:
                await bot.send_message(admin_id, text, parse_mode=ParseMode.HTML,
                                       link_preview_options=LinkPreviewOptions(is_disabled=True))
            except TelegramError as exc:
                logger.error("Could not alert admin %s about feed %s: %s", admin_id, feed.id, exc)
            else:
                sent += 1
    return sent
