"""Channels, managed from a private chat: /channel @name (or a forwarded channel post),
/channel off, /channels and its buttons.

A channel is selected only once Telegram confirms, with ``getChat`` and ``getChatMember``,
that it is a channel, that the bot administers it and may post there, and that the user
administers it too. From then on the private chat's settings commands apply to the channel
(``common.settings_target``), each one checking again that the user still administers it."""

from __future__ import annotations

import logging
import re

from telegram import MessageOriginChannel, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden

from bot import render
from bot.errors import ChannelRefused
from bot.handlers.common import (
    call,
    chat_language,
    forget_target,
    friendly_errors,
    is_private,
    keyboard,
    reply,
    settings_target,
)
from bot.handlers.context import NewsContext
from bot.models import Channel

logger = logging.getLogger(__name__)

# @name, t.me/name or a numeric id, as users copy them; Telegram usernames are 4-32 of [A-Za-z0-9_].
_CHANNEL_NAME = re.compile(r"(?:@|(?:https?://)?t\.me/)?([A-Za-z][A-Za-z0-9_]{3,31})/?")
_CHANNEL_ID = re.compile(r"-100[0-9]{1,16}")


def parse_channel(text: str) -> int | str | None:
    """``@name`` for a channel's username, its numeric id, or None when ``text`` is neither."""
    text = text.strip()
    if _CHANNEL_ID.fullmatch(text):
        return int(text)
    match = _CHANNEL_NAME.fullmatch(text)
    return f"@{match[1]}" if match else None


async def verify_channel(context: NewsContext, reference: int | str, user_id: int) -> Channel:
    """The channel ``reference`` names, once Telegram confirms that both the bot and
    ``user_id`` administer it and that the bot may post there; ChannelRefused otherwise."""
    bot = context.bot
    try:
        chat = await bot.get_chat(reference)
    except (BadRequest, Forbidden) as exc:
        logger.info("getChat(%s) refused: %s", reference, exc)
        raise ChannelRefused("not_found", str(reference)) from exc
    title = chat.title or chat.username or str(chat.id)
    if chat.type != ChatType.CHANNEL:
        raise ChannelRefused("not_a_channel", title)
    try:
        me = await bot.get_chat_member(chat.id, bot.id)
    except (BadRequest, Forbidden) as exc:
        logger.info("getChatMember(%s, bot) refused: %s", chat.id, exc)
        raise ChannelRefused("bot_not_admin", title) from exc
    if me.status != ChatMemberStatus.ADMINISTRATOR:
        raise ChannelRefused("bot_not_admin", title)
    if not getattr(me, "can_post_messages", False):
        raise ChannelRefused("bot_cannot_post", title)
    if not await context.chat_admins.is_admin(bot, chat.id, user_id):
        raise ChannelRefused("not_admin", title, chat.id)
    return Channel(chat.id, title, chat.username)


async def select_channel(update: Update, context: NewsContext, reference: int | str) -> None:
    """Check the channel, then point this private chat's settings commands at it. A channel
    the user no longer administers, or Telegram no longer knows, leaves their /channels."""
    user = update.effective_user
    try:
        channel = await verify_channel(context, reference, user.id)
    except ChannelRefused as exc:
        gone = exc.chat_id if exc.reason == "not_admin" else (
            reference if exc.reason == "not_found" and isinstance(reference, int) else None)
        if gone is not None:
            await call(context.service.forget_channel, user.id, gone)
            forget_target(context)
        raise
    language = await chat_language(update, context)
    await call(context.service.manage_channel, update.effective_chat.id, channel, language)
    forget_target(context)
    await reply(update, render.render_channel_selected(channel, language))


@friendly_errors
async def channel_command(update: Update, context: NewsContext) -> None:
    """/channel @name selects a channel to manage; /channel off returns to this chat;
    /channel alone says which applies."""
    language = await chat_language(update, context)
    if not is_private(update):
        await reply(update, render.translate(render.PRIVATE_CHAT_ONLY, language))
        return
    text = " ".join(context.args or [])
    if not text:
        target = await settings_target(update, context)
        await reply(update, render.render_channel_status(target.channel, language))
        return
    if text.casefold() == "off":
        left = await call(context.service.stop_managing, update.effective_chat.id)
        forget_target(context)
        await reply(update, render.render_channel_off(left, language))
        return
    reference = parse_channel(text)
    if reference is None:
        await reply(update, render.render_usage("channel", language))
        return
    await select_channel(update, context, reference)


@friendly_errors
async def channel_forwarded(update: Update, context: NewsContext) -> None:
    """A post forwarded from a channel into a private chat: manage that channel. Other
    forwarded messages are left alone."""
    origin = update.effective_message.forward_origin
    if isinstance(origin, MessageOriginChannel):
        await select_channel(update, context, origin.chat.id)


@friendly_errors
async def channels_command(update: Update, context: NewsContext) -> None:
    """List the channels the user manages, a button each to manage it."""
    language = await chat_language(update, context)
    if not is_private(update):
        await reply(update, render.translate(render.PRIVATE_CHAT_ONLY, language))
        return
    await _show_channels(update, context, language)


async def _show_channels(update: Update, context: NewsContext, language: str) -> None:
    channels = await call(context.service.channels_managed_by, update.effective_user.id)
    current = (await settings_target(update, context)).channel
    await reply(update, render.render_channels(channels, current, language),
                keyboard(render.channel_buttons(channels, current, language), per_row=1))


async def channel_button(update: Update, context: NewsContext, args: list[str]) -> None:
    """A /channels button: manage that channel (checked again), or this chat again."""
    query = update.callback_query
    if not is_private(update):
        await query.answer()
        return
    if args[0] == "off":
        await call(context.service.stop_managing, update.effective_chat.id)
        forget_target(context)
        await query.answer()
        await _show_channels(update, context, await chat_language(update, context))
        return
    if not _CHANNEL_ID.fullmatch(args[0]):
        await query.answer(render.translate(render.EXPIRED, await chat_language(update, context)),
                           show_alert=True)
        return
    await select_channel(update, context, int(args[0]))  # a refusal answers as an alert
    await query.answer()
