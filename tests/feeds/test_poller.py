"""poll_feeds against the local server: feeds saved through the service, alerts once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
from aiohttp import web

from bot.feeds.fetch import Fetcher
from bot.feeds.model import FeedPollReport, FeedSettings, StoredFeed
from bot.feeds.poller import poll_feeds
from bot.service import NewsService
from bot.store import Store
from tests.conftest import fake_summarise
from tests.feeds.conftest import FeedServer

NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)


def rss(title: str, *items: tuple[str, str]) -> bytes:
    body = "".join(f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
                   "<description>Ships queued outside since Friday.</description></item>"
                   for t, link in items)
    return (f"<rss version='2.0'><channel><title>{title}</title>{body}</channel>"
            "</rss>").encode()


@pytest.fixture
def service(tmp_path):
    with Store(tmp_path / "news.db") as store:
        yield NewsService(store, summarise=fake_summarise, clock=lambda: NOW)


def serve(server: FeedServer, path: str, document: bytes) -> str:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/rss+xml")

    return server.route(path, handler)


async def test_due_feeds_are_polled_and_one_page_in_two_feeds_is_one_article(
        feed_server: FeedServer, fetcher: Fetcher, service: NewsService):
    shared = feed_server.url("/news/harbour")
    a = service.add_feed(FeedSettings(serve(feed_server, "/a", rss("A", ("Harbour", shared)))))
    b = service.add_feed(FeedSettings(serve(feed_server, "/b", rss("B", ("Harbour", shared),
                                                                  ("Pier", "/news/pier")))))
    reports = await poll_feeds(service, fetcher, now=NOW)
    assert {(r.id, r.status) for r in reports} == {(a.id, "ok"), (b.id, "ok")}
    assert sum(r.added for r in reports) == 2 and sum(r.unchanged for r in reports) == 1
    assert sorted(x.title for x in service.latest(10)) == ["Harbour", "Pier"]
    # Nothing is due again before the interval has passed.
    assert await poll_feeds(service, fetcher, now=NOW + timedelta(minutes=1)) == []
    again = await poll_feeds(service, fetcher, now=NOW + timedelta(minutes=15))
    assert sorted((r.added, r.unchanged) for r in again) == [(0, 1), (0, 2)]


async def test_alerts_after_three_failures_and_on_recovery_and_410_disables(
        feed_server: FeedServer, fetcher: Fetcher, service: NewsService):
    statuses = [500, 500, 500, 500, 200, 410]

    async def flaky(request: web.Request) -> web.Response:
        status = statuses.pop(0)
        if status != 200:
            return web.Response(status=status)
        return web.Response(body=rss("A", ("Harbour", "/h")), content_type="application/rss+xml")

    feed = service.add_feed(FeedSettings(feed_server.route("/flaky", flaky)))
    alerts: list[tuple[StoredFeed, FeedPollReport]] = []
    told = asyncio.Event()

    async def on_alert(stored: StoredFeed, report: FeedPollReport) -> None:
        alerts.append((stored, report))
        told.set()

    seen = []
    for _ in range(6):
        current = service.get_feed(str(feed.id))
        [report] = await poll_feeds(service, fetcher, now=NOW, feeds=[current],
                                    on_alert=on_alert)
        seen.append((report.status, report.error, report.alert))
    assert told.is_set()
    assert seen == [("error", "http_500", None), ("error", "http_500", None),
                    ("error", "http_500", "failing"), ("error", "http_500", None),
                    ("ok", None, "recovered"), ("disabled", "http_410", "failing")]
    assert [(s.state.failures, r.alert) for s, r in alerts] == [
        (3, "failing"), (0, "recovered"), (1, "failing")]
    assert service.get_feed(str(feed.id)).status == "disabled"
    assert await poll_feeds(service, fetcher, now=NOW + timedelta(days=2)) == []


async def test_a_feed_that_fails_unexpectedly_fails_alone(feed_server: FeedServer,
                                                          fetcher: Fetcher, tmp_path):
    def summarise(text: str, *args, **kwargs):
        if "Cursed" in kwargs.get("title", ""):
            raise RuntimeError("the summariser met something it cannot handle")
        return fake_summarise(text, *args, **kwargs)

    with Store(tmp_path / "news.db") as store:
        service = NewsService(store, summarise=summarise, clock=lambda: NOW)
        cursed = service.add_feed(FeedSettings(serve(feed_server, "/cursed", rss(
            "Cursed", ("Cursed harbour", "/news/cursed")))))
        fine = service.add_feed(FeedSettings(serve(feed_server, "/fine", rss(
            "Fine", ("Pier", "/news/pier")))))
        reports = {r.id: r for r in await poll_feeds(service, fetcher, now=NOW)}
        assert (reports[cursed.id].status, reports[cursed.id].error) == ("error", "internal")
        assert (reports[fine.id].status, reports[fine.id].added) == ("ok", 1)
        assert [a.title for a in service.latest(10)] == ["Pier"]
