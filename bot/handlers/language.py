"""The chat's interface language: /language and its buttons."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.handlers.common import (
    Target,
    call,
    chat_language,
    keyboard,
    may_configure,
    remember_language,
    reply,
)
from bot.handlers.context import NewsContext


async def language_command(update: Update, context: NewsContext) -> None:
    """Show the chat's language and a button for each language the bot speaks."""
    language = await chat_language(update, context)
    await reply(update, render.render_language_choice(language),
                keyboard(render.language_buttons()))


async def language_button(update: Update, context: NewsContext, args: list[str]) -> None:
    """Switch the chat to the language pressed, and say so in it."""
    query = update.callback_query
    chosen = args[0]
    if chosen not in render.languages():
        await query.answer(render.translate(render.EXPIRED, await chat_language(update, context)),
                           show_alert=True)
        return
    # The language is the conversation's, even while a private chat manages a channel.
    if not await may_configure(update, context, Target(update.effective_chat.id)):
        await query.answer(render.render_not_chat_admin(await chat_language(update, context)),
                           show_alert=True)
        return
    await call(context.service.set_chat_language, update.effective_chat.id, chosen)
    remember_language(context, chosen)
    await query.answer()
    await query.edit_message_text(render.render_language_set(chosen))
