"""bot.render.feeds: /feeds pages, feed answers and admin alerts — escaped, within limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.feeds.model import FeedPollReport, FeedSettings, FeedState, StoredFeed
from bot.render import CALLBACK_LIMIT, MESSAGE_LIMIT, telegram_length
from bot.render import feeds as words
from tests.test_render import assert_sendable

NOW = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)


def feed(feed_id: int, *, name: str = "", title: str = "", failures: int = 0,
         error: str | None = None, status: str = "ok", articles: int = 3,
         url: str | None = None) -> StoredFeed:
    url = url or f"https://news{feed_id}.example/rss"
    state = FeedState(url, failures=failures, last_status=status if failures else "ok",
                      last_error=error)
    return StoredFeed(feed_id, FeedSettings(url, name=name, tags=("World",),
                                            interval=timedelta(minutes=30)),
                      state, title=title, articles=articles)


def test_failure_codes_in_words():
    assert words.failure_text("http_404", "Not Found") == "HTTP 404 (Not Found)"
    assert words.failure_text("timeout") == "no complete answer in time"
    assert words.failure_text("not_a_feed") == "not a feed (neither RSS, Atom nor JSON Feed)"
    assert words.failure_text("strange_thing") == "strange thing"
    assert words.failure_text(None) == "unknown"


def test_feeds_page_marks_failing_feeds_with_the_reason_and_pages():
    feeds = [feed(n, title=f"Feed <{n}> & co") for n in range(1, 11)]
    feeds[1] = feed(2, name="Harbour", failures=4, error="http_500", status="failed")
    feeds[2] = feed(3, title="Gone", failures=1, error="http_410", status="gone")
    text, rows = words.render_feeds_page(feeds)
    assert text.splitlines()[0] == "<b>Followed feeds</b> (1–8 of 10) — ⚠ 2 failing"
    assert "<b>1. Feed &lt;1&gt; &amp; co</b>\n<code>https://news1.example/rss</code>\n" \
           "3 articles · every 30 min · tags: World" in text
    assert "<b>2. Harbour</b>" in text
    assert "⚠ failing 4 times in a row: HTTP 500" in text
    assert "⛔ disabled: gone (HTTP 410), so it is no longer polled" in text
    assert [[b.text for b in row] for row in rows] == [
        ["Remove 1", "Remove 2"], ["Remove 3", "Remove 4"], ["Remove 5", "Remove 6"],
        ["Remove 7", "Remove 8"], ["Next ›"]]
    assert rows[0][1].data == "rmfeed:2:0" and rows[-1][0].data == "feeds:8"
    text, rows = words.render_feeds_page(feeds, 8)
    assert text.splitlines()[0].startswith("<b>Followed feeds</b> (9–10 of 10)")
    assert [b.text for b in rows[-1]] == ["‹ Prev"] and rows[-1][0].data == "feeds:0"
    assert words.render_feeds_page([]) == (words.NO_FEEDS, [])


def test_a_page_of_huge_hostile_feeds_fits_one_message():
    hostile = "<b>&amp;" + "Ж" * 5_000
    feeds = [feed(n, name=hostile, url="https://x.example/" + "<" * 4_000,
                  failures=9, error="http_500", status="failed") for n in range(1, 9)]
    text, rows = words.render_feeds_page(feeds)
    assert_sendable(text)
    assert text.count("⚠ failing 9 times in a row") == 8
    assert all(len(b.data.encode()) <= CALLBACK_LIMIT for row in rows for b in row)


def test_alerts_name_the_feed_and_the_reason_and_the_recovery():
    failing = feed(4, name="Harbour & Co", failures=3, error="timeout", status="failed")
    alert = words.render_feed_alert(failing, FeedPollReport(
        4, failing.settings.url, "error", error="timeout", alert="failing"))
    assert alert == (
        "⚠ Feed failing: <b>Harbour &amp; Co</b> (feed 4)\n"
        "<code>https://news4.example/rss</code>\nReason: no complete answer in time\n"
        "It failed 3 times in a row; I keep retrying with backoff and will tell you when it "
        "recovers.")
    recovered = words.render_feed_alert(feed(4, name="Harbour & Co"), FeedPollReport(
        4, failing.settings.url, "ok", added=2, alert="recovered"))
    assert recovered.startswith("✅ Feed recovered: <b>Harbour &amp; Co</b> (feed 4)")


def test_poll_report_totals_and_failures():
    text = words.render_poll_reports([
        FeedPollReport(1, "https://a.example/rss", "ok", added=3, unchanged=2),
        FeedPollReport(2, "https://b.example/rss", "not_modified"),
        FeedPollReport(3, "https://c.example/<rss>", "error", error="http_404")])
    assert text.splitlines() == [
        "<b>Polled 3 feeds</b>", "New articles: 3", "Updated: 0", "Not modified: 1",
        "Failed: 1", "⚠ 3. <code>https://c.example/&lt;rss&gt;</code> — HTTP 404"]
    assert telegram_length(words.render_poll_reports(
        [FeedPollReport(n, "https://x.example/" + "a" * 300, "error", error="timeout")
         for n in range(500)])) <= MESSAGE_LIMIT
