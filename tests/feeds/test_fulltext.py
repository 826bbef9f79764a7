"""Full text for teasers: a page on the local server, extracted with trafilatura."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from bot.feeds.fetch import Fetcher
from bot.feeds.fulltext import complete_entry, extract_main_text
from bot.feeds.model import FeedEntry
from bot.models import Article
from tests.feeds.conftest import FIXTURES, FeedServer


def teaser(url: str, body: str = "The harbour reopened on Monday.") -> FeedEntry:
    return FeedEntry(
        article=Article(
            id="a1", category="", published=datetime(2025, 6, 10, tzinfo=UTC),
            source="Courier", title="Harbour reopens after storm", subtitle="", tags=(),
            body=body, url=url,
        ),
        guid="courier-1001",
    )


def test_extract_main_text_keeps_the_article_and_drops_the_chrome():
    text = extract_main_text((FIXTURES / "harbour-page.html").read_bytes())
    paragraphs = text.split("\n\n")
    assert paragraphs[-4].startswith("The harbour of Port Amsel reopened on Monday morning")
    assert paragraphs[-1].endswith("at its meeting on Thursday evening.")
    for chrome in ("cookies", "Most read", "All rights reserved", "analytics", "font-family"):
        assert chrome not in text


def test_extract_main_text_of_an_empty_page_is_empty():
    assert extract_main_text(b"<html><body></body></html>") == ""


async def test_teaser_is_replaced_by_the_page_text(feed_server: FeedServer, fetcher: Fetcher):
    url = feed_server.file("/news/harbour", "harbour-page.html", "text/html; charset=utf-8")
    entry = await complete_entry(teaser(url), fetcher)
    assert entry.full_text_error is None
    assert "Harbour master Ilse Brandt said divers" in entry.article.body
    assert entry.article.subtitle == "The harbour reopened on Monday."
    assert feed_server.requests[0][1]["Accept"].startswith("text/html")


async def test_long_body_is_not_fetched(feed_server: FeedServer, fetcher: Fetcher):
    long_body = " ".join(["word"] * 80)
    entry = teaser(feed_server.url("/news/harbour"), long_body)
    assert await complete_entry(entry, fetcher) is entry
    assert feed_server.requests == []


async def test_failed_fetch_keeps_the_teaser_and_says_why(feed_server: FeedServer,
                                                         fetcher: Fetcher):
    entry = await complete_entry(teaser(feed_server.url("/missing")), fetcher)
    assert entry.article.body == "The harbour reopened on Monday."
    assert entry.full_text_error == "failed:http_404"


async def test_page_without_main_text_keeps_the_teaser(feed_server: FeedServer,
                                                      fetcher: Fetcher):
    async def empty(request: web.Request) -> web.Response:
        return web.Response(body=b"<html><body><div></div></body></html>",
                            content_type="text/html")

    entry = await complete_entry(teaser(feed_server.route("/empty", empty)), fetcher)
    assert entry.article.body == "The harbour reopened on Monday."
    assert entry.full_text_error == "no_main_text"


async def test_page_shorter_than_the_teaser_keeps_the_teaser(feed_server: FeedServer,
                                                            fetcher: Fetcher):
    async def stub(request: web.Request) -> web.Response:
        return web.Response(body=b"<html><body><p>Subscribe.</p></body></html>",
                            content_type="text/html")

    entry = await complete_entry(teaser(feed_server.route("/stub", stub)), fetcher)
    assert entry.article.body == "The harbour reopened on Monday."
    assert entry.full_text_error in {"no_main_text", "shorter_than_teaser"}


async def test_private_page_is_refused_without_the_setting(feed_server: FeedServer, monkeypatch):
    monkeypatch.delenv("NEWSBOT_ALLOW_PRIVATE_URLS")
    url = feed_server.file("/news/harbour", "harbour-page.html", "text/html")
    async with Fetcher() as strict:
        entry = await complete_entry(teaser(url), strict)
    assert entry.full_text_error == "refused:private_address"
    assert feed_server.requests == []
