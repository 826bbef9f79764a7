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
from bot.render.buttons import ALERT_LIMIT, Button, button, clip
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator
from bot.render.markup import MESSAGE_LIMIT, escape, fit, fit_parts, telegram_length

if TYPE_CHECKING:
    from bot.feeds.model import FeedPollReport, PollResult, StoredFeed

FEEDS_PAGE = 8  # feeds per /feeds page
_URL_SHOWN = 200  # characters of a feed's URL quoted in a message

# English message ids: shown through ``bot.render.translate(MESSAGE, language)``.
ADDFEED_USAGE = N_(
    "Usage: <code>/addfeed URL [TAG, TAG…]</code> — I fetch it once to check it is a feed.\n"
    "Example: <code>/addfeed https://example.com/rss.xml Economy, World</code>"
)
REMOVEFEED_USAGE = N_("Usage: <code>/removefeed ID</code> — the id is shown by /feeds.")
NO_FEEDS = N_("No feeds yet. Add one with <code>/addfeed URL [tags]</code>.")
POLL_BUSY = N_("Feeds are being polled right now; the new articles arrive when it finishes.")
POLLING = N_("Polling every feed…")
FEEDS_EXPIRED = N_("That list has changed — send /feeds again.")

# Short failure codes (bot.feeds.fetch, bot.feeds.poll) in words an admin can act on.
_FAILURES = {
    "timeout": N_("no complete answer in time"),
    "connect": N_("could not connect"),
    "network": N_("network error"),
    "too_large": N_("the response is over the 10 MiB cap"),
    "too_many_redirects": N_("too many redirects"),
    "not_a_feed": N_("not a feed (neither RSS, Atom nor JSON Feed)"),
    "internal": N_("newsbot failed on this feed; its log has the details"),
    "store": N_("the poll could not be saved; its log has the details"),
    "private_address": N_("refused: a loopback, private or link-local address"),
    "scheme": N_("refused: only http and https URLs"),
    "no_host": N_("the URL has no host"),
    "dns": N_("the host name does not resolve"),
    "http_410": N_("gone (HTTP 410), so it is no longer polled"),
    "http_429": N_("too many requests (HTTP 429); retrying later"),
    "http_503": N_("unavailable (HTTP 503); retrying later"),
}


def failure_text(code: str | None, detail: str = "",
                 language: str = DEFAULT_LANGUAGE) -> str:
    """Plain words for a failure ``code`` (``http_404`` → «HTTP 404»), with the server's or
    library's ``detail`` when there is one."""
    code = code or "unknown"
    if code in _FAILURES:
        words = translator(language).gettext(_FAILURES[code])
    elif code.startswith("http_") and code[5:].isdigit():
        words = f"HTTP {code[5:]}"
    else:
        words = code.replace("_", " ")
    detail = " ".join(detail.split())
    return f"{words} ({clip(detail, 200)})" if detail else words


def feed_name(feed: StoredFeed) -> str:
    """The admin's name for the feed, else its own title, else its URL (plain text)."""
    return feed.settings.name or feed.title or feed.settings.url


def _problem(feed: StoredFeed, language: str) -> str:
    t = translator(language)
    state = feed.state
    why = escape(failure_text(state.last_error, language=language))
    if feed.status == "disabled":
        return t.gettext("⛔ disabled: {why}").format(why=why)
    if feed.status == "error":
        if state.failures == 1:
            return t.gettext("⚠ failing once: {why}").format(why=why)
        return t.ngettext("⚠ failing {count} time in a row: {why}",
                          "⚠ failing {count} times in a row: {why}",
                          state.failures).format(count=state.failures, why=why)
    return ""


def _feed_item(feed: StoredFeed, room: int, language: str) -> str:
    t = translator(language)
    minutes = int(feed.settings.interval.total_seconds() // 60)
    facts = [t.ngettext("{count} article", "{count} articles", feed.articles).format(
                 count=feed.articles),
             t.gettext("every {minutes} min").format(minutes=minutes)]
    if feed.settings.tags:
        facts.append(t.gettext("tags: {tags}").format(tags=", ".join(feed.settings.tags)))
    if feed.settings.full_text:
        facts.append(t.gettext("full text"))
    parts = [
        ("", f"<b>{feed.id}. {escape(clip(feed_name(feed), 150))}</b>"),
        ("\n", f"<code>{escape(clip(feed.settings.url, _URL_SHOWN))}</code>"),
        ("\n", escape(" · ".join(facts))),
        ("\n", _problem(feed, language)),
    ]
    # The ⚠ line is never cut: the URL, the facts, then the name give way first.
    return fit_parts(parts, (1, 2, 0), room)


def render_feeds_page(feeds: Sequence[StoredFeed], offset: int = 0,
                      per_page: int = FEEDS_PAGE,
                      language: str = DEFAULT_LANGUAGE) -> tuple[str, list[list[Button]]]:
    """/feeds: the page of ``feeds`` starting at ``offset`` — each feed's name, URL, article
    count, interval, and a ⚠ with the reason when it is failing — and its keyboard: a
    «Remove N» button per feed, then «‹ Prev» / «Next ›»."""
    t = translator(language)
    if not feeds:
        return t.gettext(NO_FEEDS), []
    offset = max(0, min(offset, (len(feeds) - 1) // per_page * per_page))
    shown = feeds[offset:offset + per_page]
    failing = sum(1 for f in feeds if f.status != "ok")
    header = t.gettext("<b>Followed feeds</b> ({first}–{last} of {total})").format(
        first=offset + 1, last=offset + len(shown), total=len(feeds))
    if failing:
        header += t.gettext(" — ⚠ {count} failing").format(count=failing)
    room = (MESSAGE_LIMIT - telegram_length(header)) // len(shown) - 2
    text = fit([header, *(_feed_item(feed, room, language) for feed in shown)])
    removes = [button(t.gettext("Remove {id}").format(id=feed.id), "rmfeed", feed.id, offset)
               for feed in shown]
    nav = []
    if offset > 0:
        nav.append(button(t.gettext("‹ Prev"), "feeds", max(0, offset - per_page)))
    if offset + per_page < len(feeds):
        nav.append(button(t.gettext("Next ›"), "feeds", offset + per_page))
    rows = [[b for b in removes[i:i + 2] if b] for i in range(0, len(removes), 2)]
    return text, [*rows, [b for b in nav if b]]


def render_feed_added(feed: StoredFeed, report: FeedPollReport,
                      language: str = DEFAULT_LANGUAGE) -> str:
    """/addfeed worked: the feed's id, name and what its first poll brought."""
    t = translator(language)
    text = t.gettext("Now following feed {id}: <b>{name}</b>").format(
        id=feed.id, name=escape(clip(feed_name(feed), 200)))
    brought = t.ngettext("{count} new article", "{count} new articles", report.added).format(
        count=report.added)
    if report.unchanged:
        brought += t.gettext(", {count} already known").format(count=report.unchanged)
    return fit([text + "\n" + brought + t.gettext(". /feeds lists every feed.")])


def render_feed_refused(url: str, result: PollResult, language: str = DEFAULT_LANGUAGE) -> str:
    """/addfeed's URL is not a feed newsbot can follow: why; nothing was stored."""
    reason = failure_text(result.state.last_error, result.fetch.detail, language)
    return fit([translator(language).gettext(
        "I did not add <code>{url}</code>: {reason}.\nNothing was stored.").format(
        url=escape(clip(url, _URL_SHOWN)), reason=escape(reason))])


def render_feed_already(url: str, feed_id: int, language: str = DEFAULT_LANGUAGE) -> str:
    return fit([translator(language).gettext(
        "<code>{url}</code> is followed already, as feed {id}. See /feeds.").format(
        url=escape(clip(url, _URL_SHOWN)), id=feed_id)])


def render_feed_removed(feed: StoredFeed, language: str = DEFAULT_LANGUAGE) -> str:
    """/removefeed worked; the feed's articles stay."""
    return fit([translator(language).gettext(
        "Stopped following feed {id}: {name}. Its articles stay.").format(
        id=feed.id, name=escape(clip(feed_name(feed), 200)))])


def feed_removed_alert(feed: StoredFeed, language: str = DEFAULT_LANGUAGE) -> str:
    """A «Remove N» button's answer (plain text, ≤ 200 characters)."""
    return clip(translator(language).gettext("Stopped following feed {id}: {name}.").format(
        id=feed.id, name=clip(feed_name(feed), 120)), ALERT_LIMIT)


def render_feed_not_found(ref: str, language: str = DEFAULT_LANGUAGE) -> str:
    return fit([translator(language).gettext(
        "No followed feed “{ref}”. /feeds lists them.").format(ref=escape(clip(ref, 200)))])


def feed_gone_alert(ref: str, language: str = DEFAULT_LANGUAGE) -> str:
    return clip(translator(language).gettext("Feed {ref} is no longer followed.").format(
        ref=ref), ALERT_LIMIT)


def render_poll_reports(reports: Sequence[FeedPollReport],
                        language: str = DEFAULT_LANGUAGE) -> str:
    """/pollnow's answer: totals, then each feed that failed and why."""
    t = translator(language)
    if not reports:
        return t.gettext("No feeds to poll. Add one with <code>/addfeed URL</code>.")
    failed = [r for r in reports if r.status in ("error", "disabled")]
    lines = [
        t.ngettext("<b>Polled {count} feed</b>", "<b>Polled {count} feeds</b>",
                   len(reports)).format(count=len(reports)),
        t.gettext("New articles: {count}").format(count=sum(r.added for r in reports)),
        t.gettext("Updated: {count}").format(count=sum(r.updated for r in reports)),
        t.gettext("Not modified: {count}").format(
            count=sum(1 for r in reports if r.status == "not_modified")),
        t.gettext("Failed: {count}").format(count=len(failed)),
    ]
    lines += [f"⚠ {r.id}. <code>{escape(clip(r.url, 100))}</code> — "
              f"{escape(failure_text(r.error, language=language))}" for r in failed]
    return fit(lines, "\n")


def render_feed_alert(feed: StoredFeed, report: FeedPollReport,
                      language: str = DEFAULT_LANGUAGE) -> str:
    """The one message admins get when a feed starts failing (``report.alert`` ``"failing"``)
    or recovers (``"recovered"``)."""
    t = translator(language)
    name = t.gettext("<b>{name}</b> (feed {id})").format(
        name=escape(clip(feed_name(feed), 200)), id=feed.id)
    url = f"<code>{escape(clip(feed.settings.url, _URL_SHOWN))}</code>"
    if report.alert == "recovered":
        return fit([t.gettext("✅ Feed recovered: {name} is polled normally again.").format(
            name=name) + f"\n{url}"])
    failures = feed.state.failures
    why = escape(failure_text(report.error or feed.state.last_error, language=language))
    if report.status == "disabled":
        then = t.gettext("It is no longer polled; remove it with /removefeed {id}.").format(
            id=feed.id)
    else:
        then = t.ngettext(
            "It failed {count} time in a row; I keep retrying with backoff and will tell you "
            "when it recovers.",
            "It failed {count} times in a row; I keep retrying with backoff and will tell you "
            "when it recovers.", failures).format(count=failures)
    return fit([t.gettext("⚠ Feed failing: {name}").format(name=name) + f"\n{url}\n"
                + t.gettext("Reason: {why}").format(why=why) + f"\n{then}"])


def render_feed_error(exc: NewsbotError, language: str = DEFAULT_LANGUAGE) -> str | None:
    """Words for the feeds' own errors (``FeedNotFound``, ``FeedAlreadyFollowed``); None
    for any other error, which ``render_error`` words."""
    if isinstance(exc, FeedNotFound):
        return render_feed_not_found(exc.ref, language)
    if isinstance(exc, FeedAlreadyFollowed):
        return render_feed_already(exc.url, exc.feed_id, language)
    return None
