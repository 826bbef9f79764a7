"""Followed feeds: adding, listing and removing them, saving each poll's entries as articles
(summarised on arrival), and pruning old articles. Fetching is not done here: the poller
(``bot.feeds.poller``) fetches and parses, then hands each ``PollResult`` to ``save_poll``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.articles import normalise_tags
from bot.errors import ArgumentOutOfRange
from bot.feeds.address import is_http_url
from bot.feeds.entry import keep_first_seen
from bot.feeds.errors import AddressRefused, FeedNotFound
from bot.feeds.model import (
    MIN_INTERVAL,
    FeedPollReport,
    FeedSettings,
    FetchOutcome,
    PollResult,
    StoredFeed,
)
from bot.feeds.text import plain_title
from bot.models import Article
from bot.service.base import DEFAULT_SENTENCES, ServiceBase
from bot.store import StoryPrint

logger = logging.getLogger(__name__)

_REPORT_STATUS = {
    FetchOutcome.OK.value: "ok",
    FetchOutcome.NOT_MODIFIED.value: "not_modified",
    FetchOutcome.GONE.value: "disabled",
}


class FeedService(ServiceBase):
    """Feeds and what their polls bring."""

    def add_feed(self, settings: FeedSettings) -> StoredFeed:
        """Follow a feed (due for a poll at once). The caller validates it by polling it
        first. Raises AddressRefused for a URL that is not http(s), ArgumentOutOfRange for
        an interval under a minute, FeedAlreadyFollowed for a URL followed already."""
        url = settings.url.strip()
        if not is_http_url(url):
            raise AddressRefused(url, "scheme")
        if settings.interval < MIN_INTERVAL:
            raise ArgumentOutOfRange("interval", int(settings.interval.total_seconds() // 60),
                                     1, None)
        settings = replace(settings, url=url, key=settings.key or url,
                           name=" ".join(settings.name.split()),
                           category=" ".join(settings.category.split()),
                           tags=tuple(normalise_tags(settings.tags)))
        return self.store.add_feed(settings, self.clock())

    def list_feeds(self) -> list[StoredFeed]:
        return self.store.feeds()

    def get_feed(self, id_or_url: str) -> StoredFeed:
        """The feed with this id, or fetched from (or first added with) this URL; raises
        FeedNotFound."""
        ref = id_or_url.strip()
        found = None
        if ref.isascii() and ref.isdigit() and len(ref) <= 18:
            found = self.store.get_feed(int(ref))
        elif ref:
            found = self.store.find_feed(ref)
        if found is None:
            raise FeedNotFound(id_or_url)
        return found

    def remove_feed(self, id_or_url: str) -> StoredFeed:
        """Stop following a feed; its articles stay. Raises FeedNotFound."""
        feed = self.get_feed(id_or_url)
        if not self.store.remove_feed(feed.id):
            raise FeedNotFound(id_or_url)
        return feed

    def due_feeds(self, now: datetime) -> list[StoredFeed]:
        return self.store.due_feeds(now)

    def save_poll(self, feed_id: int, result: PollResult, now: datetime) -> FeedPollReport:
        """Write a poll: its entries as articles (new ones added, edited ones updated, the rest
        unchanged; an undated entry keeps the date it was first seen), the new ones grouped
        into stories, the feed's new state; all in one transaction. Entries with a body are
        summarised first (title-only ones are stored without a summary), so no reader ever
        meets a new article whose summary it must make itself. Then the new ones are matched
        against the saved searches."""
        # Imported here: datasketch and numpy take a while to load; most commands never group.
        from bot.feeds.duplicate import band_keys, is_groupable, story_signature

        entries = result.entries
        stored = self.store.published_times([e.article.id for e in entries])
        articles = [keep_first_seen(e, stored.get(e.article.id)).article for e in entries]
        prints = []
        for article in articles:
            if article.id not in stored and is_groupable(article.title, article.body):
                signature = story_signature(article.title, article.body)
                prints.append(StoryPrint(article.id, signature.to_bytes(), band_keys(signature)))
        self._summarise_missing([a for a in articles if a.body.strip()])
        title = plain_title(result.feed.title) if result.feed is not None else ""
        saved = self.store.save_feed_poll(feed_id, result.state, title, articles, prints, now)
        self.match_alerts(saved.added)  # type: ignore[attr-defined]
        state = result.state
        status = _REPORT_STATUS.get(state.last_status, "error")
        if result.feed is not None and result.feed.warning:
            logger.info("Feed %d (%s) is malformed but readable: %s", feed_id, state.url,
                        result.feed.warning)
        return FeedPollReport(
            id=feed_id, url=state.url, status=status, added=len(saved.added),
            updated=len(saved.updated), unchanged=saved.unchanged,
            error=state.last_error if status in ("error", "disabled") else None,
            alert=result.alert,
        )

    def _summarise_missing(self, articles: Sequence[Article]) -> None:
        """Make and store, in one write, the default summaries these texts lack."""
        hashes = list({a.text_hash for a in articles})
        stored = self.store.get_summaries(hashes, "default", DEFAULT_SENTENCES)
        missing = {a.text_hash: a for a in articles if a.text_hash not in stored}
        if missing:
            self.store.save_summaries([
                (text_hash, DEFAULT_SENTENCES,
                 self._summarise(a.body, sentences=DEFAULT_SENTENCES, title=a.title))
                for text_hash, a in missing.items()])

    def prune(self, older_than: timedelta, now: datetime) -> int:
        """Delete articles published more than ``older_than`` before ``now`` (see
        ``Store.prune``); returns how many."""
        if older_than <= timedelta(0):
            raise ArgumentOutOfRange("days", int(older_than.days), 1, None)
        return self.store.prune(now - older_than)

    def prune_expired(self, now: datetime) -> int:
        """Prune by ``keep_days`` (NEWSBOT_KEEP_DAYS); nothing when it is None."""
        if self.keep_days is None:
            return 0
        return self.prune(timedelta(days=self.keep_days), now)
