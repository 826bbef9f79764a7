"""Plain records passed between the layers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from bot.errors import location

# Search snippets mark matched words with these control characters so each front end can
# choose its own highlighting (HTML <b> in Telegram, brackets or bold on a terminal).
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"

_JSON = json.JSONEncoder(ensure_ascii=False)


def tags_json(tags: tuple[str, ...]) -> str:
    """Tags as the JSON list the store keeps."""
    return _JSON.encode(tags)


def content_digest(
    category: str, published: str, source: str, title: str, subtitle: str, tags: str, body: str
) -> str:
    """The content hash of an article in its stored form: ``published`` in ISO 8601 and
    ``tags`` as JSON. The short fields are hashed as one JSON list, so no two articles give
    the same bytes, and the body after them as it is.
    """
    digest = hashlib.blake2b(
        _JSON.encode((category, published, source, title, subtitle, tags)).encode("utf-8"),
        digest_size=16,
    )
    digest.update(body.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    category: str
    published: datetime
    source: str
    title: str
    subtitle: str
    tags: tuple[str, ...]
    body: str
    # The canonical address of the article's page ("" for articles from files); not part of
    # content_hash, so stored articles without one stay unchanged.
    url: str = ""
    # The sources of other copies of the same story (other outlets' near-identical copies),
    # filled by the query service where a story is shown once; never stored, not hashed.
    also: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

    @property
    def content_hash(self) -> str:
        """A digest of everything a reader sees; it changes when the article is edited."""
        return content_digest(
            self.category, self.published.isoformat(), self.source, self.title, self.subtitle,
            tags_json(self.tags), self.body,
        )

    @property
    def text_hash(self) -> str:
        """A digest of the title and body, the summariser's input: summaries are keyed by it."""
        text = self.title + "\n\n" + self.body
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: Article
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results; ``has_more`` says whether a next page exists."""

    query: str
    hits: list[SearchHit]
    offset: int
    limit: int
    has_more: bool


# Summary methods by name (bot.summariser implements them); here so that the CLI can check a
# name without importing sumy.
SUMMARY_METHODS: tuple[str, ...] = (
    "default", "lead", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "reduction",
    "edmundson",
)


@dataclass(frozen=True, slots=True)
class Summary:
    sentences: tuple[str, ...]
    method: str
    language: str

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True, slots=True)
class ImportFailure:
    path: str
    line: int | None
    error: str

    @property
    def where(self) -> str:
        return location(self.path, self.line)


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[ImportFailure] = field(default_factory=list)
    added_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [
                {"path": f.path, "line": f.line, "error": f.error} for f in self.failed
            ],
        }


@dataclass(frozen=True, slots=True)
class TagCount:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int
    tags: int
    categories: int
    sources: int
    subscribers: int
    last_import: datetime | None
    database_bytes: int


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's digest schedule, delivery mode, quiet hours and reachability; ``timezone``
    None means the bot default."""

    chat_id: int
    active: bool
    digest_enabled: bool
    digest_time: str
    timezone: str | None
    last_digest_seq: int
    last_digest_at: datetime | None
    delivery: str = "daily"  # "instant", "hourly" or "daily"
    quiet_start: str | None = None  # local HH:MM; instant and hourly news waits until the end
    quiet_end: str | None = None
    silent: bool = False  # sent with disable_notification


@dataclass(frozen=True, slots=True)
class Channel:
    """A Telegram channel managed from private chats: its id, title and public @username
    (without "@"; None for a private channel)."""

    chat_id: int
    title: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class ChatAddress:
    """Where a destination's messages go on Telegram: a chat, one topic of a forum
    (``thread_id``, Telegram's message_thread_id), or a channel."""

    chat_id: int
    thread_id: int | None = None
    is_channel: bool = False


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One article of a digest with what brought it: the followed tags and the saved
    searches (their query text) it matched."""

    article: Article
    matched_tags: tuple[str, ...]
    summary: Summary
    matched_alerts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SavedAlert:
    """A chat's saved search: new articles matching ``query`` are delivered to the chat."""

    id: int
    chat_id: int
    query: str
    created: datetime


@dataclass(frozen=True, slots=True)
class AlertMatchReport:
    """What matching one import batch against the saved searches found: ``matches`` (alert
    id, article seq) pairs, and the ids of alerts ``refused`` for going over the query
    budget (skipped for this batch)."""

    matches: list[tuple[int, int]] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Digest:
    """What one chat should receive now; ``upto_seq`` is the import position it covers."""

    chat_id: int
    items: list[DigestItem]
    more: int
    more_tag: str | None
    upto_seq: int
