"""One poll of one feed against the local server, and the feed state it leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.feeds.fetch import Fetcher
from bot.feeds.model import FeedSettings, FetchOutcome, FetchResult, Validators
from bot.feeds.poll import FeedState, advance_state, poll_feed
from tests.feeds.conftest import FeedServer

NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)
SETTINGS = FeedSettings("http://feeds.example/rss")


def failed(error: str = "http_500") -> FetchResult:
    return FetchResult(SETTINGS.url, FetchOutcome.FAILED, 500, error=error)


def ok() -> FetchResult:
    return FetchResult(SETTINGS.url, FetchOutcome.OK, 200, validators=Validators('"v2"'))


def test_alert_once_after_three_failures_and_once_on_recovery():
    state = FeedState(SETTINGS.url)
    alerts = []
    for result in [failed(), failed(), failed(), failed(), failed(), ok(), ok(), failed()]:
        state, alert = advance_state(state, result, SETTINGS, NOW)
        alerts.append(alert)
    assert alerts == [None, None, "failing", None, None, "recovered", None, None]
    assert state.failures == 1
    assert state.last_error == "http_500"
    assert state.last_success == NOW


def test_success_resets_failures_and_keeps_validators_on_304():
    state = FeedState(SETTINGS.url, Validators('"v1"', "Mon, 09 Jun 2025 10:00:00 GMT"),
                      failures=2)
    state, _ = advance_state(
        state, FetchResult(SETTINGS.url, FetchOutcome.NOT_MODIFIED, 304), SETTINGS, NOW)
    assert state.failures == 0
    assert state.validators == Validators('"v1"', "Mon, 09 Jun 2025 10:00:00 GMT")
    assert state.next_poll == NOW + timedelta(minutes=15)


def test_moved_feed_keeps_its_new_url_and_gone_feed_is_disabled():
    moved = FetchResult(SETTINGS.url, FetchOutcome.OK, 200, moved_to="http://feeds.example/new")
    state, _ = advance_state(FeedState(SETTINGS.url), moved, SETTINGS, NOW)
    assert state.url == "http://feeds.example/new"
    state, alert = advance_state(state, FetchResult(state.url, FetchOutcome.GONE, 410,
                                                     error="http_410"), SETTINGS, NOW)
    assert state.disabled and state.next_poll is None and alert == "failing"


async def test_poll_parses_then_304_costs_nothing(feed_server: FeedServer, fetcher: Fetcher):
    body = (b"<rss version='2.0'><channel><title>T</title><item><title>One</title>"
            b"<link>/one</link><description>Short.</description></item></channel></rss>")

    async def feed(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(body=body, headers={"ETag": '"v1"',
                                                "Content-Type": "application/rss+xml"})

    settings = FeedSettings(feed_server.route("/rss", feed))
    first = await poll_feed(fetcher, settings, FeedState(settings.url), NOW)
    second = await poll_feed(fetcher, settings, first.state, NOW)
    assert [e.article.url for e in first.entries] == [feed_server.url("/one")]
    assert first.state.validators.etag == '"v1"'
    assert second.fetch.outcome is FetchOutcome.NOT_MODIFIED and second.entries == []
    assert second.state.failures == 0


async def test_poll_of_a_page_that_is_not_a_feed_is_a_failure(feed_server: FeedServer,
                                                             fetcher: Fetcher):
    settings = FeedSettings(feed_server.file("/page", "not-a-feed.html", "text/html"))
    result = await poll_feed(fetcher, settings, FeedState(settings.url), NOW)
    assert (result.state.failures, result.state.last_error) == (1, "not_a_feed")
    assert result.entries == []


async def test_poll_with_full_text_fetches_the_pages(feed_server: FeedServer,
                                                    fetcher: Fetcher):
    page = feed_server.file("/news/harbour", "harbour-page.html", "text/html")
    body = (f"<rss version='2.0'><channel><title>Courier</title><item><title>Harbour reopens"
            f"</title><link>{page}</link><description>Teaser.</description></item>"
            f"</channel></rss>").encode()

    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/rss+xml")

    settings = FeedSettings(feed_server.route("/rss", feed), full_text=True)
    result = await poll_feed(fetcher, settings, FeedState(settings.url), NOW)
    assert "Harbour master Ilse Brandt" in result.entries[0].article.body
    assert result.entries[0].article.subtitle == "Teaser."


@pytest.mark.parametrize(("name", "content_type", "title"), [
    ("latin1.xml", "application/rss+xml", "Crème brûlée wins the Caldessa fair"),
    ("latin1.xml", "text/xml", "Crème brûlée wins the Caldessa fair"),
    ("cp1251.xml", "application/rss+xml; charset=windows-1251", "Хлібозавод"),
    ("malformed.xml", "application/rss+xml", "Sea wall repairs start & cost more"),
    ("atom.xml", "application/atom+xml", "Нічний тролейбус «14» виходить на маршрут"),
    ("feed.json", "application/feed+json", "Satellite launch slips to August"),
])
async def test_fixture_feeds_over_http(feed_server: FeedServer, fetcher: Fetcher, name: str,
                                       content_type: str, title: str):
    settings = FeedSettings(feed_server.file(f"/{name}", name, content_type))
    result = await poll_feed(fetcher, settings, FeedState(settings.url), NOW)
    assert result.state.failures == 0
    assert result.entries[0].article.title == title
