"""The SQLite store: schema, migrations, FTS5 search and queries.

This is the only module that imports sqlite-utils (and sqlite3); database errors are
converted to ``StoreError`` here. One connection is shared by every thread behind a lock,
so the bot can run queries off the event loop with ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.articles import tag_key
from bot.errors import ArticleNotFound, StoreError
from bot.models import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Article,
    ChatSettings,
    SearchHit,
    Stats,
    Summary,
    TagCount,
    content_digest,
    tags_json,
)
from bot.query import SearchQuery, fts_expression

logger = logging.getLogger(__name__)

# Column weights for bm25(): title above tags above subtitle above body.
_WEIGHTS = "10.0, 2.5, 5.0, 1.0"
_BM25 = f"bm25(articles_fts, {_WEIGHTS})"
_SNIPPET = "snippet(articles_fts, -1, ?, ?, '…', 24)"
_TOKENIZER = "porter unicode61 remove_diacritics 2"
# Word searches rank the newest this many matches (by import order); filters see them all.
# 1,000 rather than 2,000 halves a common word's cost: at 100,000 articles, bot reply p95
# under load went from about 105 to 25-40 ms (bench/bot_latency.py).
RANK_WINDOW = 1000
_SQL_CHUNK = 500  # stay well below SQLite's bound-parameter limit

_ARTICLE_COLUMNS = (
    "a.id, a.category, a.published, a.source, a.title, a.subtitle, a.tags_json, a.body"
)

T = TypeVar("T")


def _migration_1(db: sqlite_utils.Database) -> None:
    """Articles, tags and their links; FTS5 kept in sync by triggers (see migration 5)."""
    db.executescript(
        f"""
        CREATE TABLE articles (
            seq INTEGER PRIMARY KEY,            -- stable rowid for FTS; grows with each import
            id TEXT NOT NULL UNIQUE,
            category TEXT NOT NULL,
            category_key TEXT NOT NULL,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            subtitle TEXT NOT NULL,
            tags TEXT NOT NULL,                 -- display form, for full-text search
            tags_json TEXT NOT NULL,
            body TEXT NOT NULL,
            published TEXT NOT NULL,            -- ISO 8601 as written, with its offset
            published_ts INTEGER NOT NULL,      -- seconds since the epoch, for ordering
            content_hash TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX articles_newest ON articles (published_ts DESC, seq DESC);
        CREATE INDEX articles_category_newest
            ON articles (category_key, published_ts DESC, seq DESC);
        CREATE INDEX articles_source_newest ON articles (source, published_ts DESC, seq DESC);
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,           -- case-folded, for matching
            name TEXT NOT NULL                  -- first spelling seen, for display
        );
        CREATE TABLE article_tags (
            article_seq INTEGER NOT NULL REFERENCES articles (seq),
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            published_ts INTEGER NOT NULL,      -- copied so a tag's newest need no sort
            PRIMARY KEY (article_seq, tag_id)
        ) WITHOUT ROWID;
        CREATE INDEX article_tags_newest ON article_tags (tag_id, published_ts DESC, article_seq);
        CREATE VIRTUAL TABLE articles_fts USING fts5 (
            title, subtitle, tags, body,
            content='articles', content_rowid='seq', tokenize='{_TOKENIZER}'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, subtitle, tags, body)
            VALUES (new.seq, new.title, new.subtitle, new.tags, new.body);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, tags, body)
            VALUES ('delete', old.seq, old.title, old.subtitle, old.tags, old.body);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, subtitle, tags, body ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, tags, body)
            VALUES ('delete', old.seq, old.title, old.subtitle, old.tags, old.body);
            INSERT INTO articles_fts (rowid, title, subtitle, tags, body)
            VALUES (new.seq, new.title, new.subtitle, new.tags, new.body);
        END;
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            finished_at TEXT NOT NULL,
            added INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            unchanged INTEGER NOT NULL,
            failed INTEGER NOT NULL
        );
        """
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Summaries, keyed by the text they were made from, the method and the length."""
    db.executescript(
        """
        CREATE TABLE summaries (
            text_hash TEXT NOT NULL,
            method TEXT NOT NULL,
            sentences INTEGER NOT NULL,
            language TEXT NOT NULL,
            summary_json TEXT NOT NULL,
            PRIMARY KEY (text_hash, method, sentences)
        ) WITHOUT ROWID;
        """
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Chats and their tag subscriptions."""
    db.executescript(
        """
        CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY,
            active INTEGER NOT NULL DEFAULT 1,
            digest_enabled INTEGER NOT NULL DEFAULT 1,
            digest_time TEXT NOT NULL DEFAULT '08:00',
            timezone TEXT,                      -- NULL: the bot's default timezone
            last_digest_seq INTEGER NOT NULL DEFAULT 0,
            last_digest_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE subscriptions (
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id),
            tag_key TEXT NOT NULL,
            tag_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, tag_key)
        ) WITHOUT ROWID;
        CREATE INDEX subscriptions_by_tag ON subscriptions (tag_key);
        """
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """Digest deliveries: which article reached which chat, recorded after Telegram accepted."""
    db.executescript(
        """
        CREATE TABLE deliveries (
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id),
            article_seq INTEGER NOT NULL REFERENCES articles (seq),
            delivered_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, article_seq)
        ) WITHOUT ROWID;
        """
    )


def _migration_5(db: sqlite_utils.Database) -> None:
    """The store indexes new and changed articles itself, a batch at a time.

    The row triggers made FTS5 flush its pending terms for every article: a 100,000-article
    import spent three quarters of its time there. The delete trigger stays.
    """
    # Not executescript: it commits first, and this must be one transaction with user_version.
    db.execute("DROP TRIGGER articles_ai")
    db.execute("DROP TRIGGER articles_au")


def _migration_6(db: sqlite_utils.Database) -> None:
    """Content hashes in the cheaper form of ``content_digest``, which no longer escapes the
    body as JSON, recomputed from the stored columns so a re-import stays unchanged."""
    db.conn.create_function("newsbot_content_digest", 7, content_digest, deterministic=True)
    db.execute(
        "UPDATE articles SET content_hash = newsbot_content_digest("
        "category, published, source, title, subtitle, tags_json, body)"
    )


def _migration_7(db: sqlite_utils.Database) -> None:
    """FTS5 keeps up to 16 MiB of new terms in memory (default 1 MiB), so a batch of 2,000
    articles is written as one segment, not several that must be merged again."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 16777216)")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _converting_errors(method: Callable[..., T]) -> Callable[..., T]:
    """Hold the store lock and turn sqlite3 errors into StoreError."""

    @wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(f"Database error in {self.path}: {exc}") from exc

    return wrapper


def _reading(method: Callable[..., T]) -> Callable[..., T]:
    """Run a read on this thread's own connection, in parallel with other readers (WAL);
    an in-memory store has only one connection, so reads there take the lock."""

    @wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            if self.path == ":memory:":
                with self._lock:
                    return method(self, *args, **kwargs)
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"Database error in {self.path}: {exc}") from exc

    return wrapper


@dataclass(frozen=True, slots=True)
class UpsertResult:
    added: list[str]
    updated: list[str]
    unchanged: int


class Store:
    """Articles, tags, summaries and subscriptions in one SQLite file."""

    def __init__(self, path: str | Path = ":memory:", *, migrate_to: int = SCHEMA_VERSION):
        self.path = str(path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self.db = sqlite_utils.Database(conn)
            if self.path != ":memory:":
                self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster
            # The writer's page cache: 32 MiB (default 2) holds the indexes and FTS segments a
            # batch touches, instead of reading them back from the OS page by page.
            self.db.execute("PRAGMA cache_size = -32768")
            self._migrate(migrate_to)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot open database {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self.db.close()

    def _reader(self) -> sqlite3.Connection:
        """This thread's read-only connection (the shared one for an in-memory store)."""
        if self.path == ":memory:":
            return self.db.conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                Path(self.path).resolve().as_uri() + "?mode=ro", uri=True,
                check_same_thread=False, timeout=30,
            )
            # 8 MiB (default 2) keeps the FTS index's hot pages and docsize rows, which bm25
            # reads for every ranked match: a tenth off filtered searches at 100,000 articles.
            conn.execute("PRAGMA cache_size = -8192")
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self, target: int) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer newsbot (schema {current}, "
                f"this one knows {SCHEMA_VERSION}); upgrade newsbot."
            )
        for version in range(current + 1, target + 1):
            with self.db.atomic():
                MIGRATIONS[version - 1](self.db)
                self.db.execute(f"PRAGMA user_version = {version:d}")
            logger.info("Migrated %s to schema version %d", self.path, version)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    # -- articles -------------------------------------------------------------------------

    @_converting_errors
    def upsert_articles(self, articles: Sequence[Article]) -> UpsertResult:
        """Insert new articles and update changed ones, in one transaction.

        The full-text index is written here, not by triggers: one statement removes the old
        text of changed rows and one ``INSERT ... SELECT`` indexes the new and changed rows.
        (FTS5 flushes its pending terms after every statement, so row triggers made it write
        and merge a segment per article.)
        """
        now = _now()
        added: list[str] = []
        updated: list[str] = []
        unchanged = 0
        with self._transaction():
            conn = self.db.conn
            existing = self._existing_hashes([a.id for a in articles])
            first_new = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM articles").fetchone()[0]
            next_seq = first_new
            new_rows: list[tuple] = []
            # id -> (seq, article, stored form): what the row must hold after this batch
            final: dict[str, tuple[int, Article, tuple[str, str, str]]] = {}
            for article in articles:
                stored_form = self._stored_form(article)
                digest = stored_form[2]
                seen = existing.get(article.id)
                if seen is None:
                    seq = next_seq
                    next_seq += 1
                    new_rows.append(self._row(seq, article, stored_form, now))
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
                    " text_hash, imported_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    new_rows,
                )
            # An id may come twice in one batch: the last version wins, the row is added once.
            changed = [final[i] for i in dict.fromkeys(updated)]
            if changed:
                conn.executemany(
                    "UPDATE articles SET category=?, category_key=?, source=?, title=?,"
                    " subtitle=?, tags=?, tags_json=?, body=?, published=?, published_ts=?,"
                    " content_hash=?, text_hash=?, updated_at=? WHERE seq=?",
                    [(*self._row(seq, a, form, now)[2:14], now, seq) for seq, a, form in changed],
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

    @staticmethod
    def _stored_form(article: Article) -> tuple[str, str, str]:
        """The published and tags columns and the content hash made of them (once each)."""
        published = article.published.isoformat()
        tags = tags_json(article.tags)
        digest = content_digest(
            article.category, published, article.source, article.title, article.subtitle, tags,
            article.body,
        )
        return published, tags, digest

    @staticmethod
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
        )

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

    @_converting_errors
    def record_import(self, added: int, updated: int, unchanged: int, failed: int) -> None:
        with self._transaction():
            self.db.conn.execute(
                "INSERT INTO imports (finished_at, added, updated, unchanged, failed)"
                " VALUES (?, ?, ?, ?, ?)",
                (_now(), added, updated, unchanged, failed),
            )

    @staticmethod
    def _article(row: Sequence[Any]) -> Article:
        return Article(
            id=row[0],
            category=row[1],
            published=datetime.fromisoformat(row[2]),
            source=row[3],
            title=row[4],
            subtitle=row[5],
            tags=tuple(json.loads(row[6])),
            body=row[7],
        )

    @_reading
    def get_article(self, article_id: str) -> Article:
        row = self._reader().execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise ArticleNotFound(article_id)
        return self._article(row)

    @_reading
    def get_articles(self, article_ids: Sequence[str]) -> list[Article]:
        """The articles with these ids, in the given order; unknown ids are left out."""
        found: dict[str, Article] = {}
        for start in range(0, len(article_ids), _SQL_CHUNK):
            chunk = list(article_ids[start : start + _SQL_CHUNK])
            marks = ",".join("?" * len(chunk))
            for row in self._reader().execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id IN ({marks})", chunk
            ):
                found[row[0]] = self._article(row)
        return [found[i] for i in article_ids if i in found]

    @_reading
    def latest(
        self,
        limit: int = 5,
        offset: int = 0,
        *,
        tag: str | None = None,
        category: str | None = None,
        source: str | None = None,
    ) -> list[Article]:
        """Newest first, optionally for one tag, category and/or source."""
        where: list[str] = []
        params: list[Any] = []
        joins = ""
        order = "a.published_ts DESC, a.seq DESC"
        if tag is not None:
            joins = "JOIN article_tags t ON t.article_seq = a.seq"
            where.append("t.tag_id = (SELECT id FROM tags WHERE key = ?)")
            params.append(tag_key(tag))
            order = "t.published_ts DESC, t.article_seq DESC"
        if category is not None:
            where.append("a.category_key = ?")
            params.append(" ".join(category.split()).casefold())
        if source is not None:
            where.append("a.source = ? COLLATE NOCASE")
            params.append(source.strip())
        sql = f"SELECT {_ARTICLE_COLUMNS} FROM articles a {joins}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        rows = self._reader().execute(sql, [*params, limit, offset]).fetchall()
        return [self._article(row) for row in rows]

    @_reading
    def search(self, query: SearchQuery, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        """Articles matching a parsed query, best first (newest first without words)."""
        if query.is_empty:
            return []
        match = fts_expression(query.terms)
        exclude = fts_expression(query.excluded, " OR ")
        if match and not (exclude or query.tags or query.excluded_tags or query.categories):
            # Words alone: rank inside the FTS index, without touching the articles table, and
            # only among the newest RANK_WINDOW matches, so a common word costs the same on
            # a million articles as on a few thousand.
            floor = self._reader().execute(
                "SELECT min(rowid) FROM (SELECT rowid FROM articles_fts"
                " WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?)",
                (match, RANK_WINDOW),
            ).fetchone()[0]
            if any(term.prefix for term in query.terms):
                # FTS5 sorts by rank itself and makes snippets for the page only. A prefix
                # expands to many terms, and a snippet looked up by rowid afterwards expands
                # it again for every hit (11 ms for a page of `earn*` on 100,000 articles).
                sql = (
                    f"SELECT rowid, rank, {_SNIPPET} FROM articles_fts"
                    " WHERE articles_fts MATCH ? AND rank MATCH ? AND rowid >= ?"
                    " ORDER BY rank LIMIT ? OFFSET ?"
                )
                params: list[Any] = [
                    HIGHLIGHT_START, HIGHLIGHT_END, match, f"bm25({_WEIGHTS})", floor or 0]
            else:
                sql = (
                    f"SELECT rowid, {_BM25} AS rank FROM articles_fts"
                    " WHERE articles_fts MATCH ? AND rowid >= ? ORDER BY rank LIMIT ? OFFSET ?"
                )
                params = [match, floor or 0]
        elif match:
            # Words and filters: every match is ranked, the FTS index driving. Each tag is a
            # primary-key lookup in article_tags per match; the articles table, whose rows are
            # large and scattered, is joined only for a category.
            joins: list[str] = []
            params = []
            if query.categories:
                joins.append("CROSS JOIN articles a ON a.seq = articles_fts.rowid")
            for n, tag in enumerate(query.tags):
                joins.append(
                    f"CROSS JOIN article_tags t{n} ON t{n}.article_seq = articles_fts.rowid"
                    f" AND t{n}.tag_id = (SELECT id FROM tags WHERE key = ?)"
                )
                params.append(tag_key(tag))
            where, filter_params = self._filters(query, "articles_fts.rowid", exclude, ())
            sql = (
                f"SELECT articles_fts.rowid, {_BM25} AS rank FROM articles_fts "
                + " ".join(joins) + " WHERE articles_fts MATCH ?"
                + "".join(" AND " + condition for condition in where)
                + " ORDER BY rank LIMIT ? OFFSET ?"
            )
            params += [match, *filter_params]
        elif query.tags:
            # Filters only, one of them a tag: walk that tag's newest links, as latest() does.
            where, params = self._filters(query, "t.article_seq", exclude, query.tags[1:])
            sql = (
                "SELECT t.article_seq, 0.0 AS rank FROM article_tags t"
                + (" JOIN articles a ON a.seq = t.article_seq" if query.categories else "")
                + " WHERE t.tag_id = (SELECT id FROM tags WHERE key = ?)"
                + "".join(" AND " + condition for condition in where)
                + " ORDER BY t.published_ts DESC, t.article_seq DESC LIMIT ? OFFSET ?"
            )
            params.insert(0, tag_key(query.tags[0]))
        else:
            where, params = self._filters(query, "a.seq", exclude, ())
            sql = (
                "SELECT a.seq, 0.0 AS rank FROM articles a WHERE " + " AND ".join(where)
                + " ORDER BY a.published_ts DESC, a.seq DESC LIMIT ? OFFSET ?"
            )
        page = self._reader().execute(sql, [*params, limit, offset]).fetchall()
        if not page:
            return []
        seqs = [row[0] for row in page]
        marks = ",".join("?" * len(seqs))
        articles = {
            row[0]: self._article(row[1:])
            for row in self._reader().execute(
                f"SELECT a.seq, {_ARTICLE_COLUMNS} FROM articles a WHERE a.seq IN ({marks})",
                seqs,
            )
        }
        snippets: dict[int, str] = {row[0]: row[2] for row in page if len(row) > 2}
        if match and not snippets:
            # Snippets only for the page, not for every match the ranking looked at.
            snippets = dict(
                self._reader().execute(
                    f"SELECT rowid, {_SNIPPET} FROM articles_fts"
                    f" WHERE articles_fts MATCH ? AND rowid IN ({marks})",
                    [HIGHLIGHT_START, HIGHLIGHT_END, match, *seqs],
                )
            )
        return [
            SearchHit(articles[row[0]], snippets.get(row[0], ""), row[1])
            for row in page
            if row[0] in articles
        ]

    @staticmethod
    def _filters(
        query: SearchQuery, seq: str, exclude: str | None, tags: Sequence[str]
    ) -> tuple[list[str], list]:
        """SQL conditions and parameters on the article ``seq`` for ``tags`` (those the
        caller does not join itself), the excluded tags and words, and the categories. A tag
        is one primary-key lookup per candidate: ``IN (SELECT ...)`` built the whole list of a
        tag's articles, 65,000 for a common one, on every search."""
        where: list[str] = []
        params: list[Any] = []
        linked = (
            "EXISTS (SELECT 1 FROM article_tags x WHERE x.article_seq = {seq}"
            " AND x.tag_id = (SELECT id FROM tags WHERE key = ?))"
        )
        for tag in tags:
            where.append(linked.format(seq=seq))
            params.append(tag_key(tag))
        for tag in query.excluded_tags:
            where.append("NOT " + linked.format(seq=seq))
            params.append(tag_key(tag))
        if query.categories:
            where.append(f"a.category_key IN ({','.join('?' * len(query.categories))})")
            params.extend(" ".join(c.split()).casefold() for c in query.categories)
        if exclude:
            where.append(
                f"{seq} NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(exclude)
        return where, params

    @_reading
    def tag_counts(self, limit: int = 30) -> list[TagCount]:
        rows = self._reader().execute(
            "SELECT t.name, count(*) AS n FROM article_tags at JOIN tags t ON t.id = at.tag_id"
            " GROUP BY at.tag_id ORDER BY n DESC, t.key LIMIT ?",
            (limit,),
        )
        return [TagCount(name, count) for name, count in rows]

    @_reading
    def tag_name(self, tag: str) -> str | None:
        """The display spelling of a known tag, matched case-insensitively."""
        row = self._reader().execute("SELECT name FROM tags WHERE key = ?", (tag_key(tag),))
        found = row.fetchone()
        return found[0] if found else None

    @_reading
    def categories(self) -> list[TagCount]:
        rows = self._reader().execute(
            "SELECT min(category), count(*) AS n FROM articles GROUP BY category_key"
            " ORDER BY n DESC, category_key"
        )
        return [TagCount(name, count) for name, count in rows]

    @_reading
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

    @_reading
    def article_count(self) -> int:
        return self._reader().execute("SELECT count(*) FROM articles").fetchone()[0]

    # -- summaries ------------------------------------------------------------------------

    def get_summary(self, text_hash: str, method: str, sentences: int) -> Summary | None:
        return self.get_summaries([text_hash], method, sentences).get(text_hash)

    @_reading
    def get_summaries(
        self, text_hashes: Sequence[str], method: str, sentences: int
    ) -> dict[str, Summary]:
        """The stored summaries of these texts (at most _SQL_CHUNK), by text hash."""
        marks = ",".join("?" * len(text_hashes))
        rows = self._reader().execute(
            "SELECT text_hash, language, summary_json FROM summaries"
            f" WHERE method = ? AND sentences = ? AND text_hash IN ({marks})",
            [method, sentences, *text_hashes],
        )
        return {h: Summary(tuple(json.loads(j)), method, lang) for h, lang, j in rows}

    @_converting_errors
    def save_summaries(self, items: Iterable[tuple[str, int, Summary]]) -> None:
        """Store (text_hash, sentences, summary) triples, replacing older ones."""
        rows = [
            (text_hash, s.method, n, s.language, json.dumps(s.sentences, ensure_ascii=False))
            for text_hash, n, s in items
        ]
        with self._transaction():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO summaries"
                " (text_hash, method, sentences, language, summary_json) VALUES (?,?,?,?,?)",
                rows,
            )

    @_reading
    def missing_summaries(
        self, article_ids: Sequence[str], method: str, sentences: int
    ) -> list[Article]:
        """Of these articles, those without a stored summary for the method and length."""
        missing: list[Article] = []
        for start in range(0, len(article_ids), _SQL_CHUNK):
            chunk = list(article_ids[start : start + _SQL_CHUNK])
            marks = ",".join("?" * len(chunk))
            rows = self._reader().execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id IN ({marks})"
                " AND NOT EXISTS (SELECT 1 FROM summaries s WHERE s.text_hash = a.text_hash"
                " AND s.method = ? AND s.sentences = ?)",
                [*chunk, method, sentences],
            )
            missing.extend(self._article(row) for row in rows)
        return missing

    # -- chats and subscriptions ----------------------------------------------------------

    _UPSERT_CHAT = (
        "INSERT INTO chats (chat_id, created_at, last_digest_seq)"
        " VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) FROM articles))"
        " ON CONFLICT (chat_id) DO UPDATE SET active = 1"
    )

    @_converting_errors
    def touch_chat(self, chat_id: int) -> None:
        """Make sure a chat row exists and is active (a chat that writes to us is reachable)."""
        with self._transaction():
            self.db.conn.execute(self._UPSERT_CHAT, (chat_id, _now()))

    @_converting_errors
    def subscribe(self, chat_id: int, tags: Sequence[str], now: datetime) -> list[str]:
        """Follow tags; returns the display names that were not followed before."""
        added: list[str] = []
        with self._transaction():
            self.db.conn.execute(self._UPSERT_CHAT, (chat_id, _now()))
            first = not self.db.conn.execute(
                "SELECT 1 FROM subscriptions WHERE chat_id = ?", (chat_id,)
            ).fetchone()
            if first:
                # A digest holds what arrives after one starts following tags, not the archive.
                self.db.conn.execute(
                    "UPDATE chats SET last_digest_seq = (SELECT coalesce(max(seq), 0)"
                    " FROM articles), last_digest_at = ? WHERE chat_id = ?",
                    (now.astimezone(UTC).isoformat(timespec="seconds"), chat_id),
                )
            for tag in tags:
                cursor = self.db.conn.execute(
                    "INSERT OR IGNORE INTO subscriptions (chat_id, tag_key, tag_name, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (chat_id, tag_key(tag), tag, _now()),
                )
                if cursor.rowcount:
                    added.append(tag)
        return added

    @_converting_errors
    def unsubscribe(self, chat_id: int, tag: str) -> str | None:
        """Stop following a tag; returns its display name, or None if it was not followed."""
        with self._transaction():
            row = self.db.conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND tag_key = ? RETURNING tag_name",
                (chat_id, tag_key(tag)),
            ).fetchone()
        return row[0] if row else None

    @_reading
    def subscriptions(self, chat_id: int) -> list[str]:
        rows = self._reader().execute(
            "SELECT tag_name FROM subscriptions WHERE chat_id = ? ORDER BY tag_key", (chat_id,)
        )
        return [name for (name,) in rows]

    # -- digests --------------------------------------------------------------------------

    @staticmethod
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

    _CHAT_COLUMNS = (
        "chat_id, active, digest_enabled, digest_time, timezone, last_digest_seq, last_digest_at"
    )

    @_converting_errors
    def chat_settings(self, chat_id: int) -> ChatSettings:
        with self._transaction():
            self.db.conn.execute(self._UPSERT_CHAT, (chat_id, _now()))
            row = self.db.conn.execute(
                f"SELECT {self._CHAT_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return self._chat(row)

    @_converting_errors
    def update_chat(self, chat_id: int, **fields: Any) -> None:
        """Set digest_time, timezone, digest_enabled or active for one chat."""
        allowed = {"digest_time", "timezone", "digest_enabled", "active"}
        if not fields or set(fields) - allowed:
            raise ValueError(f"update_chat takes {sorted(allowed)}, got {sorted(fields)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._transaction():
            self.db.conn.execute(self._UPSERT_CHAT, (chat_id, _now()))
            self.db.conn.execute(
                f"UPDATE chats SET {assignments} WHERE chat_id = ?", [*fields.values(), chat_id]
            )

    @_reading
    def digest_chats(self) -> list[ChatSettings]:
        """Active chats with digests on and at least one followed tag."""
        rows = self._reader().execute(
            f"SELECT {self._CHAT_COLUMNS} FROM chats c WHERE active = 1 AND digest_enabled = 1"
            " AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = c.chat_id)"
            " ORDER BY chat_id"
        )
        return [self._chat(row) for row in rows]

    @_reading
    def digest_window(self, chat_id: int) -> tuple[int, int]:
        """(the chat's watermark, the newest article's seq) in one read; the watermark of a
        chat without a row is 0, and such a chat follows no tags."""
        return self._reader().execute(
            "SELECT coalesce((SELECT last_digest_seq FROM chats WHERE chat_id = ?), 0),"
            " (SELECT coalesce(max(seq), 0) FROM articles)",
            (chat_id,),
        ).fetchone()

    @_reading
    def digest_candidates(
        self, chat_id: int, after_seq: int, upto_seq: int
    ) -> list[tuple[Article, tuple[str, ...]]]:
        """Undelivered articles in (after_seq, upto_seq] carrying a followed tag, newest first,
        each once with the followed tags it matched."""
        rows = self._reader().execute(
            f"SELECT {_ARTICLE_COLUMNS}, group_concat(t.name, char(31))"
            " FROM subscriptions s"
            " JOIN tags t ON t.key = s.tag_key"
            " JOIN article_tags at ON at.tag_id = t.id"
            " JOIN articles a ON a.seq = at.article_seq"
            " WHERE s.chat_id = ?1 AND a.seq > ?2 AND a.seq <= ?3"
            " AND NOT EXISTS (SELECT 1 FROM deliveries d"
            "                 WHERE d.chat_id = ?1 AND d.article_seq = a.seq)"
            " GROUP BY a.seq ORDER BY a.published_ts DESC, a.seq DESC",
            (chat_id, after_seq, upto_seq),
        )
        return [(self._article(row[:8]), tuple(row[8].split("\x1f"))) for row in rows]

    @_converting_errors
    def record_deliveries(
        self, records: Sequence[tuple[int, Sequence[str], tuple[int, datetime] | None]]
    ) -> None:
        """For each (chat_id, article_ids, finish): record the articles as delivered and,
        given ``finish`` = (upto_seq, when), move the chat's watermark as ``finish_digest``
        does; all in one transaction."""
        now = _now()
        with self._transaction():
            for chat_id, article_ids, finish in records:
                if article_ids:
                    marks = ",".join("?" * len(article_ids))
                    self.db.conn.execute(
                        "INSERT OR IGNORE INTO deliveries (chat_id, article_seq, delivered_at)"
                        f" SELECT ?, seq, ? FROM articles WHERE id IN ({marks})",
                        [chat_id, now, *article_ids],
                    )
                if finish is not None:
                    self._move_watermark(chat_id, *finish)

    @_reading
    def delivered_ids(self, chat_id: int) -> list[str]:
        rows = self._reader().execute(
            "SELECT a.id FROM deliveries d JOIN articles a ON a.seq = d.article_seq"
            " WHERE d.chat_id = ? ORDER BY d.article_seq",
            (chat_id,),
        )
        return [article_id for (article_id,) in rows]

    @_converting_errors
    def finish_digest(self, chat_id: int, upto_seq: int, when: datetime) -> None:
        """Move the chat's watermark: later digests start after ``upto_seq``."""
        with self._transaction():
            self._move_watermark(chat_id, upto_seq, when)

    def _move_watermark(self, chat_id: int, upto_seq: int, when: datetime) -> None:
        self.db.conn.execute(
            "UPDATE chats SET last_digest_seq = max(last_digest_seq, ?), last_digest_at = ?"
            " WHERE chat_id = ?",
            (upto_seq, when.astimezone(UTC).isoformat(timespec="seconds"), chat_id),
        )
