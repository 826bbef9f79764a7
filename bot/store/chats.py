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
    "chat_id, active, digest_enabled, digest_time, timezone, last_digest_seq, last_digest_at,"
    " delivery, quiet_start, quiet_end, silent"
)


# An article not yet sent to chat ?1, nor its story (a copy from another outlet).
_UNDELIVERED = (
    "NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.chat_id = ?1 AND d.article_seq = a.seq)"
    " AND (a.story IS NULL OR NOT EXISTS (SELECT 1 FROM articles c"
    "      JOIN deliveries d ON d.chat_id = ?1 AND d.article_seq = c.seq"
    "      WHERE c.story = a.story))"
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
        delivery=row[7],
        quiet_start=row[8],
        quiet_end=row[9],
        silent=bool(row[10]),
    )


def _utc_text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


class ChatStore(Database):
    """Chats, subscriptions, digest claims and deliveries."""

    @writing
    def touch_chat(self, chat_id: int, language: str | None = None) -> str | None:
        """Make sure a chat row exists and is active (a chat that writes to us is reachable);
        a chat without a language gets ``language``. Returns the chat's language."""
        with self._transaction() as conn:
            row = conn.execute(
                "INSERT INTO chats (chat_id, created_at, last_digest_seq, language)"
                " VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) FROM articles), ?3)"
                " ON CONFLICT (chat_id) DO UPDATE SET active = 1,"
                " language = coalesce(chats.language, ?3)"
                " RETURNING language",
                (chat_id, now_text(), language),
            ).fetchone()
            # Its forum topics are reachable again too.
            conn.execute("UPDATE chats SET active = 1 WHERE active = 0"
                         " AND chat_id IN (SELECT id FROM topics WHERE chat_id = ?)", (chat_id,))
        return row[0]

    @reading
    def chat_language(self, chat_id: int) -> str | None:
        """The chat's language (a forum topic's is its forum's); None for a chat unknown or
        without one."""
        row = self._reader().execute(
            "SELECT language FROM chats WHERE chat_id ="
            " coalesce((SELECT chat_id FROM topics WHERE id = ?1), ?1)", (chat_id,)).fetchone()
        return row[0] if row else None

    @writing
    def deactivate_chat(self, chat_id: int) -> None:
        """No more news to the chat and its forum topics (or to the one topic, given a
        topic's id) until it writes again."""
        with self._transaction() as conn:
            conn.execute("UPDATE chats SET active = 0 WHERE chat_id = ?1"
                         " OR chat_id IN (SELECT id FROM topics WHERE chat_id = ?1)", (chat_id,))

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
        """Set digest_time, timezone, digest_enabled, active, language, delivery, quiet_start,
        quiet_end or silent for one chat."""
        allowed = {"digest_time", "timezone", "digest_enabled", "active", "language",
                   "delivery", "quiet_start", "quiet_end", "silent"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"update_chat takes {sorted(allowed)}, got {sorted(fields)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._transaction() as conn:
            conn.execute(_UPSERT_CHAT, (chat_id, now_text()))
            conn.execute(
                f"UPDATE chats SET {assignments} WHERE chat_id = ?", [*fields.values(), chat_id]
            )

    @writing
    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup with a new id: move the chat's settings, subscriptions
        and delivery history to ``new_chat_id``, in one transaction. A row the new chat already
        has (its first message was seen) takes the old settings, keeping its language only
        where the old chat had none. False, and nothing changed, if ``old_chat_id`` is unknown
        (the migration was already applied)."""
        with self._transaction() as conn:
            moved = conn.execute(
                "INSERT INTO chats (chat_id, active, digest_enabled, digest_time, timezone,"
                " last_digest_seq, last_digest_at, created_at, language, delivery, quiet_start,"
                " quiet_end, silent)"
                " SELECT ?2, 1, digest_enabled, digest_time, timezone, last_digest_seq,"
                " last_digest_at, created_at, language, delivery, quiet_start, quiet_end,"
                " silent FROM chats WHERE chat_id = ?1"
                " ON CONFLICT (chat_id) DO UPDATE SET active = 1,"
                " delivery = excluded.delivery, quiet_start = excluded.quiet_start,"
                " quiet_end = excluded.quiet_end, silent = excluded.silent,"
                " digest_enabled = excluded.digest_enabled, digest_time = excluded.digest_time,"
                " timezone = excluded.timezone, last_digest_seq = excluded.last_digest_seq,"
                " last_digest_at = excluded.last_digest_at,"
                " language = coalesce(excluded.language, chats.language)",
                (old_chat_id, new_chat_id),
            ).rowcount
            if not moved:
                return False
            for table, columns in (("subscriptions", "tag_key, tag_name, created_at"),
                                   ("deliveries", "article_seq, delivered_at")):
                conn.execute(
                    f"INSERT OR IGNORE INTO {table} (chat_id, {columns})"
                    f" SELECT ?, {columns} FROM {table} WHERE chat_id = ?",
                    (new_chat_id, old_chat_id),
                )
                conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (old_chat_id,))
            # Saved searches keep their ids (their pending matches point at them); a query
            # the new chat already saved stays the new chat's.
            for table in ("alerts", "alert_matches"):
                conn.execute(f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?",
                             (new_chat_id, old_chat_id))
                conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (old_chat_id,))
            conn.execute("UPDATE topics SET chat_id = ? WHERE chat_id = ?",
                         (new_chat_id, old_chat_id))
            conn.execute("DELETE FROM chat_claims WHERE chat_id = ?", (old_chat_id,))
            conn.execute("DELETE FROM chats WHERE chat_id = ?", (old_chat_id,))
        return True

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
        """Active chats with digests on and at least one followed tag or saved search."""
        rows = self._reader().execute(
            f"SELECT {_CHAT_COLUMNS} FROM chats c WHERE active = 1 AND digest_enabled = 1"
            " AND (EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = c.chat_id)"
            "      OR EXISTS (SELECT 1 FROM alerts al WHERE al.chat_id = c.chat_id))"
            " ORDER BY chat_id"
        )
        return [_chat(row) for row in rows]

    @reading
    def first_import_after(self, seq: int) -> datetime | None:
        """When the first article after ``seq`` (a chat's watermark) was imported; None if no
        article came since."""
        row = self._reader().execute(
            "SELECT imported_at FROM articles WHERE seq > ? ORDER BY seq LIMIT 1", (seq,)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    @reading
    def chat_silent(self, chat_id: int) -> bool:
        """Whether the chat's news arrives without a notification sound."""
        row = self._reader().execute(
            "SELECT silent FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return bool(row and row[0])

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
    ) -> list[tuple[Article, tuple[str, ...], tuple[str, ...]]]:
        """Undelivered articles in (after_seq, upto_seq] carrying a followed tag or matched by
        one of the chat's saved searches at import, newest first, each once with the followed
        tags and the saved searches (their query text) it matched; none whose story (a copy
        from another outlet) the chat was already sent."""
        conn = self._reader()
        by_seq: dict[int, tuple[Article, int, tuple[str, ...], tuple[str, ...]]] = {}
        for row in conn.execute(
            f"SELECT a.seq, a.published_ts, {ARTICLE_COLUMNS}, group_concat(t.name, char(31))"
            " FROM subscriptions s"
            " JOIN tags t ON t.key = s.tag_key"
            " JOIN article_tags at ON at.tag_id = t.id"
            " JOIN articles a ON a.seq = at.article_seq"
            " WHERE s.chat_id = ?1 AND a.seq > ?2 AND a.seq <= ?3"
            f" AND {_UNDELIVERED}"
            " GROUP BY a.seq",
            (chat_id, after_seq, upto_seq),
        ):
            article = article_from_row(row[2:2 + ARTICLE_WIDTH])
            by_seq[row[0]] = (article, row[1], tuple(row[-1].split("\x1f")), ())
        for row in conn.execute(
            f"SELECT a.seq, a.published_ts, {ARTICLE_COLUMNS},"
            " group_concat(al.query, char(31))"
            " FROM alert_matches m"
            " JOIN alerts al ON al.id = m.alert_id"
            " JOIN articles a ON a.seq = m.article_seq"
            " WHERE m.chat_id = ?1 AND a.seq > ?2 AND a.seq <= ?3"
            f" AND {_UNDELIVERED}"
            " GROUP BY a.seq",
            (chat_id, after_seq, upto_seq),
        ):
            queries = tuple(row[-1].split("\x1f"))
            if row[0] in by_seq:
                article, published, tags, _ = by_seq[row[0]]
                by_seq[row[0]] = (article, published, tags, queries)
            else:
                by_seq[row[0]] = (article_from_row(row[2:2 + ARTICLE_WIDTH]), row[1], (),
                                  queries)
        newest_first = sorted(by_seq.items(), key=lambda item: (item[1][1], item[0]),
                              reverse=True)
        return [(article, tags, queries) for _, (article, _, tags, queries) in newest_first]

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
