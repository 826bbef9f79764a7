"""How news reaches a chat: /delivery and its buttons, /quiet hours, /silent delivery."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import render
from bot.handlers.common import (
    Target,
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
from bot.models import ChatSettings

BUTTONS_PER_ROW = 3


async def _show(update: Update, context: NewsContext, target: Target,
                chat: ChatSettings) -> None:
    language = await chat_language(update, context)
    await reply_for(update, target,
                    render.render_delivery(chat, context.service.chat_timezone(chat), language),
                    keyboard(render.delivery_buttons(language), BUTTONS_PER_ROW))


@friendly_errors
async def delivery_command(update: Update, context: NewsContext) -> None:
    """Show how news arrives, with a button for each delivery mode."""
    target = await readable_target(update, context)
    if target is None:
        return
    chat = await call(context.service.chat_settings, target.chat_id)
    await _show(update, context, target, chat)


@chat_admin_only
async def delivery_button(update: Update, context: NewsContext, args: list[str]) -> None:
    target = await settings_target(update, context)
    service = context.service
    chat = await call(service.set_delivery, target.chat_id, args[0])
    language = await chat_language(update, context)
    await update.callback_query.answer(
        render.alert_for_target(render.delivery_alert(chat, language), target.channel))
    text = render.for_target(render.render_delivery(chat, service.chat_timezone(chat), language),
                             target.channel)
    if text != update.callback_query.message.text_html:
        await update.callback_query.edit_message_text(
            text, parse_mode=ParseMode.HTML,
            reply_markup=keyboard(render.delivery_buttons(language), BUTTONS_PER_ROW))


@friendly_errors
@chat_admin_only
async def quiet_command(update: Update, context: NewsContext) -> None:
    """Set quiet hours (HH:MM-HH:MM in the chat's timezone) or turn them off."""
    target = await settings_target(update, context)
    text = " ".join(context.args or [])
    if not text.strip():
        await reply(update, render.render_usage("quiet", await chat_language(update, context)))
        return
    chat = await call(context.service.set_quiet_hours, target.chat_id, text)
    await _show(update, context, target, chat)


@friendly_errors
@chat_admin_only
async def silent_command(update: Update, context: NewsContext) -> None:
    """Send this chat's news without a notification sound (on) or with one (off)."""
    target = await settings_target(update, context)
    choice = " ".join(context.args or []).strip().lower()
    if choice not in ("on", "off"):
        await reply(update, render.render_usage("silent", await chat_language(update, context)))
        return
    chat = await call(context.service.set_silent, target.chat_id, choice == "on")
    await _show(update, context, target, chat)
