"""Reading the store: latest, search, one article, tags, statistics."""

from __future__ import annotations

from dataclasses import replace

from bot.errors import ArgumentOutOfRange
from bot.models import Article, SearchPage, Stats, TagCount
from bot.query import parse_query
from bot.service.base import MAX_OFFSET, MAX_PAGE
from bot.service.stories import StoryService


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ArgumentOutOfRange("count", limit, 1, MAX_PAGE)
    if not 0 <= offset <= MAX_OFFSET:
        raise ArgumentOutOfRange("offset", offset, 0, MAX_OFFSET)


class ReadingService(StoryService):
    """Latest, search, articles, tags and statistics; a story with several copies once."""

    def latest(
        self,
        limit: int = 5,
        offset: int = 0,
        *,
        tag: str | None = None,
        category: str | None = None,
        source: str | None = None,
    ) -> list[Article]:
        """The newest stories, each once (its newest copy, ``also`` naming the others')."""
        _check_page(limit, offset)
        return self.with_also(
            self.store.latest(limit, offset, tag=tag, category=category, source=source))

    def search(self, text: str, limit: int = 5, offset: int = 0) -> SearchPage:
        """Search in the users' language; any text at all gives a page, maybe empty.

        Copies of one story on the page are shown once, at the best-ranked copy's place, with
        ``also`` naming the other copies' sources; pages are cut from the ranked matches
        before that, so a page may hold fewer than ``limit`` hits."""
        _check_page(limit, offset)
        query = parse_query(text)
        hits = self.store.search(query, limit + 1, offset)
        shown = self.one_per_story(hits[:limit], lambda hit: hit.article)
        articles = self.with_also([hit.article for hit in shown])
        shown = [replace(hit, article=a) for hit, a in zip(shown, articles, strict=True)]
        return SearchPage(text, shown, offset, limit, has_more=len(hits) > limit)

    def article(self, article_id: str) -> Article:
        """One stored article, copies of a story included; ``also`` names the others'."""
        return self.with_also([self.store.get_article(article_id.strip())])[0]

    def tags(self, limit: int = 30) -> list[TagCount]:
        return self.store.tag_counts(limit)

    def categories(self) -> list[TagCount]:
        return self.store.categories()

    def stats(self) -> Stats:
        return self.store.stats()

    def is_empty(self) -> bool:
        return self.store.article_count() == 0

