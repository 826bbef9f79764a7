"""Full text for teaser-only entries: fetch the linked page through the same ``Fetcher`` (same
limits, same address rules) and extract its main text with trafilatura.

Extraction is CPU work on up to 10 MiB of HTML, so it runs in a worker thread, off the loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import trafilatura

from bot.feeds.fetch import Fetcher
from bot.feeds.model import FeedEntry
from bot.feeds.text import word_count

logger = logging.getLogger(__name__)

SHORT_BODY_WORDS = 80
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def extract_main_text(page: bytes | str, url: str = "") -> str:
    """The page's main text as paragraphs separated by blank lines; '' when none is found.
    Pure and offline: trafilatura works on the given HTML only."""
    text = trafilatura.extract(
        page, url=url or None, output_format="txt", include_comments=False,
        include_tables=False, include_images=False, favor_precision=True, deduplicate=False,
    )
    if not text:
        return ""
    paragraphs = [" ".join(line.split()) for line in text.splitlines()]
    return "\n\n".join(p for p in paragraphs if p)


def needs_full_text(entry: FeedEntry, min_words: int = SHORT_BODY_WORDS) -> bool:
    return bool(entry.article.url) and word_count(entry.article.body) < min_words


async def complete_entry(
    entry: FeedEntry, fetcher: Fetcher, min_words: int = SHORT_BODY_WORDS
) -> FeedEntry:
    """``entry`` with its body replaced by its page's main text when the body is under
    ``min_words`` words; otherwise, or when that fails, the entry as it was with
    ``full_text_error`` saying why (``refused:private_address``, ``http_404``,
    ``no_main_text``, ``shorter_than_teaser`` ...). The teaser becomes the subtitle when the
    entry had none."""
    if not needs_full_text(entry, min_words):
        return entry
    article = entry.article
    result = await fetcher.fetch(article.url, accept=_PAGE_ACCEPT)
    if not result.ok:
        error = f"{result.outcome.value}:{result.error}" if result.error else result.outcome.value
        return replace(entry, full_text_error=error)
    text = await asyncio.to_thread(extract_main_text, result.body, result.final_url)
    if not text:
        return replace(entry, full_text_error="no_main_text")
    if word_count(text) <= word_count(article.body):
        return replace(entry, full_text_error="shorter_than_teaser")
    subtitle = article.subtitle or " ".join(article.body.split())
    return replace(entry, article=replace(article, body=text, subtitle=subtitle),
                   full_text_error=None)
