import sqlite3
from dataclasses import replace

import pytest

from bot.errors import StoreError
from bot.store import SCHEMA_VERSION, Store
from tests.store.conftest import assert_index_matches_articles, make, titles


def test_fresh_store_has_current_schema(store):
    assert store.schema_version == SCHEMA_VERSION
    assert {"articles", "tags", "article_tags", "articles_fts", "summaries", "chats",
            "subscriptions"} <= set(store.db.table_names())
    hashsize = store.db.execute("SELECT v FROM articles_fts_config WHERE k = 'hashsize'")
    assert hashsize.fetchone() == (16 * 2**20,)


# The first release's schema and one article as it wrote them, literally.
FIRST_RELEASE = """
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
    category_key TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL,
    subtitle TEXT NOT NULL, tags TEXT NOT NULL, tags_json TEXT NOT NULL, body TEXT NOT NULL,
    published TEXT NOT NULL, published_ts INTEGER NOT NULL, content_hash TEXT NOT NULL,
    text_hash TEXT NOT NULL, imported_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX articles_newest ON articles (published_ts DESC, seq DESC);
CREATE INDEX articles_category_newest ON articles (category_key, published_ts DESC, seq DESC);
CREATE INDEX articles_source_newest ON articles (source, published_ts DESC, seq DESC);
CREATE TABLE tags (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE article_tags (
    article_seq INTEGER NOT NULL REFERENCES articles (seq),
    tag_id INTEGER NOT NULL REFERENCES tags (id),
    published_ts INTEGER NOT NULL,
    PRIMARY KEY (article_seq, tag_id)
) WITHOUT ROWID;
CREATE INDEX article_tags_newest ON article_tags (tag_id, published_ts DESC, article_seq);
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, subtitle, tags, body,
    content='articles', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
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
    id INTEGER PRIMARY KEY, finished_at TEXT NOT NULL, added INTEGER NOT NULL,
    updated INTEGER NOT NULL, unchanged INTEGER NOT NULL, failed INTEGER NOT NULL
);
INSERT INTO articles VALUES (
    1, '85b7f0e9b12aca77', 'World news', 'world news', 'Port Amsel Courier',
    'Harbour reopens after storm', 'Harbour reopens after storm', 'Port Amsel, Weather',
    '["Port Amsel", "Weather"]',
    'The harbour reopened on Monday.' || char(10, 10) || 'Ships queued outside since Friday.',
    '2025-03-01T09:30:00+02:00', 1740814200,
    '6be2db62492759fc34b6083a303d5e0a',  -- blake2b of the whole article as one JSON list
    'b039abb1eff3373e5459dfd2e09ff00e', '2025-03-02T00:00:00+00:00', '2025-03-02T00:00:00+00:00'
);
INSERT INTO tags VALUES (1, 'port amsel', 'Port Amsel'), (2, 'weather', 'Weather');
INSERT INTO article_tags VALUES (1, 1, 1740814200), (1, 2, 1740814200);
PRAGMA user_version = 1;
"""


def test_first_release_database_upgrades_itself_on_open(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(FIRST_RELEASE)
    old.close()
    article = make("Harbour reopens after storm",
                   body="The harbour reopened on Monday.\n\nShips queued outside since Friday.")
    with Store(path) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert {"summaries", "chats", "subscriptions", "deliveries", "chat_claims"} <= set(
            upgraded.db.table_names())
        assert titles(upgraded, "queued") == ["Harbour reopens after storm"]
        assert [a.title for a in upgraded.latest(tag="weather")] == [article.title]
        assert upgraded.upsert_articles([article]).unchanged == 1  # hash recomputed
        edited = replace(article, body="The pier was rebuilt.")
        assert upgraded.upsert_articles([edited]).updated == [article.id]
        assert titles(upgraded, "queued") == []  # only in the old body
        assert titles(upgraded, "pier") == [article.title]
        assert_index_matches_articles(upgraded)
        # Feeds' tables and the article's new columns: no URL, no feed, a story of its own.
        assert upgraded.get_article(article.id).url == ""
        assert upgraded.feeds() == []
        assert upgraded.story_keys([article.id]) == {article.id: article.id}


def test_database_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer newsbot"):
        Store(path)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="Cannot open database"):
        Store(path)


def test_file_store_uses_wal(tmp_path):
    with Store(tmp_path / "news.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
