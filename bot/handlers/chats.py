"""Chats that change or go away: a group that became a supergroup, the bot removed from a
chat (or blocked in a private one) and added back, a member promoted or demoted."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot import render
from bot.handlers.common import call, spoken_language
from bot.handlers.context import NewsContext

logger = logging.getLogger(__name__)


async def chat_migrated(update: Update, context: NewsContext) -> None:
    """A group became a supergroup (Telegram says so in both: ``migrate_to_chat_id`` in the
    group, ``migrate_from_chat_id`` in the supergroup): its subscriptions, settings, delivery
    history and chat_data move to the new id, once."""
    message = update.effective_message
    old_id = message.migrate_from_chat_id or message.chat.id
    new_id = message.migrate_to_chat_id or message.chat.id
    if await call(context.service.migrate_chat, old_id, new_id):
        logger.info("Chat %s became supergroup %s; its subscriptions moved", old_id, new_id)
        context.application.migrate_chat_data(old_chat_id=old_id, new_chat_id=new_id)
    # The supergroup's first message may have cached the language of a row made before the move.
    stored = await call(context.service.chat_language, new_id)
    if stored:
        context.application.chat_data[new_id]["language"] = render.language_for(stored)


def _is_removed(member: ChatMember, chat_type: str) -> bool:
    """Whether the bot can no longer post in the chat: it left or was removed, or, in a
    channel, it is no administrator allowed to post."""
    if chat_type == ChatType.CHANNEL:
        return not getattr(member, "can_post_messages", False)
    if member.status == ChatMember.RESTRICTED:
        return not getattr(member, "is_member", True)
    return member.status in (ChatMember.LEFT, ChatMember.BANNED)


async def membership_changed(update: Update, context: NewsContext) -> None:
    """The bot was removed from a chat, blocked by a user, or lost the right to post in a
    channel: the chat goes inactive (no more digests) until it writes again; added back,
    unblocked, or allowed to post again: active again."""
    change = update.my_chat_member
    chat_id = change.chat.id
    if _is_removed(change.new_chat_member, change.chat.type):
        logger.info("Removed from chat %s (%s); its digests stop", chat_id,
                    change.new_chat_member.status)
        await call(context.service.mark_unreachable, chat_id)
    else:
        await call(context.service.touch_chat, chat_id, spoken_language(update))


async def member_changed(update: Update, context: NewsContext) -> None:
    """A member of a group the bot administers was promoted, demoted or left: forget the
    cached answer about them, so a demoted administrator loses their rights at once."""
    change = update.chat_member
    context.chat_admins.forget(change.chat.id, change.new_chat_member.user.id)
