"""Who administers a group: ``getChatMember``'s answers, cached for a few minutes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest

logger = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
ADMIN_TTL = 300.0  # seconds a "yes, an administrator" is trusted without asking again
CACHE_LIMIT = 10_000  # (chat, user) answers kept before expired ones are dropped


class ChatAdmins:
    """Answers "is this user an administrator of this chat?" with ``getChatMember``; the
    clock (seconds, monotonic) and the time to live are injected.

    Only a "yes" is cached, for ``ttl`` seconds: a "no" is asked again before every refusal,
    so a member promoted a moment ago is not refused. A demoted administrator keeps the
    cached "yes" until it expires, unless Telegram says so first (``forget``: a bot that
    administers the group is told of every member's change)."""

    def __init__(self, ttl: float = ADMIN_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._admins: dict[tuple[int, int], float] = {}  # (chat, user) → when "yes" expires

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """True if ``user_id`` owns or administers ``chat_id``; a user Telegram does not
        know there (400) is not an administrator."""
        key = (chat_id, user_id)
        now = self.clock()
        if self._admins.get(key, now) > now:
            return True
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except BadRequest as exc:
            logger.info("getChatMember(%s, %s) refused: %s", chat_id, user_id, exc)
            member = None
        if member is None or member.status not in ADMIN_STATUSES:
            self._admins.pop(key, None)
            return False
        if len(self._admins) >= CACHE_LIMIT:
            self._admins = {k: until for k, until in self._admins.items() if until > now}
        self._admins[key] = now + self.ttl
        return True

    def forget(self, chat_id: int, user_id: int) -> None:
        """The user's status in the chat changed: ask Telegram next time."""
        self._admins.pop((chat_id, user_id), None)
