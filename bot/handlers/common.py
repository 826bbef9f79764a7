"""What every handler uses: replies, keyboards, the off-the-loop call, the error policy, which
destination a settings command applies to (the chat, its forum topic, or the channel a private
chat manages) and who may change it, and the language to speak in the update's chat."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import NetworkError, TelegramError

from bot import render
from bot.errors import NewsbotError, TooManySearches
from bot.handlers.context import NewsContext
from bot.models import Channel

logger = logging.getLogger(__name__)

Handler = Callable[[Update, NewsContext], Awaitable[None]]
AnyHandler = TypeVar("AnyHandler", bound=Callable[..., Awaitable[None]])

# A user's searches running at once (commands, pages, inline); more are refused, not queued,
# so one user cannot fill the worker threads everyone's searches share.
SEARCHES_PER_USER = 2


async def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking) service call in a worker thread, off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


@contextlib.contextmanager
def search_slot(context: NewsContext) -> Iterator[None]:
    """Count one search in flight for this update's user (its chat when it has none);
    TooManySearches when SEARCHES_PER_USER are already running."""
    owner = context.user_data if context.user_data is not None else context.chat_data
    if owner is None:
        yield
        return
    running = owner.get("searches_in_flight", 0)
    if running >= SEARCHES_PER_USER:
        raise TooManySearches(SEARCHES_PER_USER)
    owner["searches_in_flight"] = running + 1
    try:
        yield
    finally:
        owner["searches_in_flight"] -= 1


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
    """Answer in the update's chat; in a group, as a reply to the asking message (sent even if
    that message was deleted meanwhile)."""
    await update.effective_message.reply_html(
        text, reply_markup=markup, disable_web_page_preview=True,
        allow_sending_without_reply=True,
    )


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def spoken_language(update: object) -> str:
    """The language of the update's user (their Telegram ``language_code``) if we speak it,
    else the default."""
    user = update.effective_user if isinstance(update, Update) else None
    return render.language_for(user.language_code if user else None)


async def chat_language(update: Update, context: NewsContext) -> str:
    """The language to speak in the update's chat: the chat's own (kept in ``chat_data``
    after the first look-up), else its user's; an inline query has no chat, so its user's."""
    chat = update.effective_chat
    if chat is None or context.chat_data is None:
        return spoken_language(update)
    language = context.chat_data.get("language")
    if language is None:
        stored = await call(context.service.chat_language, chat.id)
        language = render.language_for(stored) if stored else spoken_language(update)
        context.chat_data["language"] = language
    return language


def remember_language(context: NewsContext, language: str) -> None:
    """The chat's language changed (or was first stored): later updates use it."""
    if context.chat_data is not None:
        context.chat_data["language"] = language


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
                language = await chat_language(update, context)
                await reply(update, render.render_error(exc, command, language))

    return wrapper


def admin_only(handler: Handler) -> Handler:
    """Refuse, and log, admin commands from anyone not in ADMIN_IDS; an admin is answered only
    in a private chat, so a group learns nothing of the bot's store or its admins."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: NewsContext) -> None:
        user = update.effective_user
        if not context.settings.is_admin(user.id if user else None):
            logger.warning(
                "Refused /%s for non-admin user id %s",
                handler.__name__.removesuffix("_command"), user.id if user else None,
            )
            language = await chat_language(update, context)
            await reply(update, render.translate(render.NOT_ADMIN, language))
            return
        if not is_private(update):
            language = await chat_language(update, context)
            await reply(update, render.translate(render.PRIVATE_CHAT_ONLY, language))
            return
        await handler(update, context)

    return wrapper


@dataclass(frozen=True, slots=True)
class Target:
    """What a settings command applies to: the destination id in the store (a chat, one
    topic of a forum, or a channel), and the channel when a private chat manages one."""

    chat_id: int
    channel: Channel | None = None


async def settings_target(update: Update, context: NewsContext) -> Target:
    """The destination the update's settings commands and buttons apply to: in a private
    chat, the channel it manages (``/channel``) or else the chat; in a forum, the topic the
    message is in (its General topic is the chat); anywhere else, the chat. Looked up once
    per chat and topic, then kept in ``chat_data``."""
    chat = update.effective_chat
    chat_data = context.chat_data if context.chat_data is not None else {}
    if chat.type == ChatType.PRIVATE:
        if "managing" not in chat_data:
            chat_data["managing"] = await call(context.service.managed_channel, chat.id)
        channel = chat_data["managing"]
        return Target(channel.chat_id, channel) if channel else Target(chat.id)
    message = update.effective_message
    if message is not None and message.is_topic_message and message.message_thread_id:
        topics = chat_data.setdefault("topics", {})
        thread = message.message_thread_id
        if thread not in topics:
            topics[thread] = await call(context.service.topic_destination, chat.id, thread)
        return Target(topics[thread])
    return Target(chat.id)


async def readable_target(update: Update, context: NewsContext) -> Target | None:
    """``settings_target`` for a command that only shows settings: anyone in a chat may read
    its settings, but a managed channel's only its administrators; None once refused."""
    target = await settings_target(update, context)
    if target.channel is None or await may_configure(update, context, target):
        return target
    await _refuse(update, context, target)
    return None


def forget_target(context: NewsContext) -> None:
    """The private chat chose or left a channel: look it up again next time."""
    if context.chat_data is not None:
        context.chat_data.pop("managing", None)


async def reply_for(update: Update, target: Target, text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
    """``reply``, headed by the channel's name when the answer is about a managed channel."""
    await reply(update, render.for_target(text, target.channel), markup)


async def may_configure(update: Update, context: NewsContext,
                        target: Target | None = None) -> bool:
    """May the update's sender change what ``target`` (by default the update's
    ``settings_target``) follows and how it is delivered? In a private chat, the user owns
    it; a managed channel, its administrators; in a group (or a topic of a forum), its
    administrators: a message the group itself sent (an anonymous administrator, from
    @GroupAnonymousBot), or a user ``getChatMember`` calls owner or administrator (cached:
    ``ChatAdmins``)."""
    chat = update.effective_chat
    if chat is None:
        return False
    user = update.effective_user
    if chat.type == ChatType.PRIVATE:
        target = target or await settings_target(update, context)
        if target.channel is None:
            return True
        return user is not None and await context.chat_admins.is_admin(
            context.bot, target.channel.chat_id, user.id)
    message = update.message  # a command; a button's message is the bot's own
    sender_chat = message.sender_chat if message is not None else None
    if sender_chat is not None and sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    return await context.chat_admins.is_admin(context.bot, chat.id, user.id)


def chat_admin_only(handler: AnyHandler) -> AnyHandler:
    """Let a command or button handler change the chat's settings only if ``may_configure``;
    anyone else gets a short refusal (a reply to the command, an alert on the button)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: NewsContext, *args: Any) -> None:
        target = await settings_target(update, context) if update.effective_chat else None
        if await may_configure(update, context, target):
            await handler(update, context, *args)
            return
        await _refuse(update, context, target)

    return cast(AnyHandler, wrapper)


async def _refuse(update: Update, context: NewsContext, target: Target | None) -> None:
    """Tell a sender who may not change ``target`` so: a reply to the command, an alert on
    the button; for a managed channel, that they no longer administer it."""
    language = await chat_language(update, context)
    if target is not None and target.channel is not None:
        refusal = render.render_not_channel_admin(target.channel, language)
    else:
        refusal = render.translate(render.CHAT_ADMINS_ONLY, language)
    if update.callback_query:
        await update.callback_query.answer(refusal, show_alert=True)
    else:
        await reply(update, render.escape(refusal))  # plain text: a title may hold "<"


async def track_chat(update: Update, context: NewsContext) -> None:
    """A chat that writes to us is reachable again (digests resume); a new chat takes the
    language of the user who writes first. A group's last message, saying it became a
    supergroup, is left to ``chats.chat_migrated``."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is not None and message is not None and message.migrate_to_chat_id is None:
        stored = await call(context.service.touch_chat, chat.id, spoken_language(update))
        remember_language(context, render.language_for(stored))


async def error_handler(update: object, context: NewsContext) -> None:
    """Log the exception with its traceback and tell the user something went wrong.

    A network error while polling (``update`` None) is retried by python-telegram-bot: one
    warning line, no traceback."""
    if update is None and isinstance(context.error, NetworkError):
        logger.warning("Polling the Bot API failed, retrying: %s", context.error)
        return
    logger.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update):
        # No store look-up here: the store may be what failed.
        chat_data = context.chat_data if update.effective_chat else None
        language = (chat_data or {}).get("language") or spoken_language(update)
        sorry = render.translate(render.SOMETHING_WRONG, language)
        if update.callback_query:
            try:
                await update.callback_query.answer(sorry)
            except TelegramError:  # already reporting a failure; don't raise another
                logger.debug("Could not answer the callback query", exc_info=True)
        if update.effective_chat and update.effective_message:
            await update.effective_message.reply_text(sorry, allow_sending_without_reply=True)
