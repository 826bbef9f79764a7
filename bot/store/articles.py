"""The article catalogue: import (upsert), lookups, the newest, tags, categories, stats."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.articles import tag_key
from bot.errors import ArticleNotFound
from bot.models import Article, Stats, TagCount, content_digest, tags_json
from bot.store.database import Database, now_text, reading, writing

ARTICLE_COLUMNS = (
    "a.id, a.category, a.published, a.source, a.title, a.subtitle, a.tags_json, a.body, a.url"
)
ARTICLE_WIDTH = 9  # how many columns ARTICLE_COLUMNS selects


def article_from_row(row: Sequence[Any]) -> Article:
    """An Article from the ``ARTICLE_COLUMNS`` of one row."""
    return Article(
        id=row[0],
        category=row[1],
        published=datetime.fromisoformat(row[2]),
        source=row[3],
        title=row[4],
        subtitle=row[5],
        tags=tuple(json.loads(row[6])),
        body=row[7],
        url=row[8],
    )


@dataclass(frozen=True, slots=True)
class UpsertResult:
    added: list[str]
    updated: list[str]
    unchanged: int


def _stored_form(article: Article) -> tuple[str, str, str]:
    """The published and tags columns and the content hash made of them (once each)."""
    published = article.published.isoformat()
    tags = tags_json(article.tags)
    digest = content_digest(
        article.category, published, article.source, article.title, article.subtitle, tags,
        article.body,
    )
    return published, tags, digest


def _row(seq: int, article: Article, stored_form: tuple[str, str, str], now: str) -> tuple:
    published, tags, digest = stored_form
    return (
        seq,
        article.id,
        article.category,
        article.category.casefold(),
        article.source,
        article.title,
        article.subtitle,
        ", ".join(article.tags),
        tags,
        article.body,
        published,
        int(article.published.timestamp()),
        digest,
        article.text_hash,
        now,
        now,
        article.url,
    )


def _latest_filters(alias: str, params: dict[str, Any]) -> list[str]:
    """``latest``'s filters on the article ``alias``, the tag's first when there is one."""
    where: list[str] = []
    if "tag" in params:
        where.append(f"EXISTS (SELECT 1 FROM article_tags x WHERE x.article_seq = {alias}.seq"
                     " AND x.tag_id = (SELECT id FROM tags WHERE key = :tag))")
    if "category" in params:
        where.append(f"{alias}.category_key = :category")
    if "source" in params:
        where.append(f"{alias}.source = :source COLLATE NOCASE")
    return where


class ArticleStore(Database):
    """Articles and their tags."""

    @writing
    def upsert_articles(self, articles: Sequence[Article]) -> UpsertResult:
        """Insert new articles and update changed ones, in one transaction. An article pruned
        before (``pruned_articles``) is not brought back: it counts as unchanged.

        The full-text index is written here, not by triggers: one statement removes the old
        text of changed rows and one ``INSERT ... SELECT`` indexes the new and changed rows.
        """
        # Hand-written, not table.upsert_all: the report needs each row's stored hash and seq,
        # and the FTS index is written once per batch from the seqs.
        now = now_text()
        added: list[str] = []
        updated: list[str] = []
        unchanged = 0
        with self._transaction() as conn:
            existing = self._existing_hashes([a.id for a in articles])
            pruned = self._pruned_ids([a.id for a in articles if a.id not in existing])
            # Past every seq ever used, pruned ones included: a chat's digest watermark may be
            # above them, and an article below it would never reach the chat.
            first_new = conn.execute(
                "SELECT max(coalesce((SELECT max(seq) FROM articles), 0),"
                " coalesce((SELECT max(seq) FROM pruned_articles), 0)) + 1"
            ).fetchone()[0]
            next_seq = first_new
            new_rows: list[tuple] = []
            # id -> (seq, article, stored form): what the row must hold after this batch
            final: dict[str, tuple[int, Article, tuple[str, str, str]]] = {}
            for article in articles:
                stored_form = _stored_form(article)
                digest = stored_form[2]
                seen = existing.get(article.id)
                if article.id in pruned:
                    unchanged += 1
                    continue
                if seen is None:
                    seq = next_seq
                    next_seq += 1
                    new_rows.append(_row(seq, article, stored_form, now))
                    added.append(article.id)
                elif seen[1] == digest:
                    unchanged += 1
                    continue
                else:
                    seq = seen[0]
                    updated.append(article.id)
                existing[article.id] = (seq, digest)
                final[article.id] = (seq, article, stored_form)
            # Changed rows stored before this batch: their indexed text is removed while the
            # row still holds it; rows added in this batch are indexed only once, at the end.
            stored = sorted({final[i][0] for i in updated if final[i][0] < first_new})
            if stored:
                conn.execute(
                    "INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, tags, body)"
                    " SELECT 'delete', seq, title, subtitle, tags, body FROM articles"
                    " WHERE seq IN (SELECT value FROM json_each(?))",
                    (json.dumps(stored),),
                )
            if new_rows:
                conn.executemany(
                    "INSERT INTO articles (seq, id, category, category_key, source, title,"
                    " subtitle, tags, tags_json, body, published, published_ts, content_hash,"
                    " text_hash, imported_at, updated_at, url)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    new_rows,
                )
            # An id may come twice in one batch: the last version wins, the row is added once.
            changed = [final[i] for i in dict.fromkeys(updated)]
            if changed:
                conn.executemany(
                    "UPDATE articles SET category=?, category_key=?, source=?, title=?,"
                    " subtitle=?, tags=?, tags_json=?, body=?, published=?, published_ts=?,"
                    " content_hash=?, text_hash=?, updated_at=?, url=? WHERE seq=?",
                    [(*_row(seq, a, form, now)[2:14], now, a.url, seq)
                     for seq, a, form in changed],
                )
            if final:
                conn.execute(
                    "INSERT INTO articles_fts (rowid, title, subtitle, tags, body)"
                    " SELECT seq, title, subtitle, tags, body FROM articles WHERE seq >= ?"
                    " UNION ALL SELECT seq, title, subtitle, tags, body FROM articles"
                    " WHERE seq IN (SELECT value FROM json_each(?))",
                    (first_new, json.dumps(stored)),
                )
                self._link_tags(list(final.values()), stored)
        return UpsertResult(added, updated, unchanged)

    def _existing_hashes(self, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """(seq, content hash) of the stored articles among these ids, in one query."""
        return {
            article_id: (seq, digest)
            for seq, article_id, digest in self.db.conn.execute(
                "SELECT seq, id, content_hash FROM articles"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )
        }

    def _pruned_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return {
            article_id for (article_id,) in self.db.conn.execute(
                "SELECT id FROM pruned_articles WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )
        }

    def _tag_ids(self, tags: Iterable[str]) -> dict[str, int]:
        """Ids by spelling for the given tags, matched by key; missing ones are created with
        the first spelling seen."""
        key_of = {tag: tag_key(tag) for tag in dict.fromkeys(tags)}
        names: dict[str, str] = {}
        for tag, key in key_of.items():
            names.setdefault(key, tag)
        keys = json.dumps(list(names), ensure_ascii=False)
        query = "SELECT key, id FROM tags WHERE key IN (SELECT value FROM json_each(?))"
        ids: dict[str, int] = dict(self.db.conn.execute(query, (keys,)))
        missing = [(key, name) for key, name in names.items() if key not in ids]
        if missing:
            self.db.conn.executemany("INSERT INTO tags (key, name) VALUES (?, ?)", missing)
            ids.update(self.db.conn.execute(query, (keys,)))
        return {tag: ids[key] for tag, key in key_of.items()}

    def _link_tags(self, rows: Sequence[tuple[int, Article, Any]], stored: list[int]) -> None:
        """Link each (seq, article) to its tags; ``stored`` rows drop their old links first."""
        if stored:
            self.db.conn.execute(
                "DELETE FROM article_tags WHERE article_seq IN (SELECT value FROM json_each(?))",
                (json.dumps(stored),),
            )
        tag_ids = self._tag_ids(t for _, a, _ in rows for t in a.tags)
        links: list[tuple[int, int, int]] = []
        for seq, article, _ in rows:
            published_ts = int(article.published.timestamp())
            links.extend((seq, tag_ids[tag], published_ts) for tag in article.tags)
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO article_tags (article_seq, tag_id, published_ts)"
            " VALUES (?, ?, ?)",
            links,
        )

    @writing
    def record_import(self, added: int, updated: int, unchanged: int, failed: int) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO imports (finished_at, added, updated, unchanged, failed)"
                " VALUES (?, ?, ?, ?, ?)",
                (now_text(), added, updated, unchanged, failed),
            )

    @reading
    def get_article(self, article_id: str) -> Article:
        row = self._reader().execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise ArticleNotFound(article_id)
        return article_from_row(row)

    @reading
    def latest(
        self,
        limit: int = 5,
        offset: int = 0,
        *,
        tag: str | None = None,
        category: str | None = None,
        source: str | None = None,
    ) -> list[Article]:
        """Newest first, optionally for one tag, category and/or source; a story with several
        copies (see ``bot.store.stories``) once, as its newest copy that passes the filters."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        joins = ""
        order = "a.published_ts DESC, a.seq DESC"
        if tag is not None:
            joins = "JOIN article_tags t ON t.article_seq = a.seq"
            params["tag"] = tag_key(tag)
            order = "t.published_ts DESC, t.article_seq DESC"
        if category is not None:
            params["category"] = " ".join(category.split()).casefold()
        if source is not None:
            params["source"] = source.strip()
        where = _latest_filters("a", params)
        if tag is not None:
            where[0] = "t.tag_id = (SELECT id FROM tags WHERE key = :tag)"
        newer_copy = " AND ".join([
            "b.story = a.story",
            "(b.published_ts > a.published_ts OR"
            " (b.published_ts = a.published_ts AND b.seq > a.seq))",
            *_latest_filters("b", params),
        ])
        where.append(f"(a.story IS NULL OR NOT EXISTS (SELECT 1 FROM articles b"
                     f" WHERE {newer_copy}))")
        sql = (f"SELECT {ARTICLE_COLUMNS} FROM articles a {joins} WHERE "
               + " AND ".join(where) + f" ORDER BY {order} LIMIT :limit OFFSET :offset")
        rows = self._reader().execute(sql, params).fetchall()
        return [article_from_row(row) for row in rows]

    @reading
    def tag_counts(self, limit: int = 30) -> list[TagCount]:
        rows = self._reader().execute(
            "SELECT t.name, count(*) AS n FROM article_tags at JOIN tags t ON t.id = at.tag_id"
            " GROUP BY at.tag_id ORDER BY n DESC, t.key LIMIT ?",
            (limit,),
        )
        return [TagCount(name, count) for name, count in rows]

    @reading
    def tag_name(self, tag: str) -> str | None:
        """The display spelling of a known tag, matched case-insensitively."""
        row = self._reader().execute("SELECT name FROM tags WHERE key = ?", (tag_key(tag),))
        found = row.fetchone()
        return found[0] if found else None

    @reading
    def categories(self) -> list[TagCount]:
        rows = self._reader().execute(
            "SELECT min(category), count(*) AS n FROM articles GROUP BY category_key"
            " ORDER BY n DESC, category_key"
        )
        return [TagCount(name, count) for name, count in rows]

    @reading
    def stats(self) -> Stats:
        one = self._reader().execute
        last = one("SELECT max(finished_at) FROM imports").fetchone()[0]
        size = 0
        if self.path != ":memory:":
            size = sum(
                p.stat().st_size
                for p in (Path(self.path), Path(self.path + "-wal"))
                if p.exists()
            )
        return Stats(
            articles=one("SELECT count(*) FROM articles").fetchone()[0],
            tags=one("SELECT count(*) FROM tags").fetchone()[0],
            categories=one("SELECT count(DISTINCT category_key) FROM articles").fetchone()[0],
            sources=one("SELECT count(DISTINCT source) FROM articles").fetchone()[0],
            subscribers=one("SELECT count(DISTINCT chat_id) FROM subscriptions").fetchone()[0],
            last_import=datetime.fromisoformat(last) if last else None,
            database_bytes=size,
        )

    @reading
    def article_count(self) -> int:
        return self._reader().execute("SELECT count(*) FROM articles").fetchone()[0]
