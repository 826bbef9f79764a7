"""Digest commands: /digest now, and the schedule (/digest_time, /timezone, /digest_on|off)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot import render
from bot.handlers.common import call, friendly_errors, reply
from bot.handlers.context import NewsContext
from bot.models import ChatSettings
from bot.schedule import next_occurrence
from bot.service import NewsService


def _schedule_line(service: NewsService, chat: ChatSettings, now: datetime) -> str:
    zone = service.chat_timezone(chat)
    if not chat.digest_enabled:
        return "Daily digests are off. /digest_on turns them back on."
    upcoming = next_occurrence(now, chat.digest_time, zone).astimezone(ZoneInfo(zone))
    return (
        f"Your digest arrives daily at {chat.digest_time} ({render.escape(zone)}); "
        f"next: {upcoming.strftime('%a %-d %b, %H:%M')}."
    )


@friendly_errors
async def digest_command(update: Update, context: NewsContext) -> None:
    """Send this chat's digest now."""
    sender = context.digests
    chat_id = update.effective_chat.id
    if not await call(context.service.subscriptions, chat_id):
        await reply(update, "You follow no tags yet. Try /tags or <code>/subscribe Economy</code>.")
        return
    run = await sender.send_digest(chat_id)
    if chat_id in run.empty:
        await reply(update, "Nothing new for your tags since your last digest. "
                            "/latest shows the newest articles.")


async def _change_schedule(
    update: Update, context: NewsContext,
    change: Callable[[NewsService, int, str], ChatSettings], usage: str | None = None,
) -> None:
    """The body of every schedule command: apply ``change`` to the command's argument text
    and show the new schedule; a command with a ``usage`` and no argument shows the usage
    and the current schedule instead."""
    service = context.service
    chat_id = update.effective_chat.id
    text = " ".join(context.args or [])
    if usage is not None and not text:
        chat = await call(service.chat_settings, chat_id)
        prefix = usage + "\n"
    else:
        chat = await call(change, service, chat_id, text)
        prefix = ""
    await reply(update, prefix + _schedule_line(service, chat, context.digests.clock()))


@friendly_errors
async def digest_time_command(update: Update, context: NewsContext) -> None:
    """Set the local time of the daily digest."""
    await _change_schedule(update, context, NewsService.set_digest_time,
                           render.DIGEST_TIME_USAGE)


@friendly_errors
async def timezone_command(update: Update, context: NewsContext) -> None:
    """Set the chat's IANA timezone."""
    await _change_schedule(update, context, NewsService.set_timezone,
                           render.TIMEZONE_USAGE)


@friendly_errors
async def digest_on_command(update: Update, context: NewsContext) -> None:
    """Resume daily digests."""
    await _change_schedule(
        update, context, lambda service, chat_id, _: service.set_digest_enabled(chat_id, True))


@friendly_errors
async def digest_off_command(update: Update, context: NewsContext) -> None:
    """Pause daily digests."""
    await _change_schedule(
        update, context, lambda service, chat_id, _: service.set_digest_enabled(chat_id, False))
