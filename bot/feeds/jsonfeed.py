"""JSON Feed 1.0/1.1 → ``RawEntry``s. Its own small mapper: feedparser does not read JSON Feed.

Spec: https://www.jsonfeed.org/version/1.1/ — ``items`` with ``id``, ``url``, ``title``,
``content_html``/``content_text``, ``summary``, ``date_published``, ``tags``.
"""

from __future__ import annotations

import html
import json

from bot.feeds.entry import RawEntry
from bot.feeds.errors import FeedFormatError


def looks_like_json_feed(data: bytes, content_type: str = "") -> bool:
    if "json" in content_type.lower():
        return True
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def read_json_feed(data: bytes, url: str) -> tuple[str, str, list[RawEntry | None]]:
    """The feed's title, home page and entries (None for an item that is not an object).
    Raises FeedFormatError when the document is not a JSON Feed."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedFormatError(url, f"invalid JSON: {exc}") from None
    if not isinstance(document, dict) or not _text(document.get("version")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedFormatError(url, "JSON without a jsonfeed.org 'version': not a JSON Feed")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedFormatError(url, "JSON Feed without an 'items' list")
    entries: list[RawEntry | None] = []
    for item in items:
        if not isinstance(item, dict):
            entries.append(None)
            continue
        contents = []
        if _text(item.get("content_html")):
            contents.append(item["content_html"])
        elif _text(item.get("content_text")):
            # Plain text: escape it so the HTML cleaner keeps "<" and "&" as written.
            contents.append(html.escape(item["content_text"]))
        tags = item.get("tags")
        entries.append(RawEntry(
            title=_text(item.get("title")),
            link=_text(item.get("url")) or _text(item.get("external_url")),
            guid=str(item.get("id") or ""),
            published=_text(item.get("date_published")) or _text(item.get("date_modified")),
            contents=tuple(contents),
            summary=_text(item.get("summary")),
            categories=tuple(t for t in tags if isinstance(t, str))
            if isinstance(tags, list) else (),
        ))
    return _text(document.get("title")), _text(document.get("home_page_url")), entries
