"""Migrations 1-7: the first release's schema (articles, summaries, chats, deliveries)."""

from __future__ import annotations

import sqlite_utils

from bot.models import content_digest
from bot.store.migrations.script import TOKENIZER, run_script


def migration_1(db: sqlite_utils.Database) -> None:
    """Articles, tags and their links; FTS5 kept in sync by triggers (see migration 5)."""
    run_script(
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


def migration_2(db: sqlite_utils.Database) -> None:
    """Summaries, keyed by the text they were made from, the method and the length."""
    run_script(
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


def migration_3(db: sqlite_utils.Database) -> None:
    """Chats and their tag subscriptions."""
    run_script(
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


def migration_4(db: sqlite_utils.Database) -> None:
    """Digest deliveries: which article reached which chat, recorded after Telegram accepted."""
    run_script(
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


def migration_5(db: sqlite_utils.Database) -> None:
    """The store indexes new and changed articles itself, a batch at a time: row triggers
    made FTS5 flush its pending terms for every article. The delete trigger stays."""
    db.execute("DROP TRIGGER articles_ai")
    db.execute("DROP TRIGGER articles_au")


def migration_6(db: sqlite_utils.Database) -> None:
    """Content hashes in the cheaper form of ``content_digest``, which no longer escapes the
    body as JSON, recomputed from the stored columns so a re-import stays unchanged."""
    db.conn.create_function("newsbot_content_digest", 7, content_digest, deterministic=True)
    db.execute(
        "UPDATE articles SET content_hash = newsbot_content_digest("
        "category, published, source, title, subtitle, tags_json, body)"
    )


def migration_7(db: sqlite_utils.Database) -> None:
    """FTS5 keeps up to 16 MiB of new terms in memory (default 1 MiB), so a batch of 2,000
    articles is written as one segment, not several that must be merged again."""
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 16777216)")
