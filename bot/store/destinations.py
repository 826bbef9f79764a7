"""Destinations beyond a chat itself: forum topics, each with subscriptions of its own, and
channels, managed from a private chat.

A topic's destination id is a ``topics`` row id, numbered from ``TOPIC_IDS_FROM``: Telegram
chat ids have at most 52 significant bits, so a topic's id never names a chat, and every table
keyed by chat (settings, subscriptions, alerts, deliveries, claims) keys a topic the same way.
"""

from __future__ import annotations

from bot.models import Channel, ChatAddress
from bot.store.database import Database, now_text, reading, writing

TOPIC_IDS_FROM = 1 << 60

# A new topic starts with its forum's delivery settings; its language is always the forum's.
_NEW_TOPIC = (
    "INSERT INTO chats (chat_id, active, digest_enabled, digest_time, timezone, last_digest_seq,"
    " created_at, delivery, quiet_start, quiet_end, silent)"
    " SELECT ?1, 1, coalesce(f.digest_enabled, 1), coalesce(f.digest_time, '08:00'),"
    " f.timezone, (SELECT coalesce(max(seq), 0) FROM articles), ?3,"
    " coalesce(f.delivery, 'daily'), f.quiet_start, f.quiet_end, coalesce(f.silent, 0)"
    " FROM (SELECT 1) LEFT JOIN chats f ON f.chat_id = ?2"
    " ON CONFLICT (chat_id) DO NOTHING"
)


class DestinationStore(Database):
    """Forum topics and managed channels."""

    @writing
    def topic_destination(self, chat_id: int, thread_id: int) -> int:
        """The destination id of topic ``thread_id`` in forum ``chat_id``, made on first use
        with the forum's delivery settings."""
        with self._transaction() as conn:
            row = conn.execute("SELECT id FROM topics WHERE chat_id = ? AND thread_id = ?",
                               (chat_id, thread_id)).fetchone()
            if row:
                return row[0]
            destination = conn.execute(
                "INSERT INTO topics (id, chat_id, thread_id)"
                " VALUES ((SELECT coalesce(max(id) + 1, ?) FROM topics), ?, ?) RETURNING id",
                (TOPIC_IDS_FROM, chat_id, thread_id)).fetchone()[0]
            conn.execute(_NEW_TOPIC, (destination, chat_id, now_text()))
        return destination

    @reading
    def chat_address(self, destination: int) -> ChatAddress:
        """Where the destination's messages go: its topic's forum and thread, a channel, or
        the chat of that id."""
        conn = self._reader()
        row = conn.execute("SELECT chat_id, thread_id FROM topics WHERE id = ?",
                           (destination,)).fetchone()
        if row:
            return ChatAddress(row[0], row[1])
        is_channel = conn.execute("SELECT 1 FROM channels WHERE chat_id = ?",
                                  (destination,)).fetchone() is not None
        return ChatAddress(destination, None, is_channel)

    @writing
    def manage_channel(self, user_chat_id: int, channel: Channel,
                       language: str | None) -> None:
        """The user (in private chat ``user_chat_id``) administers ``channel`` and selected
        it: record the channel and its manager, make it a destination posting in
        ``language`` (None: as before), and point the user's settings commands at it."""
        now = now_text()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO channels (chat_id, title, username) VALUES (?1, ?2, ?3)"
                " ON CONFLICT (chat_id) DO UPDATE SET title = ?2, username = ?3",
                (channel.chat_id, channel.title, channel.username))
            conn.execute(
                "INSERT OR IGNORE INTO channel_managers (user_id, channel_id, added_at)"
                " VALUES (?, ?, ?)", (user_chat_id, channel.chat_id, now))
            for chat_id, chat_language in ((channel.chat_id, language), (user_chat_id, None)):
                conn.execute(
                    "INSERT INTO chats (chat_id, created_at, last_digest_seq, language)"
                    " VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) FROM articles), ?3)"
                    " ON CONFLICT (chat_id) DO UPDATE SET active = 1,"
                    " language = coalesce(?3, chats.language)",
                    (chat_id, now, chat_language))
            conn.execute("UPDATE chats SET managing = ? WHERE chat_id = ?",
                         (channel.chat_id, user_chat_id))

    @writing
    def stop_managing(self, user_chat_id: int) -> Channel | None:
        """Settings commands in the private chat apply to it again; returns the channel they
        applied to, if any."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT c.chat_id, c.title, c.username FROM chats p"
                " JOIN channels c ON c.chat_id = p.managing WHERE p.chat_id = ?",
                (user_chat_id,)).fetchone()
            conn.execute("UPDATE chats SET managing = NULL WHERE chat_id = ?", (user_chat_id,))
        return Channel(*row) if row else None

    @reading
    def managed_channel(self, user_chat_id: int) -> Channel | None:
        """The channel the private chat's settings commands apply to; None: the chat itself."""
        row = self._reader().execute(
            "SELECT c.chat_id, c.title, c.username FROM chats p"
            " JOIN channels c ON c.chat_id = p.managing WHERE p.chat_id = ?",
            (user_chat_id,)).fetchone()
        return Channel(*row) if row else None

    @reading
    def channels_managed_by(self, user_id: int) -> list[Channel]:
        """The channels the user has selected to manage, by title."""
        rows = self._reader().execute(
            "SELECT c.chat_id, c.title, c.username FROM channel_managers m"
            " JOIN channels c ON c.chat_id = m.channel_id WHERE m.user_id = ?"
            " ORDER BY c.title COLLATE NOCASE, c.chat_id", (user_id,))
        return [Channel(*row) for row in rows]

    @writing
    def forget_channel(self, user_id: int, channel_id: int) -> None:
        """The user no longer administers the channel: drop it from their list, and stop
        their settings commands applying to it."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM channel_managers WHERE user_id = ? AND channel_id = ?",
                         (user_id, channel_id))
            conn.execute("UPDATE chats SET managing = NULL WHERE chat_id = ? AND managing = ?",
                         (user_id, channel_id))
