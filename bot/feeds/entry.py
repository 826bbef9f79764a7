"""One feed entry, whatever its format, → ``FeedEntry`` (an ``Article`` plus what was guessed).

Both readers (feedparser's for RSS/Atom in ``parsing``, ``jsonfeed``'s own) fill a
``RawEntry``; everything after that — titles, bodies, dates, ids, tags — happens here once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from bot.articles import is_representable, normalise_tags
from bot.feeds.address import canonical_url, is_http_url, resolve_link
from bot.feeds.model import FeedEntry, FeedSettings, SkippedEntry
from bot.feeds.text import html_text, plain_title
from bot.models import Article


@dataclass(frozen=True, slots=True)
class RawEntry:
    """An entry as its format gives it: HTML strings, a raw date string, category names.
    ``published_utc`` is a parser's own fallback date, used when ``published`` is unreadable;
    like ``parse_date``'s, it is None unless every timezone can show it.
    """

    title: str
    link: str = ""
    guid: str = ""
    published: str = ""
    published_utc: datetime | None = None
    contents: tuple[str, ...] = ()
    summary: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def parse_date(raw: str) -> datetime | None:
    """An RFC 822 (RSS) or ISO 8601 / RFC 3339 (Atom, JSON Feed) date with its offset kept;
    a date without an offset is taken as UTC. None when unreadable."""
    raw = (raw or "").strip()
    if not raw:
        return None
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    # A date outside what every timezone can show (9999-12-31 at -05:00) is no date.
    return parsed if is_representable(parsed) else None


def _short_hash(*parts: str) -> str:
    key = "\x1f".join(parts)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def article_id(url: str, feed_identity: str, guid: str) -> str:
    """Stable across polls and feeds: from the canonical URL when there is one (two feeds
    linking the same page give one id), else from the feed's identity and the entry's GUID
    (GUIDs are unique only within one feed)."""
    if url:
        return _short_hash("url", url)
    return _short_hash("guid", feed_identity, guid)


def _same_text(a: str, b: str) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    return a == b or b.startswith(a.rstrip(".…").rstrip())


def map_entry(
    raw: RawEntry,
    position: int,
    *,
    feed_url: str,
    feed_title: str,
    settings: FeedSettings,
    first_seen: datetime,
) -> FeedEntry | SkippedEntry:
    """Map one entry; an entry without a title is skipped with the reason ``no title``."""
    title = plain_title(raw.title)
    link = resolve_link(feed_url, raw.link)
    url = canonical_url(link) if is_http_url(link) else ""
    guid = raw.guid.strip() or link
    if not title:
        return SkippedEntry(position, guid, "no title")
    contents = [html_text(c) for c in raw.contents]
    summary = html_text(raw.summary)
    body = max(contents, key=len, default="") or summary
    subtitle = summary if summary and body and not _same_text(summary, body) else ""
    published = parse_date(raw.published) or raw.published_utc
    source = (
        settings.name or plain_title(feed_title) or (urlsplit(feed_url).hostname or feed_url)
    )
    categories = [plain_title(c) for c in raw.categories]
    category = settings.category or next((c for c in categories if c), "")
    article = Article(
        id=article_id(url, settings.identity, guid or title),
        category=category,
        published=published or first_seen,
        source=source,
        title=title,
        subtitle=subtitle,
        tags=normalise_tags([*categories, *settings.tags]),
        body=body,
        url=url,
    )
    return FeedEntry(article=article, guid=guid, published_known=published is not None)


def keep_first_seen(entry: FeedEntry, stored_published: datetime | None) -> FeedEntry:
    """An undated entry seen before keeps the date it was first seen (the stored one), so
    polling it again leaves the article unchanged instead of updated; dated entries and new
    ones are returned as they are."""
    if entry.published_known or stored_published is None:
        return entry
    return replace(entry, article=replace(entry.article, published=stored_published))
