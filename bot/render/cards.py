"""Articles as Telegram HTML: headers, cards, the full text, a page of search results.

An article that cannot fit keeps its title: its tags, then its summary (or note, or
snippet), then its date line are shortened or dropped first.
"""

from __future__ import annotations

import html
from datetime import datetime

from bot.models import HIGHLIGHT_END, HIGHLIGHT_START, Article, SearchPage, Summary
from bot.render.buttons import clip, is_linkable
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator
from bot.render.markup import MESSAGE_LIMIT, escape, fit, fit_parts, pack, telegram_length

TITLE, META, TAGS, EXTRA, BODY = range(5)
TRIM_ORDER = (TAGS, BODY, EXTRA, META, TITLE)  # the title goes last
_MARK_ROOM = 32  # room kept in each part of a long article for its "(n/N)" mark


# A CLDR pattern, translated per language: Ukrainian spells the month out, in the genitive.
DATE_PATTERN = N_("d MMM y, HH:mm")


def format_date(when: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """``when`` in its own timezone, as the language writes dates: "24 Nov 2026, 22:15",
    «24 листопада 2026, 22:15»."""
    return translator(language).format_datetime(when, DATE_PATTERN)


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


def also_line(article: Article, language: str = DEFAULT_LANGUAGE) -> str:
    """«also: Reuters, BBC»: the other outlets that carried the same story; "" for none."""
    if not article.also:
        return ""
    _ = translator(language).gettext
    names = escape(", ".join(clip(name, 40) for name in article.also[:_ALSO_SHOWN]))
    more = len(article.also) - _ALSO_SHOWN
    if more > 0:
        return _("also: {names} and {more} more").format(names=names, more=more)
    return _("also: {names}").format(names=names)


def meta_line(article: Article, *, category: bool = True,
              language: str = DEFAULT_LANGUAGE) -> str:
    """The date, source (and category) line in italics, and the «also:» line under it when
    other outlets carried the same story."""
    fields = [format_date(article.published, language), article.source]
    if category:
        fields.append(article.category)
    also = also_line(article, language)
    return f"<i>{escape(' · '.join(fields))}</i>" + (f"\n{also}" if also else "")


TAGS_LABEL = N_("Tags")
MATCHED_LABEL = N_("Matched")  # a digest item's followed tags
ALERTS_LABEL = N_("Saved search")  # the saved searches a digest item matched


def tags_line(tags: tuple[str, ...] | list[str], label: str = TAGS_LABEL,
              language: str = DEFAULT_LANGUAGE) -> str:
    """``label`` (an English msgid) translated, then the tags."""
    if not tags:
        return ""
    return translator(language).gettext(label) + ": " + escape(", ".join(tags))


def render_summary(summary: Summary) -> str:
    return escape(" ".join(summary.sentences)) if summary.sentences else ""


def article_item(title: str, meta: str, tags: str, body: str, limit: int) -> str:
    """One article's block within ``limit``: the bold title (HTML), the meta line, tags, the
    body (a summary or snippet), trimmed in ``TRIM_ORDER``."""
    parts = [("", f"<b>{title}</b>"), ("\n", meta), ("\n", tags), ("\n", ""), ("\n", body)]
    return fit_parts(parts, TRIM_ORDER, limit)


def article_header(article: Article, limit: int = MESSAGE_LIMIT,
                   language: str = DEFAULT_LANGUAGE) -> str:
    return article_item(escape(article.title), meta_line(article, language=language),
                        tags_line(article.tags, language=language), "", limit)


def render_card(article: Article, summary: Summary, note: str = "",
                language: str = DEFAULT_LANGUAGE) -> str:
    """An article as a feed item: header, an optional note, the summary; always fits."""
    parts = [("", f"<b>{escape(article.title)}</b>"),
             ("\n", meta_line(article, language=language)),
             ("\n", tags_line(article.tags, language=language)), ("\n\n", note),
             ("\n\n", render_summary(summary))]
    return fit_parts(parts, TRIM_ORDER, MESSAGE_LIMIT)


def source_link(article: Article, language: str = DEFAULT_LANGUAGE) -> str:
    """«Read at source» linking to the article's page; "" when it has none (``is_linkable``)."""
    if not is_linkable(article.url):
        return ""
    label = escape(translator(language).gettext("Read at source"))
    return f'<a href="{html.escape(article.url, quote=True)}">{label}</a>'


def render_full_article(article: Article, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The whole article as one or more messages, split at paragraphs, sentences, words;
    the link to its page, if any, right under the header."""
    limit = MESSAGE_LIMIT - _MARK_ROOM
    blocks = [article_header(article, limit, language), source_link(article, language)]
    if article.subtitle and article.subtitle != article.title:
        blocks.append(f"<i>{escape(article.subtitle)}</i>")
    blocks.extend(escape(p) for p in article.paragraphs)
    messages = pack(blocks, limit=limit)
    if len(messages) > 1:
        total = len(messages)
        return [f"{m}\n\n<i>({n}/{total})</i>" for n, m in enumerate(messages, 1)]
    return messages


def render_search_page(page: SearchPage, summaries: dict[str, Summary],
                       language: str = DEFAULT_LANGUAGE) -> str:
    """A page of hits, each shortened to its share of one message, none dropped."""
    start = page.offset + 1
    title = translator(language).gettext("Results for “{query}”").format(
        query=escape(clip(page.query, 100)))
    header = f"<b>{title}</b> ({start}–{page.offset + len(page.hits)})"
    share = (MESSAGE_LIMIT - telegram_length(header)) // max(1, len(page.hits)) - 2
    blocks = [header]
    for number, hit in enumerate(page.hits, start):
        article = hit.article
        text = highlight(hit.snippet) if hit.snippet else render_summary(
            summaries.get(article.id, Summary((), "", ""))
        )
        blocks.append(article_item(f"{number}. {escape(article.title)}",
                                   meta_line(article, category=False, language=language),
                                   "", text, share))
    return fit(blocks)
