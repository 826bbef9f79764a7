"""``send_feed_alerts``: tell admins, on Telegram, that a feed started failing or recovered.

The decision to alert (after ``ALERT_AFTER`` failures in a row: once; once more on recovery;
never once per poll) is made by ``bot.feeds.poll.advance_state`` and kept in the store; this
only delivers the messages that decision produced, for the running bot's job, /pollnow and
``newsbot feeds poll`` from cron.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.render.feeds import render_feed_alert
from bot.render.i18n import DEFAULT_LANGUAGE, language_for

if TYPE_CHECKING:
    from bot.feeds.model import FeedPollReport, StoredFeed
    from bot.service import NewsService

logger = logging.getLogger(__name__)

FeedAlert = tuple["StoredFeed", "FeedPollReport"]


async def send_feed_alerts(bot: Bot, admin_ids: Iterable[int], alerts: Sequence[FeedAlert],
                           language_of: Callable[[int], str] | None = None) -> int:
    """Send each (feed, report) whose ``report.alert`` is set to every admin, in the language
    ``language_of(admin_id)`` gives (default English); returns how many messages Telegram
    accepted. An admin Telegram refuses (never wrote to the bot, blocked it) is logged and
    skipped: one unreachable admin must not silence the others."""
    sent = 0
    admins = sorted(admin_ids)
    for feed, report in alerts:
        if not report.alert:
            continue
        level = logging.INFO if report.alert == "recovered" else logging.WARNING
        logger.log(level, "Feed %s %s: %s", feed.id, report.alert, report.error or "ok")
        for admin_id in admins:
            language = language_of(admin_id) if language_of else DEFAULT_LANGUAGE
            text = render_feed_alert(feed, report, language)
            try:
                await bot.send_message(admin_id, text, parse_mode=ParseMode.HTML,
                                       link_preview_options=LinkPreviewOptions(is_disabled=True))
            except TelegramError as exc:
                logger.error("Could not alert admin %s about feed %s: %s", admin_id, feed.id, exc)
            else:
                sent += 1
    return sent


def admin_languages(service: NewsService, admin_ids: Iterable[int]) -> dict[int, str]:
    """Each admin's private chat language (English until they have written to the bot).
    Blocking: call it off the event loop."""
    return {admin_id: language_for(service.chat_language(admin_id)) for admin_id in admin_ids}
