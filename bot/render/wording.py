"""Whole messages and sentences the bot says: help, usage, errors, tag lists, reports.

Every function takes the chat's ``language`` and words its text through the language's
catalog (``bot.render.i18n``). The constants are English msgids, marked with ``N_`` for the
catalog; ``translate`` words one in a language.
``render_error`` words each ``NewsbotError`` for a chat; ``error_alert`` for a button's alert
(plain text, at most 200 characters, Telegram's limit for a callback answer); ``inline_notice``
for the button above an inline query's results (plain text, at most 64).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from babel.numbers import format_decimal

from bot.errors import (
    ArgumentOutOfRange,
    ArticleNotFound,
    ChannelRefused,
    ConfigError,
    EmptyArgument,
    ImportInProgress,
    InvalidDigestTime,
    InvalidQuery,
    NewsbotError,
    StoreError,
    SummaryError,
    TooBroadSearch,
    TooManyAlerts,
    TooManySearches,
    UnknownTimezone,
    location,
)
from bot.models import ImportReport, Stats, TagCount
from bot.render.alerts import ALERT_USAGE
from bot.render.buttons import ALERT_LIMIT, clip
from bot.render.cards import format_date
from bot.render.channels import CHANNEL_USAGE, render_channel_refused
from bot.render.delivery import QUIET_USAGE, SILENT_USAGE
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator
from bot.render.markup import escape, fit, fit_parts

INLINE_BUTTON_LIMIT = 64  # characters of the button above inline results
_LABEL = 200  # characters of one tag or query quoted back to the user

WELCOME = N_(
    "<b>Welcome to newsbot!</b> I summarise the news.\n\n"
    "Try:\n"
    "• /latest — the newest articles with short summaries\n"
    "• /search Belarus — find articles\n"
    "• /tags — topics you can follow for a daily digest\n\n"
    "/help lists everything I can do."
)
SEARCH_USAGE = N_(
    "Usage: <code>/search WORDS</code>\n"
    "Example: <code>/search Belarus</code> or <code>/search \"air defense\" -Putin</code>\n"
    "Filters: <code>tag:Economy</code>, <code>category:Politics</code>, prefix*"
)
LATEST_USAGE = N_(
    "Usage: <code>/latest [N] [tag]</code> — N from 1 to 20.\n"
    "Example: <code>/latest 10 Economy</code>"
)
ARTICLE_USAGE = N_(
    "Usage: <code>/article ID</code> — the id is shown by /search and /latest."
)
SUBSCRIBE_USAGE = N_(
    "Usage: <code>/subscribe TAG[, TAG…]</code> — quote a tag that contains a comma.\n"
    "Example: <code>/subscribe Economy, \"Rates, Bonds\"</code>"
)
UNSUBSCRIBE_USAGE = N_(
    "Usage: <code>/unsubscribe TAG</code>\nExample: <code>/unsubscribe Economy</code>"
)
DIGEST_TIME_USAGE = N_(
    "Usage: <code>/digest_time HH:MM</code> (24-hour, your local time), "
    "e.g. <code>/digest_time 07:30</code>"
)
TIMEZONE_USAGE = N_(
    "Usage: <code>/timezone Area/City</code>, e.g. <code>/timezone Europe/Kyiv</code> "
    "or <code>/timezone UTC</code>"
)
USAGES = {
    "alert": ALERT_USAGE, "quiet": QUIET_USAGE, "silent": SILENT_USAGE, "channel": CHANNEL_USAGE,
    "latest": LATEST_USAGE, "search": SEARCH_USAGE, "article": ARTICLE_USAGE,
    "subscribe": SUBSCRIBE_USAGE, "unsubscribe": UNSUBSCRIBE_USAGE,
    "digest_time": DIGEST_TIME_USAGE, "timezone": TIMEZONE_USAGE,
}
EXPIRED = N_("This list has expired — send /search again.")
NOT_ADMIN = N_("This command is for administrators.")
PRIVATE_CHAT_ONLY = N_("Send me this command in a private chat.")
CHAT_ADMINS_ONLY = N_(
    "Only this chat's administrators can change what it follows and how news arrives.")
SOMETHING_WRONG = N_("Something went wrong, please try again.")
ARTICLE_GONE = N_("That article is no longer available.")
PAST_THE_END = N_("That page is past the last result.")
NO_TAGS_ON_ARTICLE = N_("This article has no tags.")
ALREADY_IMPORTING = N_("An import is already running; I will not start another.")
REIMPORTING = N_("Re-importing the articles…")
_INVALID_ARGUMENT = {
    "tags": N_("Please give at least one tag."),
    "tag": N_("Please give a tag."),
    "timezone": N_("Please give a timezone."),
    "count": N_("Please give a whole number."),
    "query": N_("Please give words to search for."),
}
_CHECK_ARGUMENTS = N_("Please check the command and try again.")


def translate(message: str, language: str = DEFAULT_LANGUAGE) -> str:
    """One of this module's constants (an English msgid) in ``language``."""
    return translator(language).gettext(message)


def render_welcome(language: str = DEFAULT_LANGUAGE) -> str:
    """/start."""
    return translate(WELCOME, language)


def render_usage(command: str, language: str = DEFAULT_LANGUAGE) -> str:
    """How to use ``command`` (without the slash); "" for a command with no usage."""
    return translate(USAGES[command], language) if command in USAGES else ""


def _quoted(text: str) -> str:
    return escape(clip(text, _LABEL))


def render_error(exc: NewsbotError, command: str | None = None,
                 language: str = DEFAULT_LANGUAGE) -> str:
    """A short answer for a NewsbotError met by ``command`` (without the slash): what was
    wrong, with the command's usage where that helps."""
    _ = translator(language).gettext
    usage = render_usage(command or "", language)
    match exc:
        case ArticleNotFound():
            text = _("No article with id '{id}'.").format(id=_quoted(exc.article_id))
        case UnknownTimezone():
            text = _("Unknown timezone “{name}”.").format(name=_quoted(exc.name))
            text += "\n" + render_usage("timezone", language)
        case InvalidDigestTime():
            text = render_usage("digest_time", language)
        case ArgumentOutOfRange(argument="offset"):
            text = _(PAST_THE_END)
        case ArgumentOutOfRange():
            if exc.high is None:
                bounds = _("Choose a whole number from {low} or more.")
            else:
                bounds = _("Choose a whole number from {low} to {high}.")
            text = usage or bounds.format(low=exc.low, high=exc.high)
        case TooBroadSearch(prefix_terms=0):
            text = _("That search is too broad — try fewer or more specific words.")
        case TooBroadSearch():
            text = _("That search is too broad — try fewer prefix* terms.")
        case TooManySearches():
            text = _("One moment — you already have searches running.")
        case TooManyAlerts():
            text = _("This chat already has {limit} saved searches; remove one in /alerts "
                     "first.").format(limit=exc.limit)
        case EmptyArgument() | InvalidQuery():
            text = usage or _(_INVALID_ARGUMENT.get(exc.argument, _CHECK_ARGUMENTS))
        case ChannelRefused():
            text = render_channel_refused(exc, language)
        case ImportInProgress():
            text = _("An import is already running; try again when it has finished.")
        case StoreError():
            text = _("The news store is not available right now; please try again later.")
        case SummaryError():
            text = _("I could not summarise that article.")
        case ConfigError():
            text = _("newsbot is not set up for that yet; ask its administrator.")
        case _:
            text = _(SOMETHING_WRONG)
    return fit([text])


def error_alert(exc: NewsbotError, language: str = DEFAULT_LANGUAGE) -> str:
    """``render_error`` as plain text for a button's alert."""
    if isinstance(exc, ArticleNotFound):
        return translate(ARTICLE_GONE, language)
    plain = html.unescape(re.sub(r"<[^>]*>", "", render_error(exc, language=language)))
    return clip(plain, ALERT_LIMIT)


def inline_notice(exc: NewsbotError, language: str = DEFAULT_LANGUAGE) -> str:
    """``render_error`` as plain text for the button above an inline query's empty results
    (at most 64 characters, Telegram's limit)."""
    return clip(error_alert(exc, language), INLINE_BUTTON_LIMIT)


def render_help(commands: Sequence[tuple[str, str]], language: str = DEFAULT_LANGUAGE) -> str:
    """/help: one line per (command, help line), as ``handlers.commands.menu`` lists them
    (already in ``language``)."""
    _ = translator(language).gettext
    lines = [_("<b>What I can do</b>")]
    lines += [f"/{name} — {escape(text)}" for name, text in commands]
    lines.append("\n" + _(
        "Search tips: words are combined with AND; \"quoted phrases\", prefix*, "
        "-exclude, tag:Economy, category:Politics."
    ))
    lines.append(_("Inline: type @botname and a query in any chat."))
    return fit(lines, "\n")


def render_no_results(query: str, language: str = DEFAULT_LANGUAGE) -> str:
    _ = translator(language).gettext
    return fit([
        _("No articles match “{query}”.").format(query=escape(clip(query, 100))) + "\n"
        + _("Try fewer or broader words, a prefix such as <code>elect*</code>, or /tags.")
    ])


def render_no_latest(tag: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """/latest found nothing (for ``tag``, if given)."""
    _ = translator(language).gettext
    if tag:
        return fit([_("No articles tagged “{tag}”. See /tags.").format(tag=_quoted(tag))])
    return _("No articles yet.")


def render_tags(tags: Sequence[TagCount], language: str = DEFAULT_LANGUAGE) -> str:
    _ = translator(language).gettext
    if not tags:
        return _("No tags yet.")
    lines = [_("<b>Most used tags</b> (tap one to follow it)")]
    lines += [f"• {_quoted(t.name)} — {t.count}" for t in tags]
    return fit(lines, "\n")


def render_no_subscriptions(language: str = DEFAULT_LANGUAGE) -> str:
    """/subscriptions or /digest in a chat that follows nothing."""
    return translator(language).gettext(
        "You follow no tags yet. Try /tags or <code>/subscribe Economy</code>.")


def render_subscriptions(tags: Sequence[str], language: str = DEFAULT_LANGUAGE) -> str:
    if not tags:
        return render_no_subscriptions(language)
    lines = [translator(language).gettext("<b>You follow</b> (tap to stop following)")]
    lines += [f"• {_quoted(t)}" for t in tags]
    return fit(lines, "\n")


def _tag_list(tags: Sequence[str]) -> str:
    return ", ".join(_quoted(t) for t in tags)


def render_subscribed(added: Sequence[str], already: Sequence[str],
                      unknown: Sequence[str], language: str = DEFAULT_LANGUAGE) -> str:
    """The /subscribe answer; long lists are shortened, the last line always kept."""
    _ = translator(language).gettext
    parts = [
        ("", _("Now following: {tags}.").format(tags=_tag_list(added)) if added else ""),
        ("\n", _("Already following: {tags}.").format(tags=_tag_list(already))
         if already else ""),
        ("\n", _("No articles carry {tags} yet; you will get them when they arrive.").format(
            tags=_tag_list(unknown)) if unknown else ""),
        ("\n", _("See /subscriptions.")),
    ]
    return fit_parts(parts, (2, 1, 0))


def render_unsubscribed(removed: str | None, tag: str,
                        language: str = DEFAULT_LANGUAGE) -> str:
    """The /unsubscribe answer: ``removed`` is the tag as it was followed, or None."""
    _ = translator(language).gettext
    if removed:
        return _("Stopped following {tag}.").format(tag=_quoted(removed))
    return _("You were not following {tag}. See /subscriptions.").format(tag=_quoted(tag))


def follow_alert(added: bool, tag: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A «Follow» button's answer (plain text)."""
    _ = translator(language).gettext
    text = _("Now following {tag}.") if added else _("You already follow {tag}.")
    return clip(text.format(tag=clip(tag, 150)), ALERT_LIMIT)


def unfollow_alert(removed: str | None, tag: str, language: str = DEFAULT_LANGUAGE) -> str:
    """An «Unfollow» button's answer (plain text)."""
    _ = translator(language).gettext
    if removed:
        text = _("Stopped following {tag}.").format(tag=clip(removed, 150))
    else:
        text = _("You were not following {tag}.").format(tag=clip(tag, 150))
    return clip(text, ALERT_LIMIT)


def render_import_report(report: ImportReport, limit: int = 20,
                         language: str = DEFAULT_LANGUAGE) -> str:
    t = translator(language)
    _ = t.gettext
    lines = [
        _("<b>Import finished</b>"),
        _("Added: {count}").format(count=report.added),
        _("Updated: {count}").format(count=report.updated),
        _("Unchanged: {count}").format(count=report.unchanged),
        _("Failed: {count}").format(count=len(report.failed)),
    ]
    for failure in report.failed[:limit]:
        where = clip(location(failure.path, failure.line), 300)
        lines.append(f"• <code>{escape(where)}</code> — {escape(clip(failure.error, 300))}")
    if len(report.failed) > limit:
        rest = len(report.failed) - limit
        lines.append(t.ngettext("…and {count} more.", "…and {count} more.", rest).format(
            count=rest))
    return fit(lines, "\n")


def render_stats(stats: Stats, language: str = DEFAULT_LANGUAGE) -> str:
    _ = translator(language).gettext
    last = format_date(stats.last_import, language) + " UTC" if stats.last_import else _("never")
    return "\n".join([
        _("<b>newsbot statistics</b>"),
        _("Articles: {count}").format(count=stats.articles),
        _("Tags: {count}").format(count=stats.tags),
        _("Categories: {count}").format(count=stats.categories),
        _("Sources: {count}").format(count=stats.sources),
        _("Subscribers: {count}").format(count=stats.subscribers),
        _("Last import: {when}").format(when=escape(last)),
        _("Database size: {size} MiB").format(size=format_decimal(
            stats.database_bytes / 1_048_576, "0.0", locale=language)),
    ])
