"""The feed service: a poll's entries saved as articles once, summarised on arrival; one
story once in latest, search and digests, naming the other outlets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

import pytest

from bot.feeds.errors import AddressRefused, FeedAlreadyFollowed, FeedNotFound
from bot.feeds.model import FeedSettings, FetchOutcome, FetchResult, PollResult
from bot.feeds.parsing import parse_feed
from bot.feeds.poll import advance_state
from bot.models import Summary
from bot.service import NewsService
from tests.conftest import WIRE

NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)
FERRY = (
    "Caldessa Lines has ordered two battery-electric ferries for its crossing to Norvaland, "
    "the company said on Tuesday, in a deal worth about 140 million euros. The ships, to be "
    "built at the Harwick yard, will each carry 600 passengers and 120 cars and recharge in "
    "twenty minutes at either end of the ninety-minute route."
)


def rss(title: str, *items: tuple[str, str, str, str]) -> bytes:
    """An RSS 2.0 feed of (title, link, description, pubDate) items."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<description>{escape(text)}</description><category>Economy</category>"
        + (f"<pubDate>{date}</pubDate>" if date else "") + "</item>"
        for t, link, text, date in items
    )
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{escape(title)}</title>"
            f"{body}</channel></rss>").encode()


def polled(service: NewsService, feed_id: int, document: bytes, now: datetime = NOW):
    """Save a successful poll of ``document`` for the feed, as the poller would."""
    feed = service.get_feed(str(feed_id))
    fetch = FetchResult(feed.state.url, FetchOutcome.OK, 200, final_url=feed.state.url)
    parsed = parse_feed(document, feed.state.url, settings=feed.settings, first_seen=now)
    state, alert = advance_state(feed.state, fetch, feed.settings, now)
    result = PollResult(feed.settings, fetch, state, parsed, parsed.entries, alert)
    return service.save_poll(feed_id, result, now)


def failed_poll(service: NewsService, feed_id: int, now: datetime = NOW, status: int = 500):
    feed = service.get_feed(str(feed_id))
    outcome = FetchOutcome.GONE if status == 410 else FetchOutcome.FAILED
    fetch = FetchResult(feed.state.url, outcome, status, error=f"http_{status}")
    state, alert = advance_state(feed.state, fetch, feed.settings, now)
    return service.save_poll(feed_id, PollResult(feed.settings, fetch, state, alert=alert), now)


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def service(store, calls) -> NewsService:
    def summarise(text: str, sentences: int = 3, method: str = "default",
                  language: str | None = None, title: str = "") -> Summary:
        calls.append(title)
        return Summary((text.split(". ")[0] + ".",), method, "english")

    return NewsService(store, summarise=summarise, clock=lambda: NOW)


DATE = "Wed, 11 Jun 2025 09:00:00 +0000"
LATER = "Wed, 11 Jun 2025 10:30:00 +0000"


def test_add_list_get_and_remove_a_feed(service):
    feed = service.add_feed(FeedSettings(" http://a.example/rss ", tags=("x", "X", " y ")))
    assert (feed.id, feed.settings.url, feed.settings.tags) == (1, "http://a.example/rss",
                                                                 ("x", "y"))
    assert service.get_feed("1") == service.get_feed("http://a.example/rss") == feed
    with pytest.raises(FeedAlreadyFollowed):
        service.add_feed(FeedSettings("http://a.example/rss"))
    with pytest.raises(AddressRefused):
        service.add_feed(FeedSettings("file:///etc/passwd"))
    assert service.remove_feed("http://a.example/rss") == feed
    assert service.list_feeds() == []
    with pytest.raises(FeedNotFound):
        service.get_feed("1")


def test_a_poll_adds_then_is_unchanged_then_updates_an_edited_entry(service, store, calls):
    feed_id = service.add_feed(FeedSettings("http://a.example/rss")).id
    first = polled(service, feed_id, rss("Courier", ("Rates held", "/rates", WIRE, DATE)))
    assert (first.status, first.added, first.updated, first.unchanged) == ("ok", 1, 0, 0)
    assert calls == ["Rates held"]  # summarised on arrival
    article = service.latest(1)[0]
    assert (article.url, article.source) == ("http://a.example/rates", "Courier")
    assert store.get_summary(article.text_hash, "default", 3) is not None
    again = polled(service, feed_id, rss("Courier", ("Rates held", "/rates", WIRE, DATE)))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    edited = polled(service, feed_id,
                    rss("Courier", ("Rates held", "/rates", WIRE + " Shares rose.", DATE)))
    assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 0)
    assert calls == ["Rates held", "Rates held"]
    feed = service.get_feed(str(feed_id))
    assert (feed.title, feed.articles, feed.status) == ("Courier", 1, "ok")


def test_a_title_only_entry_is_stored_without_a_summary(service, store, calls):
    feed_id = service.add_feed(FeedSettings("http://a.example/rss")).id
    report = polled(service, feed_id, rss("Courier", ("Just a headline", "/h", "", DATE)))
    assert (report.status, report.added, report.error) == ("ok", 1, None)
    article = service.latest(1)[0]
    assert (article.title, article.body) == ("Just a headline", "")
    assert calls == []
    assert store.get_summary(article.text_hash, "default", 3) is None


def test_the_same_page_in_two_feeds_is_one_article(service):
    a = service.add_feed(FeedSettings("http://a.example/rss")).id
    b = service.add_feed(FeedSettings("http://b.example/rss")).id
    item = ("Rates held", "http://news.example/rates?utm_source=a#top", WIRE, DATE)
    assert polled(service, a, rss("Courier", item)).added == 1
    report = polled(service, b, rss("Herald", (*item[:1], "http://news.example/rates",
                                               *item[2:])))
    assert (report.added, report.unchanged) == (0, 1)
    assert [(x.source, x.url, x.also) for x in service.latest(10)] == [
        ("Courier", "http://news.example/rates", ())]


def test_a_near_duplicate_story_is_shown_once_naming_the_other_outlet(service):
    a = service.add_feed(FeedSettings("http://a.example/rss")).id
    b = service.add_feed(FeedSettings("http://b.example/rss", name="Herald")).id
    polled(service, a, rss("Courier", ("Central bank holds rates", "/1", WIRE, DATE)))
    polled(service, b, rss("ignored", ("Norvaland central bank holds rates", "/2",
                                       WIRE.replace("Markets had", "Traders had"), LATER),
                           ("Ferry operator orders two ships", "/3", FERRY, DATE)))
    latest = service.latest(10)
    assert [(x.title, x.source, x.also) for x in latest] == [
        ("Norvaland central bank holds rates", "Herald", ("Courier",)),
        ("Ferry operator orders two ships", "Herald", ()),
    ]
    page = service.search("central bank")
    assert [(h.article.source, h.article.also) for h in page.hits] == [("Herald", ("Courier",))]
    # Each copy is still stored and can be opened.
    opened = service.article(service.search("Markets").hits[0].article.id)
    assert opened.source == "Courier" and opened.url == "http://a.example/1"


def test_a_chat_gets_a_story_once_even_from_a_later_outlet(service):
    a = service.add_feed(FeedSettings("http://a.example/rss")).id
    b = service.add_feed(FeedSettings("http://b.example/rss")).id
    service.subscribe(7, "Economy")
    polled(service, a, rss("Courier", ("Central bank holds rates", "/1", WIRE, DATE)))
    digest = service.build_digest(7)
    assert [(i.article.source, i.article.also) for i in digest.items] == [("Courier", ())]
    service.record_deliveries([(7, [i.article.id for i in digest.items],
                                (digest.upto_seq, NOW))])
    polled(service, b, rss("Herald", ("Norvaland central bank holds rates", "/2", WIRE, LATER),
                           ("Ferry operator orders two ships", "/3", FERRY, LATER)))
    assert [i.article.title for i in service.build_digest(7).items] == [
        "Ferry operator orders two ships"]


def test_failures_are_reported_with_one_alert_and_410_disables(service):
    feed_id = service.add_feed(FeedSettings("http://a.example/rss")).id
    reports = [failed_poll(service, feed_id, NOW + timedelta(hours=n)) for n in range(4)]
    assert [(r.status, r.error, r.alert) for r in reports] == [
        ("error", "http_500", None), ("error", "http_500", None),
        ("error", "http_500", "failing"), ("error", "http_500", None)]
    recovered = polled(service, feed_id, rss("Courier", ("Rates held", "/1", WIRE, DATE)))
    assert (recovered.status, recovered.alert) == ("ok", "recovered")
    gone = failed_poll(service, feed_id, status=410)
    assert (gone.status, gone.error) == ("disabled", "http_410")
    assert service.get_feed(str(feed_id)).status == "disabled"
    assert service.due_feeds(NOW + timedelta(days=30)) == []


def test_keep_days_prunes_old_articles_and_a_feed_never_brings_them_back(store):
    service = NewsService(store, summarise=lambda *a, **k: Summary((), "default", "english"),
                          clock=lambda: NOW, keep_days=30)
    feed_id = service.add_feed(FeedSettings("http://a.example/rss")).id
    old = ("Old rates story", "/old", WIRE, "Sat, 01 Mar 2025 09:00:00 +0000")
    polled(service, feed_id, rss("Courier", old, ("Ferry", "/3", FERRY, DATE)))
    assert service.prune_expired(NOW) == 1
    assert [a.title for a in service.latest(10)] == ["Ferry"]
    report = polled(service, feed_id, rss("Courier", old, ("Ferry", "/3", FERRY, DATE)))
    assert (report.added, report.unchanged) == (0, 2)
    assert [a.title for a in service.latest(10)] == ["Ferry"]
