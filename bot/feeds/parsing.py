"""A fetched feed document → ``ParsedFeed``: RSS 0.9x/1.0/2.0 and Atom through feedparser,
JSON Feed through ``jsonfeed``. Pure: bytes and headers in, records out.

The encoding is the one the HTTP ``Content-Type`` declares, else the XML declaration's
(feedparser applies both, given the response headers). A malformed document that still
yields entries is accepted, with feedparser's complaint in ``ParsedFeed.warning``.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, datetime

import feedparser

from bot.articles import is_representable
from bot.feeds.entry import RawEntry, map_entry
from bot.feeds.errors import FeedFormatError
from bot.feeds.jsonfeed import looks_like_json_feed, read_json_feed
from bot.feeds.model import FeedEntry, FeedSettings, ParsedFeed, SkippedEntry


def _utc(parsed: object) -> datetime | None:
    """feedparser's UTC time struct as a datetime; None when absent, or outside what every
    timezone can show (``articles.is_representable``)."""
    if not parsed:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)  # type: ignore[arg-type]
    except (OverflowError, ValueError, OSError):
        return None
    return when if is_representable(when) else None


def _raw_entry(entry: Mapping) -> RawEntry:
    contents = tuple(
        c.get("value", "") for c in entry.get("content") or () if c.get("value")
    )
    return RawEntry(
        title=entry.get("title", ""),
        link=entry.get("link", ""),
        guid=entry.get("id", ""),
        published=entry.get("published") or entry.get("updated") or "",
        # dict.get: feedparser's own get maps a missing "updated_parsed" to "published_parsed"
        # with a DeprecationWarning.
        published_utc=_utc(entry.get("published_parsed") or dict.get(entry, "updated_parsed")),
        contents=contents,
        summary=entry.get("summary", ""),
        categories=tuple(t.get("term") or "" for t in entry.get("tags") or ()),
    )


def _lower_keys(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def parse_feed(
    data: bytes,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    settings: FeedSettings | None = None,
    first_seen: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (the final URL, after redirects).

    ``headers`` are the response's (their ``Content-Type`` charset wins over the XML
    declaration); ``first_seen`` dates entries that have no date (default: now).
    Raises FeedFormatError when the document is not a feed at all.
    """
    settings = settings or FeedSettings(url=url)
    first_seen = first_seen or datetime.now(UTC)
    response_headers = _lower_keys(headers)
    content_type = response_headers.get("content-type", "")
    warning = None
    if looks_like_json_feed(data, content_type):
        title, link, raws = read_json_feed(data, url)
        fmt = "json"
    else:
        # Entry links resolve against the feed URL (or xml:base); links inside content HTML
        # are left alone: only its text is kept.
        response_headers.setdefault("content-location", url)
        document = feedparser.parse(
            data, response_headers=response_headers, sanitize_html=False,
            resolve_relative_uris=False,
        )
        if not document.get("version") and not document.entries:
            reason = str(document.get("bozo_exception") or "no RSS, Atom or JSON Feed found")
            raise FeedFormatError(url, f"not a feed: {reason}")
        if document.bozo:
            warning = f"{type(document.bozo_exception).__name__}: {document.bozo_exception}"
        title = document.feed.get("title", "")
        link = document.feed.get("link", "")
        raws = [_raw_entry(entry) for entry in document.entries]
        fmt = document.get("version") or "unknown"
    entries: list[FeedEntry] = []
    skipped: list[SkippedEntry] = []
    for position, raw in enumerate(raws):
        if raw is None:
            skipped.append(SkippedEntry(position, "", "not an object"))
            continue
        mapped = map_entry(
            raw, position, feed_url=url, feed_title=title, settings=settings,
            first_seen=first_seen,
        )
        (entries if isinstance(mapped, FeedEntry) else skipped).append(mapped)
    return ParsedFeed(
        title=title, link=link, entries=entries, skipped=skipped, warning=warning, format=fmt
    )
