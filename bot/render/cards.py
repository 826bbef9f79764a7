"""Articles as Telegram HTML: headers, cards, the full text, a page of search results.

An article that cannot fit keeps its title: its tags, then its summary (or note, or
snippet), then its date line are shortened or dropped first.
"""

from __future__ import annotations

import html
from datetime import datetime

from bot.models import HIGHLIGHT_END, HIGHLIGHT_START, Article, SearchPage, Summary
from bot.render.buttons import clip, is_linkable
from bot.render.markup import MESSAGE_LIMIT, escape, fit, fit_parts, pack, telegram_length

TITLE, META, TAGS, EXTRA, BODY = range(5)
TRIM_ORDER = (TAGS, BODY, EXTRA, META, TITLE)  # the title goes last
_MARK_ROOM = 32  # room kept in each part of a long article for its "(n/N)" mark


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


_ALSO_SHOWN = 5  # other outlets named under a story; the rest are counted


def also_line(article: Article) -> str:
    """«also: Reuters, BBC»: the other outlets that carried the same story; "" for none."""
    if not article.also:
        return ""
    names = [clip(name, 40) for name in article.also[:_ALSO_SHOWN]]
    more = len(article.also) - len(names)
    return "also: " + escape(", ".join(names)) + (f" and {more} more" if more else "")


def meta_line(article: Article, *, category: bool = True) -> str:
    """The date, source (and category) line in italics, and the «also:» line under it when
    other outlets carried the same story."""
    fields = [format_date(article.published), article.source]
    if category:
        fields.append(article.category)
    also = also_line(article)
    return f"<i>{escape(' · '.join(fields))}</i>" + (f"\n{also}" if also else "")


def tags_line(tags: tuple[str, ...] | list[str], label: str = "Tags") -> str:
    return f"{label}: " + escape(", ".join(tags)) if tags else ""


def render_summary(summary: Summary) -> str:
    return escape(" ".join(summary.sentences)) if summary.sentences else ""


def article_item(title: str, meta: str, tags: str, body: str, limit: int) -> str:
    """One article's block within ``limit``: the bold title (HTML), the meta line, tags, the
    body (a summary or snippet), trimmed in ``TRIM_ORDER``."""
    parts = [("", f"<b>{title}</b>"), ("\n", meta), ("\n", tags), ("\n", ""), ("\n", body)]
    return fit_parts(parts, TRIM_ORDER, limit)


def article_header(article: Article, limit: int = MESSAGE_LIMIT) -> str:
    return article_item(escape(article.title), meta_line(article), tags_line(article.tags),
                        "", limit)


def render_card(article: Article, summary: Summary, note: str = "") -> str:
    """An article as a feed item: header, an optional note, the summary; always fits."""
    parts = [("", f"<b>{escape(article.title)}</b>"), ("\n", meta_line(article)),
             ("\n", tags_line(article.tags)), ("\n\n", note),
             ("\n\n", render_summary(summary))]
    return fit_parts(parts, TRIM_ORDER, MESSAGE_LIMIT)


def source_link(article: Article) -> str:
    """«Read at source» linking to the article's page; "" when it has none (``is_linkable``)."""
    if not is_linkable(article.url):
        return ""
    return f'<a href="{html.escape(article.url, quote=True)}">Read at source</a>'


def render_full_article(article: Article) -> list[str]:
    """The whole article as one or more messages, split at paragraphs, sentences, words;
    the link to its page, if any, right under the header."""
    limit = MESSAGE_LIMIT - _MARK_ROOM
    blocks = [article_header(article, limit), source_link(article)]
    if article.subtitle and article.subtitle != article.title:
        blocks.append(f"<i>{escape(article.subtitle)}</i>")
    blocks.extend(escape(p) for p in article.paragraphs)
    messages = pack(blocks, limit=limit)
    if len(messages) > 1:
        total = len(messages)
        return [f"{m}\n\n<i>({n}/{total})</i>" for n, m in enumerate(messages, 1)]
    return messages


def render_search_page(page: SearchPage, summaries: dict[str, Summary]) -> str:
    """A page of hits, each shortened to its share of one message, none dropped."""
    start = page.offset + 1
    header = (f"<b>Results for “{escape(clip(page.query, 100))}”</b>"
              f" ({start}–{page.offset + len(page.hits)})")
    share = (MESSAGE_LIMIT - telegram_length(header)) // max(1, len(page.hits)) - 2
    blocks = [header]
    for number, hit in enumerate(page.hits, start):
        article = hit.article
        text = highlight(hit.snippet) if hit.snippet else render_summary(
            summaries.get(article.id, Summary((), "", ""))
        )
        blocks.append(article_item(f"{number}. {escape(article.title)}",
                                   meta_line(article, category=False), "", text, share))
    return fit(blocks)
