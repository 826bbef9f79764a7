"""End to end: the feed commands and the background polling job of the real application,
against the Bot API stand-in and a local HTTP server serving feeds (no internet)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.render import MESSAGE_LIMIT, telegram_length
from tests import test_bot
from tests.botapi import BotAPIStandIn
from tests.feeds import conftest as feeds_conftest
from tests.feeds.conftest import FeedServer
from tests.test_bot import ADMIN, USER, running_newsbot, say

seeds = test_bot.seeds
feed_server = feeds_conftest.feed_server
START = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)


def rss(title: str, *items: tuple[str, str]) -> bytes:
    """An RSS 2.0 feed whose items are (title, path of its page)."""
    entries = "".join(
        f"<item><title>{t}</title><link>{path}</link><guid>{path}</guid>"
        f"<pubDate>Wed, 11 Jun 2025 0{n}:00:00 GMT</pubDate><category>Harbour</category>"
        f"<description>{t} today. The harbour master confirmed it.</description></item>"
        for n, (t, path) in enumerate(items))
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>{title}</title><link>/</link>{entries}</channel></rss>").encode()


class Feed:
    """One feed route whose body and status the test changes between polls."""

    def __init__(self, server: FeedServer, path: str, body: bytes) -> None:
        self.body, self.status, self.path = body, 200, path
        self.url = server.route(path, self.serve)
        self.server = server

    async def serve(self, request: web.Request) -> web.Response:
        if self.status != 200:
            return web.Response(status=self.status, text="broken")
        return web.Response(body=self.body, content_type="application/rss+xml")

    @property
    def hits(self) -> int:
        return self.server.paths().count(self.path)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@contextlib.asynccontextmanager
async def feedbot(api: BotAPIStandIn, seeds: Path, db: Path, **options):
    options.setdefault("feeds_in_child", False)  # in process: the tests' clock applies
    async with running_newsbot(api, seeds, db, digest_check_every=None, **options) as app:
        try:
            yield app
        finally:
            await app.bot_data.feeds.stop()


@pytest.fixture
async def newsbot(api, seeds, tmp_path, feed_server):
    async with feedbot(api, seeds, tmp_path / "news.db", feed_poll_every=None) as application:
        yield application


def assert_all_sent(api: BotAPIStandIn) -> None:
    """Nothing the bot sent was refused (too long, bad HTML, bad buttons), all ≤ 4,096."""
    # An edit that changes nothing (a stale «Remove» tap) is refused by Telegram, and expected.
    assert not [r for r in api.rejected if r[0] != "getUpdates"
                and "message is not modified" not in r[2]]
    assert all(telegram_length(m.text) <= MESSAGE_LIMIT for m in api.sent)


async def test_an_admin_adds_a_feed_and_others_are_refused(api, newsbot, feed_server, caplog):
    caplog.set_level(logging.WARNING, logger="bot.handlers")
    feed = Feed(feed_server, "/courier.xml", rss("Harbour Courier", (
        "Ferry & tug strike ends", "/news/strike?utm_source=rss"), ("Quay reopens", "/news/quay")))
    [refused] = await say(api, USER, f"/addfeed {feed.url}")
    assert refused.text == "This command is for administrators."
    assert f"Refused /addfeed for non-admin user id {USER}" in caplog.text
    for command in ("/feeds", "/removefeed 1", "/pollnow"):
        [refused] = await say(api, USER, command)
        assert refused.text == "This command is for administrators."
    assert feed.hits == 0
    [usage] = await say(api, ADMIN, "/addfeed")
    assert usage.text.startswith("Usage: /addfeed URL [TAG, TAG…]")
    [usage] = await say(api, ADMIN, "/addfeed ftp://courier.example/rss")
    assert usage.text.startswith("Usage: /addfeed URL")
    page = feed_server.route("/page.html", lambda request: _html())
    [not_feed] = await say(api, ADMIN, f"/addfeed {page}")
    assert not_feed.text == (f"I did not add {page}: not a feed (neither RSS, Atom nor JSON "
                             "Feed).\nNothing was stored.")
    [none] = await say(api, ADMIN, "/feeds")
    assert none.text == "No feeds yet. Add one with /addfeed URL [tags]."

    await say(api, USER, "/subscribe Shipping")
    [added] = await say(api, ADMIN, f"/addfeed {feed.url} Shipping, Port Amsel")
    assert added.text == ("Now following feed 1: Harbour Courier\n2 new articles. "
                          "/feeds lists every feed.")
    [again] = await say(api, ADMIN, f"/addfeed {feed.url}")
    assert "followed already, as feed 1" in again.text
    [latest] = await say(api, USER, "/latest 2")
    assert "2. Ferry & tug strike ends" in latest.text  # published an hour before the quay
    assert "Tags: Harbour, Shipping, Port Amsel" in latest.text
    source = latest.button("Read at source 2")
    assert source["url"] == feed_server.url("/news/strike")  # utm_* removed
    assert "callback_data" not in source
    article_id = latest.button("Full text 2")["callback_data"].split(":")[1]
    [full] = await say(api, USER, f"/article {article_id}")
    assert f'<a href="{feed_server.url("/news/strike")}">Read at source</a>' in full.html
    answer = await api.inline_answer(api.push_inline_query("strike"))
    [result] = answer["results"]
    assert result["url"] == feed_server.url("/news/strike")
    assert result["reply_markup"]["inline_keyboard"][0][0]["text"] == "Read at source"
    [digest] = await say(api, USER, "/digest")  # each item's source beside its full text
    assert [[b["text"] for b in row] for row in digest.reply_markup["inline_keyboard"]] == [
        ["Full text 1", "Read at source 1"], ["Full text 2", "Read at source 2"]]
    assert digest.button("Read at source 2")["url"] == feed_server.url("/news/strike")
    assert_all_sent(api)


async def _html() -> web.Response:
    return web.Response(text="<html><body><p>Just a page.</p></body></html>",
                        content_type="text/html")


async def test_feeds_marks_a_failing_feed_and_its_remove_button_works(api, newsbot,
                                                                    feed_server):
    good = Feed(feed_server, "/good.xml", rss("Good Feed", ("Good news", "/good/1")))
    flaky = Feed(feed_server, "/flaky.xml", rss("Flaky Feed", ("Flaky news", "/flaky/1")))
    await say(api, ADMIN, f"/addfeed {good.url}")
    await say(api, ADMIN, f"/addfeed {flaky.url} Weather")
    flaky.status = 500
    polling, report = await say(api, ADMIN, "/pollnow", replies=2)
    assert polling.text == "Polling every feed…"
    assert report.text.splitlines() == [
        "Polled 2 feeds", "New articles: 0", "Updated: 0", "Not modified: 0", "Failed: 1",
        f"⚠ 2. {flaky.url} — HTTP 500"]
    [listing] = await say(api, ADMIN, "/feeds")
    lines = listing.text.splitlines()
    assert lines[0] == "Followed feeds (1–2 of 2) — ⚠ 1 failing"
    assert lines[lines.index("2. Flaky Feed") + 1:] == [
        flaky.url, "1 article · every 15 min · tags: Weather",
        "⚠ failing once: HTTP 500"]
    assert [b["text"] for b in listing.buttons] == ["Remove 1", "Remove 2"]
    answer = await api.callback_answer(api.press(listing, "Remove 2", user_id=ADMIN))
    assert answer["text"] == "Stopped following feed 2: Flaky Feed."
    await api.until(lambda: "Flaky" not in listing.text)
    assert listing.text.splitlines()[0] == "Followed feeds (1–1 of 1)"
    answer = await api.callback_answer(api.push_callback(listing, "rmfeed:2:0", user_id=ADMIN))
    assert answer["text"] == "Feed 2 is no longer followed."
    forged = await api.callback_answer(api.push_callback(listing, "rmfeed:1:0", user_id=USER))
    assert forged["text"] == "This command is for administrators."
    [missing] = await say(api, ADMIN, "/removefeed 99")
    assert missing.text == "No followed feed “99”. /feeds lists them."
    [usage] = await say(api, ADMIN, "/removefeed")
    assert usage.text == "Usage: /removefeed ID — the id is shown by /feeds."
    [removed] = await say(api, ADMIN, "/removefeed 1")
    assert removed.text == "Stopped following feed 1: Good Feed. Its articles stay."
    [latest] = await say(api, USER, "/latest 5 Harbour")  # the articles stay
    assert "Good news" in latest.text and "Flaky news" in latest.text
    assert_all_sent(api)


@pytest.mark.parametrize("in_child", [False, True], ids=["in-process", "child-process"])
async def test_pollnow_brings_new_articles_into_latest(api, seeds, tmp_path, feed_server,
                                                       in_child):
    # The child process is what `newsbot run` uses with a store on disk.
    feed = Feed(feed_server, "/courier.xml", rss("Courier", ("Old quay story", "/q/1")))
    async with feedbot(api, seeds, tmp_path / "news.db", feed_poll_every=None,
                       feeds_in_child=in_child) as application:
        assert (application.bot_data.feeds.child_poll is not None) == in_child
        await say(api, ADMIN, f"/addfeed {feed.url}")
        feed.body = rss("Courier", ("Old quay story", "/q/1"), ("Lighthouse relit", "/q/2"))
        before = len(api.messages_to(ADMIN))
        api.push_message(ADMIN, "/pollnow")
        # A child process starts a Python interpreter first: slow on a loaded machine.
        _, report = await api.replies(ADMIN, 2, after=before, timeout=90)
        assert report.text.splitlines()[:2] == ["Polled 1 feed", "New articles: 1"]
        [latest] = await say(api, USER, "/latest 2")
        assert [line for line in latest.text.splitlines() if line[:2] in ("1.", "2.")] == [
            "1. Lighthouse relit", "2. Old quay story"]
    assert_all_sent(api)


async def test_a_slow_feed_never_delays_replies(api, newsbot, feed_server):
    async def stall(request: web.Request) -> web.Response:
        await feed_server.release.wait()  # set at teardown
        return web.Response(status=500)

    feed = Feed(feed_server, "/slow.xml", rss("Slow", ("Slow story", "/s/1")))
    await say(api, ADMIN, f"/addfeed {feed.url}")
    feed_server.route("/slow.xml", stall)
    [started] = await say(api, ADMIN, "/pollnow")
    assert started.text == "Polling every feed…"
    await api.until(lambda: feed.hits == 2)  # the poll is now waiting on the slow feed
    [welcome] = await say(api, USER, "/start")
    assert welcome.text.startswith("Welcome to newsbot!")
    [latest] = await say(api, USER, "/latest 1")
    assert "Slow story" in latest.text
    [busy] = await say(api, ADMIN, "/pollnow")
    assert busy.text.startswith("Feeds are being polled right now")
    assert newsbot.bot_data.feeds.running


async def test_the_job_alerts_admins_once_after_three_failures_and_once_on_recovery(
        api, seeds, tmp_path, feed_server):
    clock = Clock()
    feed = Feed(feed_server, "/wobbly.xml", rss("Wobbly Wire", ("First", "/w/1")))
    async with feedbot(api, seeds, tmp_path / "news.db", clock=clock, feed_poll_every=0.05,
                       feed_first_poll=0.05) as application:
        assert [j.name for j in application.job_queue.jobs()] == ["poll_due_feeds"]
        polling = application.bot_data.feeds
        await say(api, ADMIN, f"/addfeed {feed.url}")
        feed.status = 502  # an ordinary failure: backed off
        alerts_before = len(api.messages_to(ADMIN))

        async def next_poll(hits: int) -> None:
            clock.now += timedelta(days=2)  # past any backoff: the feed is due again
            await api.until(lambda: feed.hits == hits)
            await api.until(lambda: not polling.running)

        await next_poll(2)
        await next_poll(3)
        assert len(api.messages_to(ADMIN)) == alerts_before
        await next_poll(4)
        [alert] = await api.replies(ADMIN, 1, after=alerts_before)
        assert alert.text.splitlines() == [
            "⚠ Feed failing: Wobbly Wire (feed 1)", feed.url, "Reason: HTTP 502",
            "It failed 3 times in a row; I keep retrying with backoff and will tell you when "
            "it recovers."]
        await next_poll(5)
        await next_poll(6)
        assert len(api.messages_to(ADMIN)) == alerts_before + 1  # never one per poll
        feed.status = 200
        await next_poll(7)
        [recovered] = await api.replies(ADMIN, 1, after=alerts_before + 1)
        assert recovered.text.splitlines()[0] == (
            "✅ Feed recovered: Wobbly Wire (feed 1) is polled normally again.")
        await next_poll(8)
        assert len(api.messages_to(ADMIN)) == alerts_before + 2
    assert_all_sent(api)


WIRE = ("Dockers at Port Amsel ended a nine day strike on Wednesday after the harbour "
        "authority agreed to raise night shift pay by twelve percent and to hire forty more "
        "crane operators before the winter season, union leaders told reporters outside the "
        "main gate as the first container ships began to unload their cargo")


def wire_feed(outlet: str, path: str) -> bytes:
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{outlet}</title>"
            f"<item><title>Port Amsel dockers end strike</title><link>{path}</link>"
            f"<pubDate>Wed, 11 Jun 2025 09:00:00 GMT</pubDate>"
            f"<description>{WIRE}.</description></item></channel></rss>").encode()


async def test_one_story_from_two_outlets_is_shown_once_naming_the_other(api, newsbot,
                                                                       feed_server):
    first = Feed(feed_server, "/wire-a.xml", wire_feed("Amsel Wire", "/a/strike"))
    second = Feed(feed_server, "/wire-b.xml", wire_feed("Harbour Gazette", "/b/strike"))
    await say(api, ADMIN, f"/addfeed {first.url}")
    await say(api, ADMIN, f"/addfeed {second.url}")
    [latest] = await say(api, USER, "/latest 5")
    assert latest.text.count("Port Amsel dockers end strike") == 1
    assert "\nalso: Harbour Gazette\n" in latest.text or "\nalso: Amsel Wire\n" in latest.text
    [results] = await say(api, USER, "/search dockers strike")
    assert results.text.count("Port Amsel dockers end strike") == 1 and "also: " in results.text
    answer = await api.inline_answer(api.push_inline_query("crane operators"))
    [result] = answer["results"]
    assert "also: " in result["input_message_content"]["message_text"]
    assert_all_sent(api)


async def test_feeds_pages_with_buttons(api, newsbot):
    from bot.feeds.model import FeedSettings

    service = newsbot.bot_data.service
    for n in range(1, 10):  # stored unchecked: paging needs no fetch
        await asyncio.to_thread(service.add_feed, FeedSettings(f"https://f{n}.example/rss"))
    [listing] = await say(api, ADMIN, "/feeds")
    assert listing.text.splitlines()[0] == "Followed feeds (1–8 of 9)"
    assert [b["text"] for b in listing.buttons][-1] == "Next ›"
    await api.callback_answer(api.press(listing, "Next ›", user_id=ADMIN))
    await api.until(lambda: "(9–9 of 9)" in listing.text)
    assert [b["text"] for b in listing.buttons] == ["Remove 9", "‹ Prev"]
    answer = await api.callback_answer(api.press(listing, "Remove 9", user_id=ADMIN))
    assert answer["text"] == "Stopped following feed 9: https://f9.example/rss."
    await api.until(lambda: "(1–8 of 8)" in listing.text)
    forged = await api.callback_answer(api.push_callback(listing, "feeds:x", user_id=ADMIN))
    assert forged["text"] == "That list has changed — send /feeds again."
    assert_all_sent(api)
