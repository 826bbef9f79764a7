"""Records of the feeds package: what an admin configured, what a feed yielded, what a fetch
returned, a feed's poll state, and a followed feed as stored. Plain data, passed between the
pure parsers, the fetcher, the store and the service (none of which need import the network
modules to use them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.models import Article

DEFAULT_INTERVAL = timedelta(minutes=15)
MIN_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """A followed feed as the admin configured it.

    ``key`` is the feed's stable identity for GUID-based article ids: the URL it was first
    added with. It must not change when a 301 moves ``url``, or every GUID-only entry would
    come back under a new id.
    """

    url: str
    name: str = ""
    tags: tuple[str, ...] = ()
    category: str = ""
    interval: timedelta = DEFAULT_INTERVAL
    full_text: bool = False
    key: str = ""

    @property
    def identity(self) -> str:
        return self.key or self.url


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry mapped to an ``Article``, with what the mapping had to guess.

    ``published_known`` is False when the feed gave no usable date and ``article.published``
    is the time the entry was first seen. ``full_text_error`` says why a full-text fetch kept
    the teaser (``None`` when none was tried or it worked).
    """

    article: Article
    guid: str
    published_known: bool = True
    full_text_error: str | None = None

    @property
    def title_only(self) -> bool:
        return not self.article.body.strip()


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """An entry that could not become an article; ``reason`` is a short code, e.g. 'no title'."""

    position: int
    guid: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed document: its title, entries, skipped entries, and the parser's warning when the
    document was malformed but still yielded entries (feedparser's ``bozo``)."""

    title: str
    link: str
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    warning: str | None = None
    format: str = ""


class FetchOutcome(StrEnum):
    OK = "ok"                      # a body to parse
    NOT_MODIFIED = "not_modified"  # 304: nothing to do
    GONE = "gone"                  # 410: disable the feed
    RETRY_LATER = "retry_later"    # 429/503: come back after retry_after (if given)
    FAILED = "failed"              # anything else; see error
    REFUSED = "refused"            # the address rules or the scheme forbid this URL


@dataclass(frozen=True, slots=True)
class Validators:
    """The conditional-request state kept per feed."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch came to. ``moved_to`` is set when every redirect hop was permanent
    (301/308): the URL to store instead of ``url``. ``error`` is a short code (``timeout``,
    ``too_large``, ``http_404``, ``connect``, ``private_address``, ``scheme`` ...) and
    ``detail`` the library's or server's own words, for the log and the admin alert."""

    url: str
    outcome: FetchOutcome
    status: int | None = None
    final_url: str = ""
    moved_to: str | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    validators: Validators = Validators()
    retry_after: timedelta | None = None
    error: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is FetchOutcome.OK


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store keeps per feed between polls. ``url`` is where to fetch now (a 301/308
    moves it; ``FeedSettings.key`` keeps the first one); ``next_poll`` None means disabled."""

    url: str
    validators: Validators = field(default_factory=Validators)
    failures: int = 0
    last_status: str = ""
    last_error: str | None = None
    last_success: datetime | None = None
    next_poll: datetime | None = None
    alerted: bool = False

    @property
    def disabled(self) -> bool:
        return self.last_status == FetchOutcome.GONE.value


@dataclass(frozen=True, slots=True)
class PollResult:
    """A poll's outcome. ``alert`` is ``"failing"`` or ``"recovered"`` when an admin should be
    told now, else None."""

    settings: FeedSettings
    fetch: FetchResult
    state: FeedState
    feed: ParsedFeed | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    alert: str | None = None


def feed_status(state: FeedState) -> str:
    """How a feed stands, as ``feeds list`` and /feeds show it: ``"disabled"`` (410),
    ``"error"`` (the last poll failed), else ``"ok"`` (never polled counts as ok)."""
    if state.disabled:
        return "disabled"
    if state.last_status and state.failures:
        return "error"
    return "ok"


@dataclass(frozen=True, slots=True)
class StoredFeed:
    """A followed feed as the store keeps it: ``id``, the admin's settings (``settings.url``
    is where it is fetched now, ``settings.key`` the URL it was first added with), its poll
    state, the feed's own title, when it was last polled, and how many articles it added."""

    id: int
    settings: FeedSettings
    state: FeedState
    title: str = ""
    last_polled: datetime | None = None
    articles: int = 0

    @property
    def status(self) -> str:
        return feed_status(self.state)


@dataclass(frozen=True, slots=True)
class FeedPollReport:
    """What saving one poll did. ``status``: ``"ok"``, ``"not_modified"``, ``"error"`` or
    ``"disabled"`` (a 410); ``error`` the short code of a failure; ``alert`` ``"failing"`` or
    ``"recovered"`` when an admin should be told now."""

    id: int
    url: str
    status: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None
    alert: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("error", "disabled")

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "url": self.url, "status": self.status, "added": self.added,
                "updated": self.updated, "unchanged": self.unchanged, "error": self.error}
