"""Telegram message layout: HTML escaping, cards, keyboards' data and 4,096-char splitting.

Every piece of article or user text goes through ``escape`` before it reaches a message.
Layout functions return HTML strings (or lists of them, each within Telegram's limit) and
plain button descriptions; the handlers turn those into ``telegram`` objects.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.models import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Article,
    Digest,
    ImportReport,
    SearchPage,
    Stats,
    Summary,
    TagCount,
)

MESSAGE_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
CALLBACK_LIMIT = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64 bytes
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


# -- buttons ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str


def callback_data(verb: str, *args: object) -> str | None:
    """``verb:arg:arg``, or None when it would not fit Telegram's 64-byte limit."""
    data = ":".join([verb, *(str(a) for a in args)])
    return data if len(data.encode("utf-8")) <= CALLBACK_LIMIT else None


def parse_callback(data: str | None) -> tuple[str, list[str]]:
    """Split callback data into its verb and arguments (the last may contain ':')."""
    verb, _, rest = (data or "").partition(":")
    return verb, rest.split(":") if rest else []


def _button(text: str, verb: str, *args: object) -> Button | None:
    data = callback_data(verb, *args)
    return Button(text, data) if data else None


def button_rows(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    """Buttons laid out ``per_row`` to a keyboard row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def _limit_label(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def article_buttons(article: Article) -> list[Button]:
    buttons = [_button("Full text", "full", article.id)]
    if article.tags:
        buttons.append(
            _button(f"Follow {_limit_label(article.tags[0], 24)}", "follow", article.id)
        )
    return [b for b in buttons if b]


def tag_buttons(tags: Iterable[TagCount | str], verb: str, label: str) -> list[Button]:
    """One button per tag; a tag too long for callback data gets no button."""
    buttons = []
    for tag in tags:
        name = tag.name if isinstance(tag, TagCount) else tag
        button = _button(f"{label} {_limit_label(name, 30)}", verb, name)
        if button:
            buttons.append(button)
    return buttons


# -- text pieces ------------------------------------------------------------------------------


def format_date(when: datetime) -> str:
    return when.strftime("%-d %b %Y, %H:%M")


def highlight(snippet: str) -> str:
    """Escape a search snippet and turn its match markers into bold."""
    text = escape(snippet.replace("\n", " "))
    opened = 0
    out = []
    for char in text:
        if char == HIGHLIGHT_START and not opened:
            out.append("<b>")
            opened = 1
        elif char == HIGHLIGHT_END and opened:
            out.append("</b>")
            opened = 0
        elif char not in (HIGHLIGHT_START, HIGHLIGHT_END):
            out.append(char)
    if opened:
        out.append("</b>")
    return "".join(out)


def article_header(article: Article) -> str:
    lines = [
        f"<b>{escape(article.title)}</b>",
        f"<i>{escape(format_date(article.published))} · {escape(article.source)}"
        f" · {escape(article.category)}</i>",
    ]
    if article.tags:
        lines.append("Tags: " + escape(", ".join(article.tags)))
    return "\n".join(lines)


def render_summary(summary: Summary) -> str:
    return escape(" ".join(summary.sentences)) if summary.sentences else ""


def render_card(article: Article, summary: Summary, note: str = "") -> str:
    """An article as a feed item: header, the summary, an optional note; always fits."""
    parts = [article_header(article)]
    if note:
        parts.append(note)
    if summary.sentences:
        parts.append(render_summary(summary))
    return fit(parts)


def fit(parts: Sequence[str], separator: str = "\n\n", limit: int = MESSAGE_LIMIT) -> str:
    """Join HTML blocks, dropping trailing ones so the result fits in one message."""
    text = separator.join(p for p in parts if p)
    if telegram_length(text) <= limit:
        return text
    return split_blocks(parts, limit - 2, separator)[0].rstrip() + "\n…"


# -- splitting --------------------------------------------------------------------------------


def _pieces(block: str, limit: int) -> list[str]:
    """Break one over-long plain-text block at sentences, then words, then characters."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(block):
        while telegram_length(escape(sentence)) > limit:
            cut = _cut(sentence, limit)
            pieces.append(sentence[:cut].rstrip())
            sentence = sentence[cut:].lstrip()
        if sentence:
            pieces.append(sentence)
    return pieces


def _cut(text: str, limit: int) -> int:
    """The longest prefix whose escaped form fits, ending at a space where possible."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if telegram_length(escape(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    space = text.rfind(" ", 0, low)
    return space if space > low // 2 else low


def split_blocks(
    blocks: Sequence[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n"
) -> list[str]:
    """Pack HTML blocks (joined by ``separator``) into messages of at most ``limit``.

    Blocks are kept whole; a block longer than a message must be plain escaped text and is
    broken at sentence, then word boundaries.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if not block:
            continue
        units = [block]
        if telegram_length(block) > limit:
            units = [escape(p) for p in _pieces(html.unescape(block), limit)]
        for unit in units:
            joined = f"{current}{separator}{unit}" if current else unit
            if telegram_length(joined) <= limit:
                current = joined
                continue
            if current:
                messages.append(current)
            current = unit
    if current:
        messages.append(current)
    return messages or [""]


def render_full_article(article: Article) -> list[str]:
    """The whole article as one or more messages, split at paragraphs or sentences."""
    blocks = [article_header(article)]
    if article.subtitle and article.subtitle != article.title:
        blocks.append(f"<i>{escape(article.subtitle)}</i>")
    blocks.extend(escape(p) for p in article.paragraphs)
    messages = split_blocks(blocks)
    if len(messages) > 1:
        total = len(messages)
        marked = [f"{m}\n\n<i>({n}/{total})</i>" for n, m in enumerate(messages, 1)]
        if all(telegram_length(m) <= MESSAGE_LIMIT for m in marked):
            return marked
    return messages


# -- whole messages ---------------------------------------------------------------------------

WELCOME = (
    "<b>Welcome to newsbot!</b> I summarise the news.\n\n"
    "Try:\n"
    "• /latest — the newest articles with short summaries\n"
    "• /search Belarus — find articles\n"
    "• /tags — topics you can follow for a daily digest\n\n"
    "/help lists everything I can do."
)

def render_help(commands: Sequence[tuple[str, str]]) -> str:
    """/help: one line per (command, help line), as ``handlers.commands.menu`` lists them."""
    lines = ["<b>What I can do</b>"]
    lines += [f"/{name} — {escape(text)}" for name, text in commands]
    lines.append(
        "\nSearch tips: words are combined with AND; \"quoted phrases\", prefix*, "
        "-exclude, tag:Economy, category:Politics."
    )
    lines.append("Inline: type @botname and a query in any chat.")
    return "\n".join(lines)


def render_search_page(page: SearchPage, summaries: dict[str, Summary]) -> str:
    start = page.offset + 1
    lines = [
        f"<b>Results for “{escape(_limit_label(page.query, 100))}”</b>"
        f" ({start}–{page.offset + len(page.hits)})"
    ]
    for number, hit in enumerate(page.hits, start):
        article = hit.article
        text = highlight(hit.snippet) if hit.snippet else render_summary(
            summaries.get(article.id, Summary((), "", ""))
        )
        lines.append(
            f"<b>{number}. {escape(article.title)}</b>\n"
            f"<i>{escape(format_date(article.published))} · {escape(article.source)}</i>\n"
            f"{text}"
        )
    return fit(lines)


def render_no_results(query: str) -> str:
    return (
        f"No articles match “{escape(_limit_label(query, 100))}”.\n"
        "Try fewer or broader words, a prefix such as <code>elect*</code>, or /tags."
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
    "Usage: <code>/subscribe TAG[, TAG…]</code>\nExample: <code>/subscribe Economy, Climate</code>"
)
UNSUBSCRIBE_USAGE = (
    "Usage: <code>/unsubscribe TAG</code>\nExample: <code>/unsubscribe Economy</code>"
)
EXPIRED = "This list has expired — send /search again."
NOT_ADMIN = "This command is for administrators."
SOMETHING_WRONG = "Something went wrong, please try again."


def render_tags(tags: Sequence[TagCount]) -> str:
    if not tags:
        return "No tags yet."
    lines = ["<b>Most used tags</b> (tap one to follow it)"]
    lines += [f"• {escape(t.name)} — {t.count}" for t in tags]
    return fit(lines, "\n")


def render_subscriptions(tags: Sequence[str]) -> str:
    if not tags:
        return "You follow no tags yet. Try /tags or <code>/subscribe Economy</code>."
    lines = ["<b>You follow</b> (tap to stop following)"]
    lines += [f"• {escape(t)}" for t in tags]
    return fit(lines, "\n")


def render_subscribed(added: Sequence[str], already: Sequence[str],
                      unknown: Sequence[str]) -> str:
    lines = []
    if added:
        lines.append("Now following: " + escape(", ".join(added)) + ".")
    if already:
        lines.append("Already following: " + escape(", ".join(already)) + ".")
    if unknown:
        lines.append("No articles carry " + escape(", ".join(unknown))
                     + " yet; you will get them when they arrive.")
    lines.append("See /subscriptions.")
    return "\n".join(lines)


def render_import_report(report: ImportReport, limit: int = 20) -> str:
    lines = [
        "<b>Import finished</b>",
        f"Added: {report.added}",
        f"Updated: {report.updated}",
        f"Unchanged: {report.unchanged}",
        f"Failed: {len(report.failed)}",
    ]
    for failure in report.failed[:limit]:
        where = failure.path + (f":{failure.line}" if failure.line is not None else "")
        lines.append(f"• <code>{escape(where)}</code> — {escape(failure.error)}")
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


# -- article lists: /latest and digests ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListMessage:
    """One message of a numbered article list: whole items, a keyboard row per item."""

    text: str
    rows: list[list[Button]]
    article_ids: list[str]

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.rows for button in row]


# Digests are article lists too; the name says where a message is going.
DigestMessage = ListMessage


def _item_block(number: int, article: Article, detail: str, summary: Summary) -> str:
    lines = [f"<b>{number}. {escape(article.title)}</b>", detail]
    if summary.sentences:
        lines.append(render_summary(summary))
    return split_blocks(["\n".join(lines)])[0]


def _pack(
    header: str, items: Sequence[tuple[str, str, list[Button]]], footer: str = ""
) -> list[ListMessage]:
    """Join (block, article id, buttons) items under a header into messages ≤ 4,096 characters,
    never splitting an item."""
    messages: list[ListMessage] = []
    text, rows, ids = header, [], []
    blocks: list[tuple[str, str | None, list[Button]]] = [*items]
    if footer:
        blocks.append((footer, None, []))
    for block, article_id, buttons in blocks:
        joined = f"{text}\n\n{block}"
        # The header always keeps the first item; later blocks start a message when full.
        if (ids or article_id is None) and telegram_length(joined) > MESSAGE_LIMIT:
            messages.append(ListMessage(text, rows, ids))
            text, rows, ids = block, [], []
        else:
            text = joined
        if article_id is not None:
            ids.append(article_id)
        if buttons:
            rows.append(buttons)
    messages.append(ListMessage(text, rows, ids))
    return messages


def render_latest(
    briefs: Sequence[tuple[Article, Summary]], tag: str | None = None
) -> list[ListMessage]:
    """/latest as one message (more only past 4,096 characters): numbered items with their
    summaries, and for each a row of «Full text N» and «Follow ‹first tag›»."""
    header = "<b>Latest news</b>" + (f" tagged “{escape(tag)}”" if tag else "")
    items = []
    for number, (article, summary) in enumerate(briefs, 1):
        detail = (f"<i>{escape(format_date(article.published))} · {escape(article.source)}"
                  f" · {escape(article.category)}</i>")
        if article.tags:
            detail += "\nTags: " + escape(", ".join(article.tags))
        buttons = [_button(f"Full text {number}", "full", article.id)]
        if article.tags:
            label = f"Follow {_limit_label(article.tags[0], 24)}"
            buttons.append(_button(label, "follow", article.id))
        items.append((_item_block(number, article, detail, summary), article.id,
                      [b for b in buttons if b]))
    return _pack(header, items)


def render_digest(digest: Digest) -> list[ListMessage]:
    """A digest as messages of whole items, each ≤ 4,096 characters with its own buttons."""
    if not digest.items:
        return []
    count = len(digest.items) + digest.more
    header = f"<b>Your news digest</b> — {count} new article{'s' if count != 1 else ''}"
    items = []
    for number, item in enumerate(digest.items, 1):
        article = item.article
        detail = (f"<i>{escape(format_date(article.published))} · {escape(article.source)}</i>"
                  "\nMatched: " + escape(", ".join(item.matched_tags)))
        button = _button(f"Full text {number}", "full", article.id)
        items.append((_item_block(number, article, detail, item.summary), article.id,
                      [button] if button else []))
    footer = ""
    if digest.more:
        footer = f"…and {digest.more} more — /latest {escape(digest.more_tag or '')}".rstrip()
    return _pack(header, items, footer)
