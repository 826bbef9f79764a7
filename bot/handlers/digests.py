"""Digest commands: /digest now, and the schedule (/digest_time, /timezone, /digest_on|off)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot import render
from bot.errors import ChannelRefused
from bot.handlers.common import (
    call,
    chat_admin_only,
    chat_language,
    friendly_errors,
    reply_for,
    settings_target,
)
from bot.handlers.context import NewsContext
from bot.models import ChatSettings
from bot.schedule import next_occurrence
from bot.service import NewsService


def _schedule_line(service: NewsService, chat: ChatSettings, now: datetime,
                   language: str) -> str:
    zone = service.chat_timezone(chat)
    upcoming = next_occurrence(now, chat.digest_time, zone).astimezone(ZoneInfo(zone))
    return render.render_schedule(chat.digest_enabled, chat.digest_time, zone, upcoming,
                                  language)


@friendly_errors
@chat_admin_only
async def digest_command(update: Update, context: NewsContext) -> None:
    """Send this chat's digest now."""
    sender = context.digests
    target = await settings_target(update, context)
    chat_id = target.chat_id
    language = await chat_language(update, context)
    if not (await call(context.service.subscriptions, chat_id)
            or await call(context.service.alerts, chat_id)):
        await reply_for(update, target, render.render_no_subscriptions(language))
        return
    run = await sender.send_digest(chat_id)
    if chat_id in run.empty:
        await reply_for(update, target, render.render_nothing_new(language))
    elif target.channel is not None and chat_id in run.served:
        await reply_for(update, target, render.render_digest_posted(language))
    elif target.channel is not None and chat_id in run.unreachable:
        raise ChannelRefused("bot_cannot_post", target.channel.title)


async def _change_schedule(
    update: Update, context: NewsContext,
    change: Callable[[NewsService, int, str], ChatSettings], usage_of: str | None = None,
) -> None:
    """The body of every schedule command: apply ``change`` to the command's argument text
    and show the new schedule; with ``usage_of`` (a command name) and no argument, that
    command's usage and the current schedule instead."""
    service = context.service
    target = await settings_target(update, context)
    chat_id = target.chat_id
    language = await chat_language(update, context)
    text = " ".join(context.args or [])
    if usage_of is not None and not text:
        chat = await call(service.chat_settings, chat_id)
        prefix = render.render_usage(usage_of, language) + "\n"
    else:
        chat = await call(change, service, chat_id, text)
        prefix = ""
    await reply_for(update, target, prefix + _schedule_line(
        service, chat, context.digests.clock(), language))


@friendly_errors
@chat_admin_only
async def digest_time_command(update: Update, context: NewsContext) -> None:
    """Set the local time of the daily digest."""
    await _change_schedule(update, context, NewsService.set_digest_time, "digest_time")


@friendly_errors
@chat_admin_only
async def timezone_command(update: Update, context: NewsContext) -> None:
    """Set the chat's IANA timezone."""
    await _change_schedule(update, context, NewsService.set_timezone, "timezone")


@friendly_errors
@chat_admin_only
async def digest_on_command(update: Update, context: NewsContext) -> None:
    """Resume daily digests."""
    await _change_schedule(
        update, context, lambda service, chat_id, _: service.set_digest_enabled(chat_id, True))


@friendly_errors
@chat_admin_only
async def digest_off_command(update: Update, context: NewsContext) -> None:
    """Pause daily digests."""
    await _change_schedule(
        update, context, lambda service, chat_id, _: service.set_digest_enabled(chat_id, False))
