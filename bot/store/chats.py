"""Chats, their tag subscriptions, digest claims and deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.articles import tag_key
from bot.models import Article, ChatSettings
from bot.store.articles import ARTICLE_COLUMNS, ARTICLE_WIDTH, article_from_row
from bot.store.database import Database, now_text, reading, writing

_UPSERT_CHAT = (
    "INSERT INTO chats (chat_id, created_at, last_digest_seq)"
    " VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) FROM articles))"
    " ON CONFLICT (chat_id) DO UPDATE SET active = 1"
)
_CHAT_COLUMNS = (
    "chat_id, active, digest_enabled, digest_time, timezone, last_digest_seq, last_digest_at"
)


def _chat(row: Sequence[Any]) -> ChatSettings:
    return ChatSettings(
        chat_id=row[0],
        active=bool(row[1]),
        digest_enabled=bool(row[2]),
        digest_time=row[3],
        timezone=row[4],
        last_digest_seq=row[5],
        last_digest_at=datetime.fromisoformat(row[6]) if row[6] else None,
    )


def _utc_text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


class ChatStore(Database):
    """Chats, subscriptions, digest claims and deliveries."""

    @writing
    def touch_chat(self, chat_id: int) -> None:
        """Make sure a chat row exists and is active (a chat that writes to us is reachable)."""
        with self._transaction() as conn:
            conn.execute(_UPSERT_CHAT, (chat_id, now_text()))

    @writing
    def subscribe(self, chat_id: int, tags: Sequence[str], now: datetime) -> list[str]:
        """Follow tags; returns the display names that were not followed before."""
        added: list[str] = []
        with self._transaction() as conn:
            conn.execute(_UPSERT_CHAT, (chat_id, now_text()))
            first = not conn.execute(
                "SELECT 1 FROM subscriptions WHERE chat_id = ?", (chat_id,)
            ).fetchone()
            if first:
                # A digest holds what arrives after one starts following tags, not the archive.
                conn.execute(
                    "UPDATE chats SET last_digest_seq = (SELECT coalesce(max(seq), 0)"
                    " FROM articles), last_digest_at = ? WHERE chat_id = ?",
                    (_utc_text(now), chat_id),
                )
            for tag in tags:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO subscriptions (chat_id, tag_key, tag_name, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (chat_id, tag_key(tag), tag, now_text()),
                )
                if cursor.rowcount:
                    added.append(tag)
        return added

    @writing
    def unsubscribe(self, chat_id: int, tag: str) -> str | None:
        """Stop following a tag; returns its display name, or None if it was not followed."""
        with self._transaction() as conn:
            row = conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND tag_key = ? RETURNING tag_name",
                (chat_id, tag_key(tag)),
            ).fetchone()
        return row[0] if row else None

    @reading
    def subscriptions(self, chat_id: int) -> list[str]:
        rows = self._reader().execute(
            "SELECT tag_name FROM subscriptions WHERE chat_id = ? ORDER BY tag_key", (chat_id,)
        )
        return [name for (name,) in rows]

    @writing
    def chat_settings(self, chat_id: int) -> ChatSettings:
        with self._transaction() as conn:
            conn.execute(_UPSERT_CHAT, (chat_id, now_text()))
            row = conn.execute(
                f"SELECT {_CHAT_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return _chat(row)

    @writing
    def update_chat(self, chat_id: int, **fields: Any) -> None:
        """Set digest_time, timezone, digest_enabled or active for one chat."""
        allowed = {"digest_time", "timezone", "digest_enabled", "active"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"update_chat takes {sorted(allowed)}, got {sorted(fields)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._transaction() as conn:
            conn.execute(_UPSERT_CHAT, (chat_id, now_text()))
            conn.execute(
                f"UPDATE chats SET {assignments} WHERE chat_id = ?", [*fields.values(), chat_id]
            )

    # -- digests --------------------------------------------------------------------------

    @writing
    def claim_chat(self, chat_id: int, holder: str, now: datetime, ttl_seconds: int,
                   *, replacing: str | None = None) -> bool:
        """Take the chat's digest claim for ``holder`` until ``now + ttl_seconds``; False if
        another holder's claim has not expired. Taking it again extends one's own claim;
        ``replacing`` names a holder known to be dead, whose claim is taken over at once."""
        now_ts = int(now.timestamp())
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO chat_claims (chat_id, holder, expires_ts) VALUES (?1, ?2, ?3)"
                " ON CONFLICT (chat_id) DO UPDATE SET holder = ?2, expires_ts = ?3"
                " WHERE chat_claims.holder IN (?2, ?5) OR chat_claims.expires_ts <= ?4",
                (chat_id, holder, now_ts + ttl_seconds, now_ts, replacing),
            )
            return cursor.rowcount == 1

    @reading
    def chat_claim_holder(self, chat_id: int) -> str | None:
        """Who holds the chat's digest claim, expired or not; None if nobody."""
        row = self._reader().execute(
            "SELECT holder FROM chat_claims WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    @writing
    def release_chat(self, chat_id: int, holder: str) -> None:
        """Give up ``holder``'s claim on the chat; another holder's claim is left alone."""
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM chat_claims WHERE chat_id = ? AND holder = ?", (chat_id, holder)
            )

    @reading
    def digest_chats(self) -> list[ChatSettings]:
        """Active chats with digests on and at least one followed tag."""
        rows = self._reader().execute(
            f"SELECT {_CHAT_COLUMNS} FROM chats c WHERE active = 1 AND digest_enabled = 1"
            " AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = c.chat_id)"
            " ORDER BY chat_id"
        )
        return [_chat(row) for row in rows]

    @reading
    def digest_window(self, chat_id: int) -> tuple[int, int]:
        """(the chat's watermark, the newest article's seq) in one read; the watermark of a
        chat without a row is 0, and such a chat follows no tags."""
        return self._reader().execute(
            "SELECT coalesce((SELECT last_digest_seq FROM chats WHERE chat_id = ?), 0),"
            " (SELECT coalesce(max(seq), 0) FROM articles)",
            (chat_id,),
        ).fetchone()

    @reading
    def digest_candidates(
        self, chat_id: int, after_seq: int, upto_seq: int
    ) -> list[tuple[Article, tuple[str, ...]]]:
        """Undelivered articles in (after_seq, upto_seq] carrying a followed tag, newest first,
        each once with the followed tags it matched; none whose story (a copy from another
        outlet) the chat was already sent."""
        rows = self._reader().execute(
            f"SELECT {ARTICLE_COLUMNS}, group_concat(t.name, char(31))"
            " FROM subscriptions s"
            " JOIN tags t ON t.key = s.tag_key"
            " JOIN article_tags at ON at.tag_id = t.id"
            " JOIN articles a ON a.seq = at.article_seq"
            " WHERE s.chat_id = ?1 AND a.seq > ?2 AND a.seq <= ?3"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d"
            "                 WHERE d.chat_id = ?1 AND d.article_seq = a.seq)"
            # A story the chat got from another outlet is not sent again.
            " AND (a.story IS NULL OR NOT EXISTS (SELECT 1 FROM articles c"
            "      JOIN deliveries d ON d.chat_id = ?1 AND d.article_seq = c.seq"
            "      WHERE c.story = a.story))"
            " GROUP BY a.seq ORDER BY a.published_ts DESC, a.seq DESC",
            (chat_id, after_seq, upto_seq),
        )
        return [(article_from_row(row[:ARTICLE_WIDTH]), tuple(row[ARTICLE_WIDTH].split("\x1f")))
                for row in rows]

    @writing
    def record_deliveries(
        self, records: Sequence[tuple[int, Sequence[str], tuple[int, datetime] | None]]
    ) -> None:
        """For each (chat_id, article_ids, finish): record the articles as delivered and,
        given ``finish`` = (upto_seq, when), move the chat's watermark as ``finish_digest``
        does; all in one transaction."""
        now = now_text()
        with self._transaction() as conn:
            for chat_id, article_ids, finish in records:
                if article_ids:
                    marks = ",".join("?" * len(article_ids))
                    conn.execute(
                        "INSERT OR IGNORE INTO deliveries (chat_id, article_seq, delivered_at)"
                        f" SELECT ?, seq, ? FROM articles WHERE id IN ({marks})",
                        [chat_id, now, *article_ids],
                    )
                if finish is not None:
                    self._move_watermark(chat_id, *finish)

    @reading
    def delivered_ids(self, chat_id: int) -> list[str]:
        rows = self._reader().execute(
            "SELECT a.id FROM deliveries d JOIN articles a ON a.seq = d.article_seq"
            " WHERE d.chat_id = ? ORDER BY d.article_seq",
            (chat_id,),
        )
        return [article_id for (article_id,) in rows]

    @writing
    def finish_digest(self, chat_id: int, upto_seq: int, when: datetime) -> None:
        """Move the chat's watermark: later digests start after ``upto_seq``."""
        with self._transaction():
            self._move_watermark(chat_id, upto_seq, when)

    def _move_watermark(self, chat_id: int, upto_seq: int, when: datetime) -> None:
        self.db.conn.execute(
            "UPDATE chats SET last_digest_seq = max(last_digest_seq, ?), last_digest_at = ?"
            " WHERE chat_id = ?",
            (upto_seq, _utc_text(when), chat_id),
        )
