"""Migrations 8 onwards: claims, recency ranking, languages, feeds, stories, pruning, alerts,
delivery modes, forum topics and channels."""

from __future__ import annotations

import sqlite_utils

from bot.analysis import article_forms
from bot.store.migrations.script import TOKENIZER, run_script


def migration_8(db: sqlite_utils.Database) -> None:
    """Per-chat digest claims: one sender at a time builds and delivers a chat's digest; a
    claim left by a crashed sender expires."""
    run_script(
        db,
        """
        CREATE TABLE chat_claims (
            chat_id INTEGER PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_ts INTEGER NOT NULL         -- seconds since the epoch
        );
        """,
    )


def migration_9(db: sqlite_utils.Database) -> None:
    """Publication time by seq from a small index, for ranking search matches by recency."""
    db.execute("CREATE INDEX articles_published_by_seq ON articles (seq, published_ts)")


def migration_10(db: sqlite_utils.Database) -> None:
    """The default summariser now keeps pointing-back sentences with their antecedent and
    summaries within about 600 characters: drop the stored ones it made before, so each is
    made again on first use (or by ``import --summarise``)."""
    db.execute("DELETE FROM summaries WHERE method = 'default'")


def migration_11(db: sqlite_utils.Database) -> None:
    """Each chat's interface language (a code such as "uk"); NULL until someone writes."""
    db.execute("ALTER TABLE chats ADD COLUMN language TEXT")


def migration_12(db: sqlite_utils.Database) -> None:
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
    run_script(
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


def migration_13(db: sqlite_utils.Database) -> None:
    """Articles keep their page's canonical address (``url``, '' for articles from files) and
    the feed that brought them (``feed_id``, NULL for files): another feed carrying the same
    page leaves the article as that feed wrote it."""
    run_script(
        db,
        """
        ALTER TABLE articles ADD COLUMN url TEXT NOT NULL DEFAULT '';
        ALTER TABLE articles ADD COLUMN feed_id INTEGER;
        """,
    )


def migration_14(db: sqlite_utils.Database) -> None:
    """Followed feeds: the admin's settings and each feed's poll state."""
    run_script(
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


def migration_15(db: sqlite_utils.Database) -> None:
    """Stories: near-identical copies from different outlets share a story key (the id of the
    story's first copy; NULL: a story of its own). MinHash signatures and their LSH band keys
    find a new article's earlier copies with indexed lookups."""
    run_script(
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


def migration_16(db: sqlite_utils.Database) -> None:
    """Pruned articles: their ids, so a feed still carrying one does not bring it back (to be
    sent again), and the highest seq ever used, so seqs are never reused below a chat's
    digest watermark."""
    run_script(
        db,
        """
        CREATE TABLE pruned_articles (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            pruned_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )


def migration_17(db: sqlite_utils.Database) -> None:
    """Saved searches (alerts) per chat, and the new articles each matched when they were
    imported, waiting for the chat's next delivery (one row per alert that matched)."""
    run_script(
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


def migration_18(db: sqlite_utils.Database) -> None:
    """How news reaches each chat: its delivery mode (instant, hourly or daily), its quiet
    hours (local HH:MM start and end; NULL: none) and whether messages arrive silently."""
    run_script(
        db,
        """
        ALTER TABLE chats ADD COLUMN delivery TEXT NOT NULL DEFAULT 'daily';
        ALTER TABLE chats ADD COLUMN quiet_start TEXT;
        ALTER TABLE chats ADD COLUMN quiet_end TEXT;
        ALTER TABLE chats ADD COLUMN silent INTEGER NOT NULL DEFAULT 0;
        """,
    )


def migration_19(db: sqlite_utils.Database) -> None:
    """Where news goes beyond a chat itself. A forum topic is a destination of its own: a
    ``topics`` row whose id (from ``TOPIC_IDS_FROM``, above every Telegram chat id) keys its
    ``chats`` row, subscriptions, alerts and deliveries like a chat's. A channel is managed
    from a private chat: ``channels`` names it, ``channel_managers`` lists who selected it,
    and a private chat's ``managing`` is the channel its settings commands apply to."""
    run_script(
        db,
        """
        CREATE TABLE topics (
            id INTEGER PRIMARY KEY,             -- the topic's destination id
            chat_id INTEGER NOT NULL,           -- the forum supergroup
            thread_id INTEGER NOT NULL,         -- Telegram's message_thread_id
            UNIQUE (chat_id, thread_id)
        );
        CREATE TABLE channels (
            chat_id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            username TEXT                       -- without "@"; NULL for a private channel
        );
        CREATE TABLE channel_managers (
            user_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (user_id, channel_id)
        ) WITHOUT ROWID;
        ALTER TABLE chats ADD COLUMN managing INTEGER;
        """,
    )
