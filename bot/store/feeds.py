"""Followed feeds and their poll state; saving a poll's articles; pruning old articles.

Saving a poll is one transaction: the entries as articles (with their story keys) and the
feed's new state (validators included) are written together, so a poll killed at any moment
either happened or did not, and polling again neither loses nor duplicates an entry.

An article belongs to the feed that brought it: another followed feed carrying the same
page (the same canonical URL, so the same id) leaves it as it is, so two feeds never rewrite
one article back and forth.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.feeds.errors import FeedAlreadyFollowed
from bot.feeds.model import FeedSettings, FeedState, StoredFeed, Validators
from bot.models import Article, tags_json
from bot.store.articles import UpsertResult
from bot.store.database import now_text, reading, writing
from bot.store.stories import StoryPrint, StoryStore

_FEED_COLUMNS = (
    "id, key, url, name, title, tags_json, category, interval_seconds, full_text, etag,"
    " last_modified, last_status, last_error, failures, last_success, last_polled,"
    " next_poll_ts, alerted, articles"
)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _text(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when else None


def _feed(row: Sequence[Any]) -> StoredFeed:
    (feed_id, key, url, name, title, tags, category, interval, full_text, etag, modified,
     status, error, failures, success, polled, next_ts, alerted, articles) = row
    settings = FeedSettings(
        url=url, name=name, tags=tuple(json.loads(tags)), category=category,
        interval=timedelta(seconds=interval), full_text=bool(full_text), key=key,
    )
    state = FeedState(
        url=url, validators=Validators(etag, modified), failures=failures, last_status=status,
        last_error=error, last_success=_when(success),
        next_poll=datetime.fromtimestamp(next_ts, UTC) if next_ts is not None else None,
        alerted=bool(alerted),
    )
    return StoredFeed(feed_id, settings, state, title, _when(polled), articles)


class FeedStore(StoryStore):
    """Feeds, their state, the articles they bring, and pruning."""

    @writing
    def add_feed(self, settings: FeedSettings, now: datetime) -> StoredFeed:
        """Follow a feed, due for its first poll at ``now``; raises FeedAlreadyFollowed when
        its URL (or the URL it was first added with) is followed already."""
        key = settings.identity
        with self._transaction() as conn:
            taken = conn.execute(
                "SELECT id FROM feeds WHERE url IN (?1, ?2) OR key IN (?1, ?2)",
                (settings.url, key),
            ).fetchone()
            if taken:
                raise FeedAlreadyFollowed(settings.url, taken[0])
            cursor = conn.execute(
                "INSERT INTO feeds (key, url, name, tags_json, category, interval_seconds,"
                " full_text, next_poll_ts, added_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (key, settings.url, settings.name, tags_json(settings.tags), settings.category,
                 int(settings.interval.total_seconds()), int(settings.full_text),
                 int(now.timestamp()), now_text()),
            )
            feed_id = cursor.lastrowid
        found = self.get_feed(feed_id)
        assert found is not None
        return found

    @reading
    def feeds(self) -> list[StoredFeed]:
        rows = self._reader().execute(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY id")
        return [_feed(row) for row in rows]

    @reading
    def get_feed(self, feed_id: int) -> StoredFeed | None:
        row = self._reader().execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return _feed(row) if row else None

    @reading
    def find_feed(self, url: str) -> StoredFeed | None:
        """The feed fetched from ``url`` now, or first added with it."""
        row = self._reader().execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?1 OR key = ?1 ORDER BY url != ?1",
            (url,),
        ).fetchone()
        return _feed(row) if row else None

    @reading
    def due_feeds(self, now: datetime) -> list[StoredFeed]:
        """Enabled feeds whose next poll is at or before ``now``, the longest due first."""
        rows = self._reader().execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE next_poll_ts <= ?"
            " ORDER BY next_poll_ts, id",
            (int(now.timestamp()),),
        )
        return [_feed(row) for row in rows]

    @writing
    def remove_feed(self, feed_id: int) -> bool:
        """Stop following a feed; its articles stay. False if there was no such feed."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)).rowcount == 1

    @reading
    def published_times(self, article_ids: Sequence[str]) -> dict[str, datetime]:
        """The stored publication time of each of these articles that is stored."""
        rows = self._reader().execute(
            "SELECT id, published FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),),
        )
        return {article_id: datetime.fromisoformat(text) for article_id, text in rows}

    @writing
    def save_feed_poll(
        self,
        feed_id: int,
        state: FeedState,
        title: str,
        articles: Sequence[Article],
        prints: Sequence[StoryPrint],
        now: datetime,
    ) -> UpsertResult:
        """In one transaction: upsert the feed's ``articles`` (those another followed feed
        brought are left alone and count as unchanged), group the new ones into stories by
        their ``prints``, and save the feed's ``state``, ``title`` (kept when '') and counts."""
        with self._transaction() as conn:
            theirs = {
                article_id for (article_id,) in conn.execute(
                    "SELECT a.id FROM articles a JOIN feeds f ON f.id = a.feed_id"
                    " WHERE a.id IN (SELECT value FROM json_each(?)) AND a.feed_id != ?",
                    (json.dumps([a.id for a in articles]), feed_id),
                )
            }
            mine = [a for a in articles if a.id not in theirs]
            result = self.upsert_articles(mine)  # type: ignore[attr-defined]
            written = result.added + result.updated
            if written:
                conn.execute(
                    "UPDATE articles SET feed_id = ? WHERE id IN (SELECT value FROM json_each(?))",
                    (feed_id, json.dumps(written)),
                )
            added = set(result.added)
            self._assign_stories(conn, [p for p in prints if p.article_id in added])
            next_ts = int(state.next_poll.timestamp()) if state.next_poll else None
            conn.execute(
                "UPDATE feeds SET"
                " url = CASE WHEN EXISTS (SELECT 1 FROM feeds o WHERE o.url = :url"
                "   AND o.id != :id) THEN url ELSE :url END,"
                " etag = :etag, last_modified = :modified, last_status = :status,"
                " last_error = :error, failures = :failures, last_success = :success,"
                " last_polled = :polled, next_poll_ts = :next_ts, alerted = :alerted,"
                " title = CASE WHEN :title != '' THEN :title ELSE title END,"
                " articles = articles + :added WHERE id = :id",
                {"url": state.url, "id": feed_id, "etag": state.validators.etag,
                 "modified": state.validators.last_modified, "status": state.last_status,
                 "error": state.last_error, "failures": state.failures,
                 "success": _text(state.last_success), "polled": _text(now),
                 "next_ts": next_ts, "alerted": int(state.alerted), "title": title,
                 "added": len(result.added)},
            )
        return UpsertResult(result.added, result.updated, result.unchanged + len(theirs))

    @writing
    def prune(self, published_before: datetime) -> int:
        """Delete the articles published before ``published_before`` with their tags' links,
        index entries, story prints, deliveries, saved searches' waiting matches and the
        summaries no other article shares;
        their ids are kept so that they are never imported (and sent) again. Returns how
        many were deleted."""
        cutoff = int(published_before.timestamp())
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT seq, id, text_hash FROM articles WHERE published_ts < ?", (cutoff,)
            ).fetchall()
            if not rows:
                return 0
            seqs = json.dumps([seq for seq, _, _ in rows])
            hashes = json.dumps(sorted({text_hash for _, _, text_hash in rows}))
            now = now_text()
            conn.executemany(
                "INSERT OR REPLACE INTO pruned_articles (id, seq, pruned_at) VALUES (?, ?, ?)",
                [(article_id, seq, now) for seq, article_id, _ in rows],
            )
            for table, column in (("deliveries", "article_seq"), ("alert_matches", "article_seq"),
                                  ("article_tags", "article_seq"),
                                  ("story_bands", "article_seq"),
                                  ("story_signatures", "article_seq"), ("articles", "seq")):
                # The articles' delete trigger removes their full-text index entries.
                conn.execute(
                    f"DELETE FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))",
                    (seqs,),
                )
            conn.execute(
                "DELETE FROM summaries WHERE text_hash IN (SELECT value FROM json_each(?1))"
                " AND text_hash NOT IN (SELECT text_hash FROM articles"
                "   WHERE text_hash IN (SELECT value FROM json_each(?1)))",
                (hashes,),
            )
        return len(rows)
