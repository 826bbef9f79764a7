from dataclasses import replace

import pytest

from bot.articles import read_article_file
from bot.errors import ArticleNotFound
from bot.models import Summary
from bot.query import parse_query
from tests.conftest import USER_ARTICLE
from tests.store.conftest import assert_index_matches_articles, make, titles


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
