"""Feeds in Telegram: the /feeds pages, the answers of /addfeed, /removefeed and /pollnow,
admin alerts, and the words for a feed's failure codes.

Every function returns text that went through ``markup.fit`` (≤ 4,096 characters, valid
HTML) or plain text within a callback answer's 200 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.errors import NewsbotError
from bot.feeds.errors import FeedAlreadyFollowed, FeedNotFound
from bot.render.buttons import Button, button, clip
from bot.render.markup import MESSAGE_LIMIT, escape, fit, fit_parts, telegram_length

if TYPE_CHECKING:
    from bot.feeds.model import FeedPollReport, PollResult, StoredFeed

FEEDS_PAGE = 8  # feeds per /feeds page
_URL_SHOWN = 200  # characters of a feed's URL quoted in a message

ADDFEED_USAGE = (
    "Usage: <code>/addfeed URL [TAG, TAG…]</code> — I fetch it once to check it is a feed.\n"
    "Example: <code>/addfeed https://example.com/rss.xml Economy, World</code>"
)
REMOVEFEED_USAGE = "Usage: <code>/removefeed ID</code> — the id is shown by /feeds."
NO_FEEDS = "No feeds yet. Add one with <code>/addfeed URL [tags]</code>."
POLL_BUSY = "Feeds are being polled right now; the new articles arrive when it finishes."
POLLING = "Polling every feed…"
FEEDS_EXPIRED = "That list has changed — send /feeds again."

# Short failure codes (bot.feeds.fetch, bot.feeds.poll) in words an admin can act on.
_FAILURES = {
    "timeout": "no complete answer in time",
    "connect": "could not connect",
    "network": "network error",
    "too_large": "the response is over the 10 MiB cap",
    "too_many_redirects": "too many redirects",
    "not_a_feed": "not a feed (neither RSS, Atom nor JSON Feed)",
    "private_address": "refused: a loopback, private or link-local address",
    "scheme": "refused: only http and https URLs",
    "no_host": "the URL has no host",
    "dns": "the host name does not resolve",
    "http_410": "gone (HTTP 410), so it is no longer polled",
    "http_429": "too many requests (HTTP 429); retrying later",
    "http_503": "unavailable (HTTP 503); retrying later",
}


def failure_text(code: str | None, detail: str = "") -> str:
    """Plain words for a failure ``code`` (``http_404`` → «HTTP 404»), with the server's or
    library's ``detail`` when there is one."""
    code = code or "unknown"
    if code in _FAILURES:
        words = _FAILURES[code]
    elif code.startswith("http_") and code[5:].isdigit():
        words = f"HTTP {code[5:]}"
    else:
        words = code.replace("_", " ")
    detail = " ".join(detail.split())
    return f"{words} ({clip(detail, 200)})" if detail else words


def feed_name(feed: StoredFeed) -> str:
    """The admin's name for the feed, else its own title, else its URL (plain text)."""
    return feed.settings.name or feed.title or feed.settings.url


def _problem(feed: StoredFeed) -> str:
    state = feed.state
    if feed.status == "disabled":
        return f"⛔ disabled: {escape(failure_text(state.last_error))}"
    if feed.status == "error":
        times = "once" if state.failures == 1 else f"{state.failures} times in a row"
        return f"⚠ failing {times}: {escape(failure_text(state.last_error))}"
    return ""


def _feed_item(feed: StoredFeed, room: int) -> str:
    minutes = int(feed.settings.interval.total_seconds() // 60)
    facts = [f"{feed.articles} article{'s' if feed.articles != 1 else ''}",
             f"every {minutes} min"]
    if feed.settings.tags:
        facts.append("tags: " + ", ".join(feed.settings.tags))
    if feed.settings.full_text:
        facts.append("full text")
    parts = [
        ("", f"<b>{feed.id}. {escape(clip(feed_name(feed), 150))}</b>"),
        ("\n", f"<code>{escape(clip(feed.settings.url, _URL_SHOWN))}</code>"),
        ("\n", escape(" · ".join(facts))),
        ("\n", _problem(feed)),
    ]
    # The ⚠ line is never cut: the URL, the facts, then the name give way first.
    return fit_parts(parts, (1, 2, 0), room)


def render_feeds_page(feeds: Sequence[StoredFeed], offset: int = 0,
                      per_page: int = FEEDS_PAGE) -> tuple[str, list[list[Button]]]:
    """/feeds: the page of ``feeds`` starting at ``offset`` — each feed's name, URL, article
    count, interval, and a ⚠ with the reason when it is failing — and its keyboard: a
    «Remove N» button per feed, then «‹ Prev» / «Next ›»."""
    if not feeds:
        return NO_FEEDS, []
    offset = max(0, min(offset, (len(feeds) - 1) // per_page * per_page))
    shown = feeds[offset:offset + per_page]
    failing = sum(1 for f in feeds if f.status != "ok")
    header = (f"<b>Followed feeds</b> ({offset + 1}–{offset + len(shown)} of {len(feeds)})"
              + (f" — ⚠ {failing} failing" if failing else ""))
    room = (MESSAGE_LIMIT - telegram_length(header)) // len(shown) - 2
    text = fit([header, *(_feed_item(feed, room) for feed in shown)])
    removes = [button(f"Remove {feed.id}", "rmfeed", feed.id, offset) for feed in shown]
    nav = []
    if offset > 0:
        nav.append(button("‹ Prev", "feeds", max(0, offset - per_page)))
    if offset + per_page < len(feeds):
        nav.append(button("Next ›", "feeds", offset + per_page))
    rows = [[b for b in removes[i:i + 2] if b] for i in range(0, len(removes), 2)]
    return text, [*rows, [b for b in nav if b]]


def render_feed_added(feed: StoredFeed, report: FeedPollReport) -> str:
    """/addfeed worked: the feed's id, name and what its first poll brought."""
    return fit([
        f"Now following feed {feed.id}: <b>{escape(clip(feed_name(feed), 200))}</b>\n"
        f"{report.added} new article{'s' if report.added != 1 else ''}"
        + (f", {report.unchanged} already known" if report.unchanged else "")
        + ". /feeds lists every feed."
    ])


def render_feed_refused(url: str, result: PollResult) -> str:
    """/addfeed's URL is not a feed newsbot can follow: why; nothing was stored."""
    reason = failure_text(result.state.last_error, result.fetch.detail)
    return fit([f"I did not add <code>{escape(clip(url, _URL_SHOWN))}</code>: "
                f"{escape(reason)}.\nNothing was stored."])


def render_feed_already(url: str, feed_id: int) -> str:
    return fit([f"<code>{escape(clip(url, _URL_SHOWN))}</code> is followed already, as feed "
                f"{feed_id}. See /feeds."])


def render_feed_removed(feed: StoredFeed) -> str:
    """/removefeed worked; the feed's articles stay."""
    return fit([f"Stopped following feed {feed.id}: {escape(clip(feed_name(feed), 200))}. "
                "Its articles stay."])


def feed_removed_alert(feed: StoredFeed) -> str:
    """A «Remove N» button's answer (plain text, ≤ 200 characters)."""
    return f"Stopped following feed {feed.id}: {clip(feed_name(feed), 120)}."


def render_feed_not_found(ref: str) -> str:
    return fit([f"No followed feed “{escape(clip(ref, 200))}”. /feeds lists them."])


def feed_gone_alert(ref: str) -> str:
    return clip(f"Feed {ref} is no longer followed.", 200)


def render_poll_reports(reports: Sequence[FeedPollReport]) -> str:
    """/pollnow's answer: totals, then each feed that failed and why."""
    if not reports:
        return "No feeds to poll. Add one with <code>/addfeed URL</code>."
    added = sum(r.added for r in reports)
    updated = sum(r.updated for r in reports)
    failed = [r for r in reports if r.status in ("error", "disabled")]
    lines = [
        f"<b>Polled {len(reports)} feed{'s' if len(reports) != 1 else ''}</b>",
        f"New articles: {added}",
        f"Updated: {updated}",
        f"Not modified: {sum(1 for r in reports if r.status == 'not_modified')}",
        f"Failed: {len(failed)}",
    ]
    lines += [f"⚠ {r.id}. <code>{escape(clip(r.url, 100))}</code> — "
              f"{escape(failure_text(r.error))}" for r in failed]
    return fit(lines, "\n")


def render_feed_alert(feed: StoredFeed, report: FeedPollReport) -> str:
    """The one message admins get when a feed starts failing (``report.alert`` ``"failing"``)
    or recovers (``"recovered"``)."""
    name = f"<b>{escape(clip(feed_name(feed), 200))}</b> (feed {feed.id})"
    url = f"<code>{escape(clip(feed.settings.url, _URL_SHOWN))}</code>"
    if report.alert == "recovered":
        return fit([f"✅ Feed recovered: {name} is polled normally again.\n{url}"])
    failures = feed.state.failures
    why = escape(failure_text(report.error or feed.state.last_error))
    if report.status == "disabled":
        then = "It is no longer polled; remove it with /removefeed " f"{feed.id}."
    else:
        then = (f"It failed {failures} times in a row; I keep retrying with backoff and "
                "will tell you when it recovers.")
    return fit([f"⚠ Feed failing: {name}\n{url}\nReason: {why}\n{then}"])


def render_feed_error(exc: NewsbotError) -> str | None:
    """Words for the feeds' own errors (``FeedNotFound``, ``FeedAlreadyFollowed``); None
    for any other error, which ``render_error`` words."""
    if isinstance(exc, FeedNotFound):
        return render_feed_not_found(exc.ref)
    if isinstance(exc, FeedAlreadyFollowed):
        return render_feed_already(exc.url, exc.feed_id)
    return None
