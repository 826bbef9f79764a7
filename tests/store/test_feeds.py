"""Feeds and their state, a poll's articles saved in one go, story keys, pruning."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.duplicate import band_keys, story_signature
from bot.feeds.errors import FeedAlreadyFollowed
from bot.feeds.model import FeedSettings, FeedState, Validators
from bot.models import Article
from bot.store import Store, StoryPrint
from tests.conftest import WIRE
from tests.store.conftest import assert_index_matches_articles, titles

NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)


def article(url: str, title: str = "Central bank holds rates", body: str = WIRE,
            source: str = "Courier", published: datetime = NOW) -> Article:
    from bot.feeds.entry import article_id

    return Article(id=article_id(url, "", ""), category="Economy", published=published,
                   source=source, title=title, subtitle="", tags=("Rates",), body=body,
                   url=url)


def prints(*articles: Article) -> list[StoryPrint]:
    found = []
    for a in articles:
        signature = story_signature(a.title, a.body)
        found.append(StoryPrint(a.id, signature.to_bytes(), band_keys(signature)))
    return found


def save(store: Store, feed_id: int, *articles: Article, title: str = ""):
    state = FeedState(store.get_feed(feed_id).state.url, last_status="ok",
                      next_poll=NOW + timedelta(minutes=15), last_success=NOW)
    return store.save_feed_poll(feed_id, state, title, list(articles), prints(*articles), NOW)


def follow(store: Store, url: str, **settings) -> int:
    return store.add_feed(FeedSettings(url, **settings), NOW).id


def test_a_feed_is_stored_due_at_once_and_found_by_url(store):
    feed = store.add_feed(FeedSettings("http://a.example/rss", name="A", tags=("X", "Y"),
                                       category="News", interval=timedelta(minutes=30),
                                       full_text=True), NOW)
    assert feed.settings == FeedSettings("http://a.example/rss", "A", ("X", "Y"), "News",
                                         timedelta(minutes=30), True, "http://a.example/rss")
    assert feed.state.next_poll == NOW and feed.articles == 0 and feed.status == "ok"
    assert store.due_feeds(NOW) == [feed]
    assert store.due_feeds(NOW - timedelta(seconds=1)) == []
    assert store.find_feed("http://a.example/rss") == feed
    with pytest.raises(FeedAlreadyFollowed) as raised:
        store.add_feed(FeedSettings("http://a.example/rss"), NOW)
    assert raised.value.feed_id == feed.id


def test_saved_state_round_trips_and_a_moved_feed_keeps_its_key(store):
    feed_id = follow(store, "http://a.example/rss")
    state = FeedState("http://a.example/moved", Validators('"v1"', "Mon, 09 Jun 2025"),
                      failures=3, last_status="failed", last_error="http_500",
                      last_success=NOW - timedelta(days=1), next_poll=NOW + timedelta(hours=2),
                      alerted=True)
    store.save_feed_poll(feed_id, state, "The A Times", [], [], NOW)
    feed = store.get_feed(feed_id)
    assert feed.state == state
    assert feed.title == "The A Times" and feed.last_polled == NOW and feed.status == "error"
    assert feed.settings.url == "http://a.example/moved"
    assert feed.settings.key == "http://a.example/rss"
    assert store.find_feed("http://a.example/rss") == feed  # by the URL first added with
    assert store.due_feeds(NOW + timedelta(hours=1)) == []


def test_a_gone_feed_is_never_due(store):
    feed_id = follow(store, "http://a.example/rss")
    gone = FeedState("http://a.example/rss", last_status="gone", failures=1, next_poll=None)
    store.save_feed_poll(feed_id, gone, "", [], [], NOW)
    assert store.get_feed(feed_id).status == "disabled"
    assert store.due_feeds(NOW + timedelta(days=365)) == []


def test_the_same_page_in_two_feeds_is_one_article_owned_by_the_first(store):
    first, second = follow(store, "http://a.example/rss"), follow(store, "http://b.example/rss")
    page = article("http://news.example/story", source="A")
    assert save(store, first, page).added == [page.id]
    again = save(store, second, replace(page, source="B", tags=("Other",)))
    assert (again.added, again.updated, again.unchanged) == ([], [], 1)
    stored = store.get_article(page.id)
    assert (stored.source, stored.url) == ("A", "http://news.example/story")
    assert store.article_count() == 1
    assert [f.articles for f in store.feeds()] == [1, 0]


def test_near_identical_copies_share_a_story_and_latest_shows_it_once(store):
    first, second = follow(store, "http://a.example/rss"), follow(store, "http://b.example/rss")
    original = article("http://a.example/1", source="Courier")
    copy = article("http://b.example/2", title="Norvaland central bank holds rates",
                   body=WIRE.replace("Markets had", "Traders had"), source="Herald",
                   published=NOW + timedelta(hours=1))
    other = article("http://b.example/3", title="Ferry ordered", source="Herald",
                    body="Caldessa Lines has ordered two battery-electric ferries. " * 9)
    save(store, first, original)
    save(store, second, copy, other)
    keys = store.story_keys([original.id, copy.id, other.id])
    assert keys == {original.id: original.id, copy.id: original.id, other.id: other.id}
    assert [a.id for a in store.latest(10)] == [copy.id, other.id]
    assert [a.id for a in store.latest(10, tag="Rates")] == [copy.id, other.id]
    assert store.story_copies([copy.id, other.id]) == {copy.id: ["Courier"]}
    assert store.get_article(original.id).title == "Central bank holds rates"  # still stored


def test_copies_days_apart_are_separate_stories(store):
    feed_id = follow(store, "http://a.example/rss")
    first = article("http://a.example/1")
    late = article("http://a.example/2", published=NOW + timedelta(days=3))
    save(store, feed_id, first, late)
    assert store.story_keys([first.id, late.id]) == {first.id: first.id, late.id: late.id}


def test_prune_deletes_old_articles_everywhere_and_they_never_come_back(store):
    feed_id = follow(store, "http://a.example/rss")
    old = article("http://a.example/old", title="Old harbour news",
                  published=NOW - timedelta(days=40))
    new = article("http://a.example/new", title="New harbour news", body="Fresh. " * 60)
    save(store, feed_id, old, new)
    store.subscribe(7, ["Rates"], NOW - timedelta(days=50))
    store.record_deliveries([(7, [old.id], None)])
    from bot.models import Summary

    store.save_summaries([(old.text_hash, 3, Summary(("Old.",), "default", "english"))])
    assert store.prune(NOW - timedelta(days=30)) == 1
    assert store.article_count() == 1
    assert titles(store, "harbour") == ["New harbour news"]
    assert_index_matches_articles(store)
    assert store.delivered_ids(7) == []
    assert store.get_summary(old.text_hash, "default", 3) is None
    # The feed still carries the old entry: it does not come back, nor reach a digest.
    assert save(store, feed_id, old, new).unchanged == 2
    assert store.article_count() == 1
    assert store.prune(NOW - timedelta(days=30)) == 0


def test_seqs_are_not_reused_after_the_newest_import_is_pruned(store):
    feed_id = follow(store, "http://a.example/rss")
    save(store, feed_id, article("http://a.example/1"))
    stale = article("http://a.example/2", published=NOW - timedelta(days=400))
    save(store, feed_id, stale)
    _, newest_seq = store.digest_window(1)
    store.prune(NOW - timedelta(days=30))
    fresh = article("http://a.example/3", title="Fresh", body="New. " * 60)
    save(store, feed_id, fresh)
    assert store.digest_window(1)[1] == newest_seq + 1
