"""Saved searches: /alert QUERY, /alerts and their «Remove» buttons."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import render
from bot.handlers.common import (
    call,
    chat_admin_only,
    chat_language,
    friendly_errors,
    keyboard,
    readable_target,
    reply,
    reply_for,
    settings_target,
)
from bot.handlers.context import NewsContext

BUTTONS_PER_ROW = 5


@friendly_errors
@chat_admin_only
async def alert_command(update: Update, context: NewsContext) -> None:
    """Save a search; new articles matching it come to this chat."""
    target = await settings_target(update, context)
    text = " ".join(context.args or [])
    language = await chat_language(update, context)
    if not text.strip():
        await reply(update, render.render_usage("alert", language))
        return
    alert, added = await call(context.service.add_alert, target.chat_id, text)
    await reply_for(update, target, render.render_alert_saved(alert, added, language))


@friendly_errors
async def alerts_command(update: Update, context: NewsContext) -> None:
    """List the chat's saved searches with a «Remove» button each."""
    target = await readable_target(update, context)
    if target is None:
        return
    alerts = await call(context.service.alerts, target.chat_id)
    language = await chat_language(update, context)
    await reply_for(update, target, render.render_alerts(alerts, language),
                    keyboard(render.alert_buttons(alerts, language), BUTTONS_PER_ROW))


@chat_admin_only
async def remove_alert_button(update: Update, context: NewsContext, args: list[str]) -> None:
    target = await settings_target(update, context)
    service = context.service
    chat_id = target.chat_id
    language = await chat_language(update, context)
    if not args[0].isascii() or not args[0].isdigit():
        await update.callback_query.answer(render.translate(render.EXPIRED, language),
                                           show_alert=True)
        return
    removed = await call(service.remove_alert, chat_id, int(args[0]))
    await update.callback_query.answer(
        render.alert_for_target(render.alert_removed(removed, language), target.channel))
    if removed is None:  # pressed twice, or removed elsewhere: the list shown may be stale
        return
    alerts = await call(service.alerts, chat_id)
    await update.callback_query.edit_message_text(
        render.for_target(render.render_alerts(alerts, language), target.channel),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(render.alert_buttons(alerts, language), BUTTONS_PER_ROW),
    )
