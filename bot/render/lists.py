"""Numbered article lists, /latest and digests: whole items, with a keyboard row each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.models import Article, Digest, Summary
from bot.render.buttons import (
    Button,
    article_buttons,
    button,
    button_rows,
    clip,
    full_text_label,
    full_text_link,
    source_button,
)
from bot.render.cards import (
    ALERTS_LABEL,
    MATCHED_LABEL,
    article_item,
    meta_line,
    render_summary,
    tags_line,
)
from bot.render.i18n import DEFAULT_LANGUAGE, translator
from bot.render.markup import MESSAGE_LIMIT, escape, fit, telegram_length

DIGEST_BUTTONS_PER_ROW = 3


@dataclass(frozen=True, slots=True)
class ListMessage:
    """One message of a numbered article list: whole items, a keyboard row per item."""

    text: str
    rows: list[list[Button]]
    article_ids: list[str]

    @property
    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


def _pack(
    header: str, items: Sequence[tuple[str, str, list[Button]]], footer: str = ""
) -> list[ListMessage]:
    """Join (block, article id, buttons) items under a header into messages that fit, never
    splitting an item; each item was fitted to share a message with the header."""
    messages: list[ListMessage] = []
    text, rows, ids = header, [], []
    blocks: list[tuple[str, str | None, list[Button]]] = [*items]
    if footer:
        blocks.append((footer, None, []))
    for block, article_id, buttons in blocks:
        joined = f"{text}\n\n{block}"
        # The header always keeps the first item; later blocks start a message when full.
        if (ids or article_id is None) and telegram_length(joined) > MESSAGE_LIMIT:
            messages.append(ListMessage(fit([text]), rows, ids))
            text, rows, ids = block, [], []
        else:
            text = joined
        if article_id is not None:
            ids.append(article_id)
        if buttons:
            rows.append(buttons)
    messages.append(ListMessage(fit([text]), rows, ids))
    return messages


def _room(header: str) -> int:
    return MESSAGE_LIMIT - telegram_length(header) - 2


def render_latest(
    briefs: Sequence[tuple[Article, Summary]], tag: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> list[ListMessage]:
    """/latest as one message (more only past 4,096 characters): numbered items with their
    summaries, and for each a row of «Full text N» and «Follow ‹first tag›»."""
    _ = translator(language).gettext
    if tag:
        header = _("<b>Latest news</b> tagged “{tag}”").format(tag=escape(clip(tag, 100)))
    else:
        header = _("<b>Latest news</b>")
    items = []
    for number, (article, summary) in enumerate(briefs, 1):
        block = article_item(f"{number}. {escape(article.title)}",
                             meta_line(article, language=language),
                             tags_line(article.tags, language=language),
                             render_summary(summary), _room(header))
        items.append((block, article.id, article_buttons(article, number, language)))
    return _pack(header, items)


def _matched_line(tags: tuple[str, ...], queries: tuple[str, ...], language: str) -> str:
    """What brought a digest item: its followed tags, then the saved searches it matched."""
    lines = [tags_line(tags, MATCHED_LABEL, language),
             tags_line(tuple(f"“{q}”" for q in queries), ALERTS_LABEL, language)]
    return "\n".join(line for line in lines if line)


def render_digest(digest: Digest, language: str = DEFAULT_LANGUAGE, *,
                  bot_username: str | None = None) -> list[ListMessage]:
    """A digest as messages of whole items, each ≤ 4,096 characters with its own buttons.
    A channel's digest is given the posting bot's ``bot_username``: its readers are nobody's
    "you", and «Full text N» opens the article in a private chat with the bot."""
    if not digest.items:
        return []
    t = translator(language)
    count = len(digest.items) + digest.more
    if bot_username:
        header = t.ngettext("<b>News digest</b> — {count} new article",
                            "<b>News digest</b> — {count} new articles", count)
    else:
        header = t.ngettext("<b>Your news digest</b> — {count} new article",
                            "<b>Your news digest</b> — {count} new articles", count)
    header = header.format(count=count)
    items = []
    for number, item in enumerate(digest.items, 1):
        article = item.article
        block = article_item(f"{number}. {escape(article.title)}",
                             meta_line(article, category=False, language=language),
                             _matched_line(item.matched_tags, item.matched_alerts, language),
                             render_summary(item.summary), _room(header))
        full = (full_text_link(article, bot_username, number, language) if bot_username
                else button(full_text_label(number, language), "full", article.id))
        row = [full, source_button(article, number, language)]
        items.append((block, article.id, [b for b in row if b]))
    footer = ""
    if digest.more:
        more_tag = escape(clip(digest.more_tag or "", 100))
        footer = t.ngettext("…and {count} more — /latest {tag}",
                            "…and {count} more — /latest {tag}", digest.more).format(
                                count=digest.more, tag=more_tag).rstrip()
    return [_compact(message) for message in _pack(header, items, footer)]


def _compact(message: ListMessage) -> ListMessage:
    """A digest's keyboard: a row per item when some item has «Read at source» beside its
    «Full text», else the «Full text N» buttons DIGEST_BUTTONS_PER_ROW to a row."""
    if any(len(row) > 1 for row in message.rows):
        return message
    return replace(message, rows=button_rows(message.buttons, DIGEST_BUTTONS_PER_ROW))
