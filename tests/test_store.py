import hashlib
import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.articles import parse_article_text, read_article_file
from bot.errors import ArticleNotFound, StoreError
from bot.models import HIGHLIGHT_END, HIGHLIGHT_START, Summary, content_digest
from bot.query import parse_query
from bot.store import SCHEMA_VERSION, Store
from tests.conftest import USER_ARTICLE, article_text

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def make(title: str, body: str = "Plain body text.", **fields):
    return parse_article_text(article_text(title, body=body, **fields))


def titles(store: Store, text: str, limit: int = 10) -> list[str]:
    return [hit.article.title for hit in store.search(parse_query(text), limit)]


@pytest.fixture
def news(store: Store) -> Store:
    store.upsert_articles([
        read_article_file(USER_ARTICLE),
        make("Veldoria refuses the loan", tags="Economy, Veldoria",
             body="The finance minister refused the offer.\n\nTalks resume in May.",
             published="2025-02-01T10:00:00Z", category="Business"),
        make("Café owners protest", tags="Economy, Port Amsel",
             body="Owners of the café district marched on Friday.",
             published="2025-03-01T10:00:00Z", category="Politics"),
        make("Вибори у Вельдорії", tags="Вибори, Veldoria",
             body="Центральна виборча комісія оголосила результати голосування.",
             published="2025-01-15T10:00:00+02:00", category="World news"),
        make("Storm season", tags="Weather", body="Economy of the coast suffers as storms hit.",
             published="2024-12-01T10:00:00Z", category="Science"),
    ])
    return store


def test_fresh_store_has_current_schema(store):
    assert store.schema_version == SCHEMA_VERSION
    assert {"articles", "tags", "article_tags", "articles_fts", "summaries", "chats",
            "subscriptions"} <= set(store.db.table_names())
    hashsize = store.db.execute("SELECT v FROM articles_fts_config WHERE k = 'hashsize'")
    assert hashsize.fetchone() == (16 * 2**20,)


def test_upsert_is_idempotent_and_reports_changes(store):
    article = read_article_file(USER_ARTICLE)
    assert store.upsert_articles([article]).added == [article.id]
    again = store.upsert_articles([article])
    assert (again.added, again.updated, again.unchanged) == ([], [], 1)
    edited = replace(article, body=article.body + "\n\nA new closing paragraph.")
    result = store.upsert_articles([edited])
    assert (result.added, result.updated, result.unchanged) == ([], [article.id], 0)
    assert store.article_count() == 1
    assert store.get_article(article.id).body.endswith("A new closing paragraph.")


def test_update_keeps_search_index_in_sync(store):
    article = make("Harbour news", body="The lighthouse was repainted.")
    store.upsert_articles([article])
    assert titles(store, "lighthouse") == ["Harbour news"]
    store.upsert_articles([replace(article, body="The pier was rebuilt.")])
    assert titles(store, "lighthouse") == []
    assert titles(store, "pier") == ["Harbour news"]
    assert store.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 1


def test_tag_changes_replace_links_and_duplicates_in_one_batch(store):
    article = make("Tagged", tags="One, Two")
    retagged = replace(article, tags=("Two", "Three"))
    result = store.upsert_articles([article, retagged])
    assert (len(result.added), len(result.updated)) == (1, 1)
    assert store.get_article(article.id).tags == ("Two", "Three")
    assert [t.name for t in store.tag_counts()] == ["Three", "Two"]
    assert store.latest(tag="one") == []


def test_get_unknown_article_raises(store):
    with pytest.raises(ArticleNotFound, match="No article with id 'nope'"):
        store.get_article("nope")


def test_latest_is_newest_first_with_filters(news):
    assert [a.title for a in news.latest(3)] == [
        "Café owners protest", "Veldoria refuses the loan", "Вибори у Вельдорії"]
    assert [a.title for a in news.latest(2, offset=1)] == [
        "Veldoria refuses the loan", "Вибори у Вельдорії"]
    assert [a.title for a in news.latest(tag="VELDORIA")] == [
        "Veldoria refuses the loan", "Вибори у Вельдорії"]
    assert [a.title for a in news.latest(category="politics")] == [
        "Café owners protest",
        "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW",
    ]
    assert [a.title for a in news.latest(source="port amsel courier")][:1] == [
        "Café owners protest"]
    assert news.latest(tag="no such tag") == []


def test_search_finds_the_user_article_for_belarus(news):
    hits = news.search(parse_query("Belarus"))
    assert hits[0].article.id == read_article_file(USER_ARTICLE).id
    assert f"{HIGHLIGHT_START}Belarus{HIGHLIGHT_END}" in hits[0].snippet


def test_stemming_diacritics_and_cyrillic(news):
    assert titles(news, "refusing") == [
        "Veldoria refuses the loan",
        "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"]
    assert titles(news, "cafe") == ["Café owners protest"]
    assert titles(news, "голосування") == ["Вибори у Вельдорії"]
    assert titles(news, "ВИБОРЧА") == ["Вибори у Вельдорії"]


def test_title_outranks_tags_outranks_body(store):
    store.upsert_articles([
        make("Quiet week", tags="Harbour", body="Nothing new."),
        make("Body mention", tags="Misc", body="The harbour was busy."),
        make("Harbour dues rise", tags="Misc", body="Fees go up."),
    ])
    assert titles(store, "harbour") == ["Harbour dues rise", "Quiet week", "Body mention"]


def test_search_language(news):
    assert sorted(titles(news, "economy")) == [
        "Café owners protest", "Storm season", "Veldoria refuses the loan"]
    assert sorted(titles(news, "economy -cafe")) == ["Storm season", "Veldoria refuses the loan"]
    assert titles(news, '"finance minister"') == ["Veldoria refuses the loan"]
    assert titles(news, '"minister finance"') == []
    assert titles(news, "Lukash*") == [
        "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"]
    assert titles(news, "economy tag:Veldoria") == ["Veldoria refuses the loan"]
    assert titles(news, "tag:economy category:Politics") == ["Café owners protest"]
    assert titles(news, "tag:economy -tag:veldoria") == ["Café owners protest"]
    assert titles(news, "-economy category:science") == []
    assert titles(news, 'category:"world news"') == ["Вибори у Вельдорії"]


def test_search_filters_in_every_combination(news):
    assert titles(news, "tag:economy tag:veldoria") == ["Veldoria refuses the loan"]
    assert titles(news, "tag:economy category:business") == ["Veldoria refuses the loan"]
    assert titles(news, "tag:economy -owners") == ["Veldoria refuses the loan"]
    assert titles(news, "-tag:economy category:science") == ["Storm season"]
    assert len(titles(news, "-tag:economy")) == 3
    assert titles(news, "economy -tag:veldoria category:science") == ["Storm season"]
    assert titles(news, "economy tag:economy category:politics") == ["Café owners protest"]
    assert titles(news, "economy tag:economy tag:VELDORIA") == ["Veldoria refuses the loan"]
    assert titles(news, 'refus* tag:economy -tag:"port amsel" category:business') == [
        "Veldoria refuses the loan"]
    assert sorted(titles(news, "econom* -tag:veldoria")) == [
        "Café owners protest", "Storm season"]
    assert titles(news, "tag:nosuchtag") == titles(news, "economy tag:nosuchtag") == []


def test_prefix_search_highlights_and_pages(news):
    hits = news.search(parse_query("econ*"), limit=10)
    assert len(hits) == 3
    assert all(f"{HIGHLIGHT_START}Econom" in h.snippet or f"{HIGHLIGHT_START}econom" in h.snippet
               for h in hits)
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    second = news.search(parse_query("econ*"), limit=2, offset=1)
    assert [h.article.id for h in second] == [h.article.id for h in hits[1:]]


def test_search_pages(news):
    everything = titles(news, "tag:economy")
    assert len(everything) == 2
    page_two = news.search(parse_query("tag:economy"), limit=1, offset=1)
    assert [h.article.title for h in page_two] == everything[1:]


HOSTILE = [
    '"', '""', "'", "(", ")", "AND (", "OR", "NOT", "NEAR(", "NEAR(a b, 2)", "*", "**", "a*b",
    "^start", "col:val", "title:x", "{a b}", "a + b", "'; DROP TABLE articles; --",
    '" OR 1=1 --', "\\", "\x00", "\x02\x03", "😀", "🇺🇦 flag", "tag:", "tag:(", 'tag:"',
    "category:*", "-", "--", "-*", "x" * 10_000, "word " * 2_000, "é" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_fail(news, text):
    assert isinstance(news.search(parse_query(text)), list)
    assert news.article_count() == 5  # nothing was dropped


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300) | st.text(alphabet='"*()-:^+ ANDORNEAtagcy', max_size=60))
def test_any_text_whatsoever_gives_results_or_an_empty_list(news, text):
    hits = news.search(parse_query(text), limit=5)
    assert all(hit.article.id for hit in hits)


def test_summaries_are_keyed_by_text_method_and_length(store):
    summary = Summary(("One.", "Two."), "default", "english")
    store.save_summaries([("hash1", 2, summary)])
    assert store.get_summary("hash1", "default", 2) == summary
    assert store.get_summary("hash1", "default", 3) is None
    assert store.get_summary("hash1", "lead", 2) is None
    assert store.get_summary("hash2", "default", 2) is None


def test_subscriptions_are_case_insensitive(store):
    assert store.subscribe(7, ["Economy", "Climate"], NOW) == ["Economy", "Climate"]
    assert store.subscribe(7, ["ECONOMY"], NOW) == []
    assert store.subscriptions(7) == ["Climate", "Economy"]
    assert store.unsubscribe(7, "economy") == "Economy"
    assert store.unsubscribe(7, "economy") is None
    assert store.subscriptions(7) == ["Climate"]
    assert store.stats().subscribers == 1


def assert_index_matches_articles(store: Store) -> None:
    """FTS5 checks its index against the articles table; a stale or doubled row fails."""
    store.db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def test_old_database_upgrades_itself_on_open(tmp_path):
    path = tmp_path / "old.db"
    article = read_article_file(USER_ARTICLE)
    published, tags = article.published.isoformat(), json.dumps(article.tags, ensure_ascii=False)
    first_release_hash = hashlib.blake2b(json.dumps(
        [article.category, published, article.source, article.title, article.subtitle,
         list(article.tags), article.body], ensure_ascii=False).encode(), digest_size=16)
    first_release_form = (published, tags, first_release_hash.hexdigest())
    with Store(path, migrate_to=1) as old:
        # As the first release wrote it: a plain INSERT, indexed by the schema's trigger.
        old.db.execute(
            "INSERT INTO articles (id, category, category_key, source, title, subtitle, tags,"
            " tags_json, body, published, published_ts, content_hash, text_hash, imported_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*Store._row(1, article, first_release_form, "2025-01-01T00:00:00+00:00")[1:],),
        )
        old.db.conn.commit()
        assert old.schema_version == 1
        assert "summaries" not in old.db.table_names()
    with Store(path) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert {"summaries", "chats", "subscriptions"} <= set(upgraded.db.table_names())
        assert titles(upgraded, "Belarus") == [
            "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"]
        assert titles(upgraded, "institute") == [article.title]
        assert upgraded.upsert_articles([article]).unchanged == 1
        edited = replace(article, body="Minsk answered on Tuesday.")
        assert upgraded.upsert_articles([edited]).updated == [article.id]
        assert titles(upgraded, "institute") == []  # only in the old body
        assert titles(upgraded, "Minsk") == [article.title]
        assert_index_matches_articles(upgraded)


def test_stored_content_hash_is_the_digest_of_the_stored_columns(news):
    # Migration 6 recomputes hashes from the columns; an import computes them from articles.
    rows = news.db.execute(
        "SELECT id, content_hash, category, published, source, title, subtitle, tags_json, body"
        " FROM articles").fetchall()
    assert len(rows) == 5
    for article_id, digest, *columns in rows:
        assert digest == content_digest(*columns) == news.get_article(article_id).content_hash


def test_a_batch_indexes_new_rows_once_and_changed_rows_afresh(store):
    kept = make("Kept story", body="Sailors rested.", tags="Port")
    edited = make("Edited story", body="The lighthouse was repainted.", tags="Port, Weather")
    store.upsert_articles([kept, edited])
    fresh = make("Fresh story", body="A ferry arrived.", tags="Port")
    result = store.upsert_articles([
        kept,
        replace(edited, body="The pier was rebuilt.", tags=("Weather",)),
        fresh,
        replace(fresh, body="A ferry sank.", tags=("Ferries",)),  # the last version wins
        make("Fourth story", body="A ferry waited.", tags="ferries"),
    ])
    assert (len(result.added), len(result.updated), result.unchanged) == (2, 2, 1)
    assert_index_matches_articles(store)
    assert store.article_count() == 4
    assert titles(store, "lighthouse") == []
    assert titles(store, "pier") == ["Edited story"]
    assert titles(store, "sank") == ["Fresh story"]
    assert titles(store, "arrived") == []
    assert sorted(titles(store, "ferry")) == ["Fourth story", "Fresh story"]
    assert [a.title for a in store.latest(tag="Port")] == ["Kept story"]
    assert [a.title for a in store.latest(tag="FERRIES")] == ["Fourth story", "Fresh story"]
    assert [(t.name, t.count) for t in store.tag_counts()] == [
        ("Ferries", 2), ("Port", 1), ("Weather", 1)]


def test_many_batches_then_the_same_again_are_unchanged(store):
    batches = [
        [make(f"Story {b}-{n}", body=f"Word{b}x{n} and harbour news.", tags=f"Tag{n % 3}",
              published=f"2025-01-{1 + b:02d}T{n % 24:02d}:00:00Z")
         for n in range(40)]
        for b in range(5)
    ]
    assert sum(len(store.upsert_articles(batch).added) for batch in batches) == 200
    assert [store.upsert_articles(batch).unchanged for batch in batches] == [40] * 5
    assert_index_matches_articles(store)
    assert titles(store, "word3x17") == ["Story 3-17"]
    assert len(store.search(parse_query("harbour tag:tag1"), 100)) == 65
    summary = Summary(("Harbour news.",), "default", "english")
    article = batches[2][5]
    store.save_summaries([(article.text_hash, 3, summary)])
    assert store.upsert_articles([replace(article, tags=("Other",))]).updated == [article.id]
    assert store.missing_summaries([article.id], "default", 3) == []  # same title and body


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


def test_word_search_ranks_only_the_newest_matches_of_a_large_result(store, monkeypatch):
    monkeypatch.setattr("bot.store.RANK_WINDOW", 2)
    store.upsert_articles([make(f"Harbour {n}", tags="Port") for n in range(5)])
    assert sorted(titles(store, "harbour")) == ["Harbour 3", "Harbour 4"]
    assert len(titles(store, "harbour tag:port")) == 5  # filtered searches see every match
