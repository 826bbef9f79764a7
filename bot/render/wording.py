"""Whole messages and every sentence the bot says: help, usage, errors, tag lists, reports.

``render_error`` words each ``NewsbotError`` for a chat; ``error_alert`` for a button's alert
(plain text, at most 200 characters, Telegram's limit for a callback answer); ``inline_notice``
for the button above an inline query's results (plain text, at most 64).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.errors import (
    ArgumentOutOfRange,
    ArticleNotFound,
    ConfigError,
    EmptyArgument,
    ImportInProgress,
    InvalidDigestTime,
    InvalidQuery,
    NewsbotError,
    StoreError,
    SummaryError,
    TooBroadSearch,
    TooManySearches,
    UnknownTimezone,
    location,
)
from bot.models import ImportReport, Stats, TagCount
from bot.render.buttons import clip
from bot.render.cards import format_date
from bot.render.markup import escape, fit, fit_parts

ALERT_LIMIT = 200  # characters in a callback query's answer
INLINE_BUTTON_LIMIT = 64  # characters of the button above inline results
_LABEL = 200  # characters of one tag or query quoted back to the user

WELCOME = (
    "<b>Welcome to newsbot!</b> I summarise the news.\n\n"
    "Try:\n"
    "• /latest — the newest articles with short summaries\n"
    "• /search Belarus — find articles\n"
    "• /tags — topics you can follow for a daily digest\n\n"
    "/help lists everything I can do."
)


SEARCH_USAGE = (
    "Usage: <code>/search WORDS</code>\n"
    "Example: <code>/search Belarus</code> or <code>/search \"air defense\" -Putin</code>\n"
    "Filters: <code>tag:Economy</code>, <code>category:Politics</code>, prefix*"
)
LATEST_USAGE = (
    "Usage: <code>/latest [N] [tag]</code> — N from 1 to 20.\n"
    "Example: <code>/latest 10 Economy</code>"
)
ARTICLE_USAGE = "Usage: <code>/article ID</code> — the id is shown by /search and /latest."
SUBSCRIBE_USAGE = (
    "Usage: <code>/subscribe TAG[, TAG…]</code> — quote a tag that contains a comma.\n"
    "Example: <code>/subscribe Economy, \"Rates, Bonds\"</code>"
)
UNSUBSCRIBE_USAGE = (
    "Usage: <code>/unsubscribe TAG</code>\nExample: <code>/unsubscribe Economy</code>"
)
DIGEST_TIME_USAGE = (
    "Usage: <code>/digest_time HH:MM</code> (24-hour, your local time), "
    "e.g. <code>/digest_time 07:30</code>"
)
TIMEZONE_USAGE = (
    "Usage: <code>/timezone Area/City</code>, e.g. <code>/timezone Europe/Kyiv</code> "
    "or <code>/timezone UTC</code>"
)
USAGES = {
    "latest": LATEST_USAGE, "search": SEARCH_USAGE, "article": ARTICLE_USAGE,
    "subscribe": SUBSCRIBE_USAGE, "unsubscribe": UNSUBSCRIBE_USAGE,
    "digest_time": DIGEST_TIME_USAGE, "timezone": TIMEZONE_USAGE,
}
EXPIRED = "This list has expired — send /search again."
NOT_ADMIN = "This command is for administrators."
SOMETHING_WRONG = "Something went wrong, please try again."
ARTICLE_GONE = "That article is no longer available."
PAST_THE_END = "That page is past the last result."


def _quoted(text: str) -> str:
    return escape(clip(text, _LABEL))


def render_error(exc: NewsbotError, command: str | None = None) -> str:
    """A short answer for a NewsbotError met by ``command`` (without the slash): what was
    wrong, with the command's usage where that helps."""
    usage = USAGES.get(command or "", "")
    match exc:
        case ArticleNotFound():
            text = f"No article with id '{_quoted(exc.article_id)}'."
        case UnknownTimezone():
            text = f"Unknown timezone “{_quoted(exc.name)}”.\n{TIMEZONE_USAGE}"
        case InvalidDigestTime():
            text = DIGEST_TIME_USAGE
        case ArgumentOutOfRange(argument="offset"):
            text = PAST_THE_END
        case ArgumentOutOfRange():
            high = f" to {exc.high}" if exc.high is not None else " or more"
            text = usage or f"Choose a whole number from {exc.low}{high}."
        case TooBroadSearch(prefix_terms=0):
            text = "That search is too broad — try fewer or more specific words."
        case TooBroadSearch():
            text = "That search is too broad — try fewer prefix* terms."
        case TooManySearches():
            text = "One moment — you already have searches running."
        case EmptyArgument() | InvalidQuery():
            text = usage or f"Please give a valid {escape(exc.argument)}."
        case ImportInProgress():
            text = "An import is already running; try again when it has finished."
        case StoreError():
            text = "The news store is not available right now; please try again later."
        case SummaryError():
            text = "I could not summarise that article."
        case ConfigError():
            text = "newsbot is not set up for that yet; ask its administrator."
        case _:
            text = SOMETHING_WRONG
    return fit([text])


def error_alert(exc: NewsbotError) -> str:
    """``render_error`` as plain text for a button's alert."""
    if isinstance(exc, ArticleNotFound):
        return ARTICLE_GONE
    plain = html.unescape(re.sub(r"<[^>]*>", "", render_error(exc)))
    return clip(plain, ALERT_LIMIT)


def inline_notice(exc: NewsbotError) -> str:
    """``render_error`` as plain text for the button above an inline query's empty results
    (at most 64 characters, Telegram's limit)."""
    return clip(error_alert(exc), INLINE_BUTTON_LIMIT)


def render_help(commands: Sequence[tuple[str, str]]) -> str:
    """/help: one line per (command, help line), as ``handlers.commands.menu`` lists them."""
    lines = ["<b>What I can do</b>"]
    lines += [f"/{name} — {escape(text)}" for name, text in commands]
    lines.append(
        "\nSearch tips: words are combined with AND; \"quoted phrases\", prefix*, "
        "-exclude, tag:Economy, category:Politics."
    )
    lines.append("Inline: type @botname and a query in any chat.")
    return fit(lines, "\n")


def render_no_results(query: str) -> str:
    return fit([
        f"No articles match “{escape(clip(query, 100))}”.\n"
        "Try fewer or broader words, a prefix such as <code>elect*</code>, or /tags."
    ])


def render_no_latest(tag: str | None) -> str:
    """/latest found nothing (for ``tag``, if given)."""
    if tag:
        return fit([f"No articles tagged “{_quoted(tag)}”. See /tags."])
    return "No articles yet."


def render_tags(tags: Sequence[TagCount]) -> str:
    if not tags:
        return "No tags yet."
    lines = ["<b>Most used tags</b> (tap one to follow it)"]
    lines += [f"• {_quoted(t.name)} — {t.count}" for t in tags]
    return fit(lines, "\n")


def render_subscriptions(tags: Sequence[str]) -> str:
    if not tags:
        return "You follow no tags yet. Try /tags or <code>/subscribe Economy</code>."
    lines = ["<b>You follow</b> (tap to stop following)"]
    lines += [f"• {_quoted(t)}" for t in tags]
    return fit(lines, "\n")


def _tag_list(tags: Sequence[str]) -> str:
    return ", ".join(_quoted(t) for t in tags)


def render_subscribed(added: Sequence[str], already: Sequence[str],
                      unknown: Sequence[str]) -> str:
    """The /subscribe answer; long lists are shortened, the last line always kept."""
    parts = [
        ("", f"Now following: {_tag_list(added)}." if added else ""),
        ("\n", f"Already following: {_tag_list(already)}." if already else ""),
        ("\n", f"No articles carry {_tag_list(unknown)} yet; you will get them when they "
               "arrive." if unknown else ""),
        ("\n", "See /subscriptions."),
    ]
    return fit_parts(parts, (2, 1, 0))


def render_unsubscribed(removed: str | None, tag: str) -> str:
    """The /unsubscribe answer: ``removed`` is the tag as it was followed, or None."""
    if removed:
        return f"Stopped following {_quoted(removed)}."
    return f"You were not following {_quoted(tag)}. See /subscriptions."


def follow_alert(added: bool, tag: str) -> str:
    """A «Follow» button's answer (plain text)."""
    return f"Now following {clip(tag, 150)}." if added else f"You already follow {clip(tag, 150)}."


def unfollow_alert(removed: str | None, tag: str) -> str:
    """An «Unfollow» button's answer (plain text)."""
    if removed:
        return f"Stopped following {clip(removed, 150)}."
    return f"You were not following {clip(tag, 150)}."


def render_import_report(report: ImportReport, limit: int = 20) -> str:
    lines = [
        "<b>Import finished</b>",
        f"Added: {report.added}",
        f"Updated: {report.updated}",
        f"Unchanged: {report.unchanged}",
        f"Failed: {len(report.failed)}",
    ]
    for failure in report.failed[:limit]:
        where = clip(location(failure.path, failure.line), 300)
        lines.append(f"• <code>{escape(where)}</code> — {escape(clip(failure.error, 300))}")
    if len(report.failed) > limit:
        lines.append(f"…and {len(report.failed) - limit} more.")
    return fit(lines, "\n")


def render_stats(stats: Stats) -> str:
    last = format_date(stats.last_import) + " UTC" if stats.last_import else "never"
    return "\n".join([
        "<b>newsbot statistics</b>",
        f"Articles: {stats.articles}",
        f"Tags: {stats.tags}",
        f"Categories: {stats.categories}",
        f"Sources: {stats.sources}",
        f"Subscribers: {stats.subscribers}",
        f"Last import: {escape(last)}",
        f"Database size: {stats.database_bytes / 1_048_576:.1f} MiB",
    ])
