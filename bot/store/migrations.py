"""The schema's history: one function per migration, oldest first, in ``MIGRATIONS``; the
store's ``PRAGMA user_version`` counts those applied (``bot.store.schema`` runs them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

from bot.analysis import article_forms
from bot.models import content_digest

TOKENIZER = "porter unicode61 remove_diacritics 2"


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Run a script one statement at a time: ``executescript`` would commit the migration's
    transaction first, so a failed migration could leave half a schema."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _migration_1(db: sqlite_utils.Database) -> None:
    """Articles, tags and their links; FTS5 kept in sync by triggers (see migration 5)."""
    _run(
        db,
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
            content='articles', content_rowid='seq', tokenize='{TOKENIZER}'
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
        """,
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Summaries, keyed by the text they were made from, the method and the length."""
    _run(
        db,
        """
        CREATE TABLE summaries (
            text_hash TEXT NOT NULL,
            method TEXT NOT NULL,
            sentences INTEGER NOT NULL,
            language TEXT NOT NULL,
            summary_json TEXT NOT NULL,
            PRIMARY KEY (text_hash, method, sentences)
        ) WITHOUT ROWID;
        """,
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Chats and their tag subscriptions."""
    _run(
        db,
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
        """,
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """Digest deliveries: which article reached which chat, recorded after Telegram accepted."""
    _run(
        db,
        """
        CREATE TABLE deliveries (
            chat_id INTEGER NOT NULL REFERENCES chats (chat_id),
            article_seq INTEGER NOT NULL REFERENCES articles (seq),
            delivered_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, article_seq)
        ) WITHOUT ROWID;
        """,
    )


def _migration_5(db: sqlite_utils.Database) -> None:
    """The store indexes new and changed articles itself, a batch at a time: row triggers
    made FTS5 flush its pending terms for every article. The delete trigger stays."""
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


def _migration_8(db: sqlite_utils.Database) -> None:
    """Per-chat digest claims: one sender at a time builds and delivers a chat's digest; a
    claim left by a crashed sender expires."""
    _run(
        db,
        """
        CREATE TABLE chat_claims (
            chat_id INTEGER PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_ts INTEGER NOT NULL         -- seconds since the epoch
        );
        """,
    )


def _migration_9(db: sqlite_utils.Database) -> None:
    """Publication time by seq from a small index, for ranking search matches by recency."""
    db.execute("CREATE INDEX articles_published_by_seq ON articles (seq, published_ts)")


def _migration_10(db: sqlite_utils.Database) -> None:
    """The default summariser now keeps pointing-back sentences with their antecedent and
    summaries within about 600 characters: drop the stored ones it made before, so each is
    made again on first use (or by ``import --summarise``)."""
    db.execute("DELETE FROM summaries WHERE method = 'default'")


def _migration_11(db: sqlite_utils.Database) -> None:
    """Each chat's interface language (a code such as "uk"); NULL until someone writes."""
    db.execute("ALTER TABLE chats ADD COLUMN language TEXT")


def _migration_12(db: sqlite_utils.Database) -> None:
    """Ukrainian and Russian word forms (``bot.analysis``) in four columns beside the raw
    text, indexed with it; every stored article is analysed and the index rebuilt."""
    form_columns = ("title_forms", "subtitle_forms", "tags_forms", "body_forms")
    for column in form_columns:
        db.execute(f"ALTER TABLE articles ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    last = 0
    while True:  # a batch at a time: a large store's text need not fit in memory
        rows = db.execute(
            "SELECT seq, title, subtitle, tags, body FROM articles WHERE seq > ?"
            " ORDER BY seq LIMIT 2000", (last,)
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        db.conn.executemany(
            "UPDATE articles SET title_forms = ?, subtitle_forms = ?, tags_forms = ?,"
            " body_forms = ? WHERE seq = ?",
            [(*forms, seq) for seq, *texts in rows if any(forms := article_forms(*texts))],
        )
    columns = "title, subtitle, tags, body, " + ", ".join(form_columns)
    old = ", ".join(f"old.{c}" for c in columns.split(", "))
    _run(
        db,
        f"""
        DROP TRIGGER articles_ad;
        DROP TABLE articles_fts;
        CREATE VIRTUAL TABLE articles_fts USING fts5 (
            {columns},
            content='articles', content_rowid='seq', tokenize='{TOKENIZER}'
        );
        INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 16777216);
        INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, {columns})
            VALUES ('delete', old.seq, {old});
        END;
        """,
    )


def _migration_13(db: sqlite_utils.Database) -> None:
    """Articles keep their page's canonical address (``url``, '' for articles from files) and
    the feed that brought them (``feed_id``, NULL for files): another feed carrying the same
    page leaves the article as that feed wrote it."""
    _run(
        db,
        """
        ALTER TABLE articles ADD COLUMN url TEXT NOT NULL DEFAULT '';
        ALTER TABLE articles ADD COLUMN feed_id INTEGER;
        """,
    )


def _migration_14(db: sqlite_utils.Database) -> None:
    """Followed feeds: the admin's settings and each feed's poll state."""
    _run(
        db,
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,           -- the URL first added with: GUID ids use it
            url TEXT NOT NULL UNIQUE,           -- where to fetch now (a 301/308 moves it)
            name TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',     -- the feed's own title
            tags_json TEXT NOT NULL,
            category TEXT NOT NULL,
            interval_seconds INTEGER NOT NULL,
            full_text INTEGER NOT NULL,
            etag TEXT,
            last_modified TEXT,
            last_status TEXT NOT NULL DEFAULT '',
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            last_success TEXT,
            last_polled TEXT,
            next_poll_ts INTEGER,               -- NULL: disabled (410)
            alerted INTEGER NOT NULL DEFAULT 0,
            articles INTEGER NOT NULL DEFAULT 0,  -- articles this feed added
            added_at TEXT NOT NULL
        );
        CREATE INDEX feeds_due ON feeds (next_poll_ts) WHERE next_poll_ts IS NOT NULL;
        """,
    )


def _migration_15(db: sqlite_utils.Database) -> None:
    """Stories: near-identical copies from different outlets share a story key (the id of the
    story's first copy; NULL: a story of its own). MinHash signatures and their LSH band keys
    find a new article's earlier copies with indexed lookups."""
    _run(
        db,
        """
        ALTER TABLE articles ADD COLUMN story TEXT;
        CREATE INDEX articles_story ON articles (story, published_ts DESC, seq DESC)
            WHERE story IS NOT NULL;
        CREATE TABLE story_signatures (
            article_seq INTEGER PRIMARY KEY,
            signature BLOB NOT NULL
        );
        CREATE TABLE story_bands (
            band_key INTEGER NOT NULL,
            article_seq INTEGER NOT NULL,
            PRIMARY KEY (band_key, article_seq)
        ) WITHOUT ROWID;
        """,
    )


def _migration_16(db: sqlite_utils.Database) -> None:
    """Pruned articles: their ids, so a feed still carrying one does not bring it back (to be
    sent again), and the highest seq ever used, so seqs are never reused below a chat's
    digest watermark."""
    _run(
        db,
        """
        CREATE TABLE pruned_articles (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            pruned_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )


def _migration_17(db: sqlite_utils.Database) -> None:
    """Saved searches (alerts) per chat, and the new articles each matched when they were
    imported, waiting for the chat's next delivery (one row per alert that matched)."""
    _run(
        db,
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            query TEXT NOT NULL,                -- as the user wrote it, whitespace collapsed
            created_at TEXT NOT NULL,
            UNIQUE (chat_id, query)
        );
        CREATE TABLE alert_matches (
            chat_id INTEGER NOT NULL,
            article_seq INTEGER NOT NULL,
            alert_id INTEGER NOT NULL,
            PRIMARY KEY (chat_id, article_seq, alert_id)
        ) WITHOUT ROWID;
        """,
    )


def _migration_18(db: sqlite_utils.Database) -> None:
    """How news reaches each chat: its delivery mode (instant, hourly or daily), its quiet
    hours (local HH:MM start and end; NULL: none) and whether messages arrive silently."""
    _run(
        db,
        """
        ALTER TABLE chats ADD COLUMN delivery TEXT NOT NULL DEFAULT 'daily';
        ALTER TABLE chats ADD COLUMN quiet_start TEXT;
        ALTER TABLE chats ADD COLUMN quiet_end TEXT;
        ALTER TABLE chats ADD COLUMN silent INTEGER NOT NULL DEFAULT 0;
        """,
    )


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    _migration_9,
    _migration_10,
    _migration_11,
    _migration_12,
    _migration_13,
    _migration_14,
    _migration_15,
    _migration_16,
    _migration_17,
    _migration_18,
)
