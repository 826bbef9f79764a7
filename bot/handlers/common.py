"""What every handler uses: replies, keyboards, the off-the-loop call, the error policy."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import NetworkError, TelegramError

from bot import render
from bot.errors import NewsbotError
from bot.handlers.context import NewsContext

logger = logging.getLogger(__name__)

Handler = Callable[[Update, NewsContext], Awaitable[None]]


async def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking) service call in a worker thread, off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


def keyboard_rows(rows: Sequence[Sequence[render.Button]]) -> InlineKeyboardMarkup | None:
    """The one way a keyboard is built, for replies and digests alike; empty rows dropped."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(b.text, url=b.url) if b.url
        else InlineKeyboardButton(b.text, callback_data=b.data)
        for b in row] for row in rows])


def keyboard(buttons: Sequence[render.Button], per_row: int = 2) -> InlineKeyboardMarkup | None:
    return keyboard_rows(render.button_rows(buttons, per_row))


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_message.reply_html(
        text, reply_markup=markup, disable_web_page_preview=True
    )


def friendly_errors(handler: Handler) -> Handler:
    """Answer a NewsbotError briefly in the chat; let anything else reach error_handler."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: NewsContext) -> None:
        try:
            await handler(update, context)
        except NewsbotError as exc:
            if update.callback_query:
                await update.callback_query.answer()
            if update.effective_message:
                command = handler.__name__.removesuffix("_command")
                await reply(update, render.render_error(exc, command))

    return wrapper


def admin_only(handler: Handler) -> Handler:
    """Refuse, and log, admin commands from anyone not in ADMIN_IDS."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: NewsContext) -> None:
        user = update.effective_user
        if not context.settings.is_admin(user.id if user else None):
            logger.warning(
                "Refused /%s for non-admin user id %s",
                handler.__name__.removesuffix("_command"), user.id if user else None,
            )
            await reply(update, render.NOT_ADMIN)
            return
        await handler(update, context)

    return wrapper


async def track_chat(update: Update, context: NewsContext) -> None:
    """A chat that writes to us is reachable again (digests resume)."""
    chat = update.effective_chat
    if chat is not None and update.effective_message is not None:
        await call(context.service.touch_chat, chat.id)


async def error_handler(update: object, context: NewsContext) -> None:
    """Log the exception with its traceback and tell the user something went wrong.

    A network error while polling (``update`` None) is retried by python-telegram-bot: one
    warning line, no traceback."""
    if update is None and isinstance(context.error, NetworkError):
        logger.warning("Polling the Bot API failed, retrying: %s", context.error)
        return
    logger.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update):
        if update.callback_query:
            try:
                await update.callback_query.answer(render.SOMETHING_WRONG)
            except TelegramError:  # already reporting a failure; don't raise another
                logger.debug("Could not answer the callback query", exc_info=True)
        if update.effective_chat and update.effective_message:
            await context.bot.send_message(update.effective_chat.id, render.SOMETHING_WRONG)
