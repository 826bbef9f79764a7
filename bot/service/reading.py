"""Reading the store: latest, search, one article, tags, statistics."""

from __future__ import annotations

from bot.errors import ArgumentOutOfRange
from bot.models import Article, SearchPage, Stats, TagCount
from bot.query import parse_query
from bot.service.base import MAX_OFFSET, MAX_PAGE, ServiceBase


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ArgumentOutOfRange("count", limit, 1, MAX_PAGE)
    if not 0 <= offset <= MAX_OFFSET:
        raise ArgumentOutOfRange("offset", offset, 0, MAX_OFFSET)


class ReadingService(ServiceBase):
    """Latest, search, articles, tags and statistics."""

    def latest(
        self,
        limit: int = 5,
        offset: int = 0,
        *,
        tag: str | None = None,
        category: str | None = None,
        source: str | None = None,
    ) -> list[Article]:
        _check_page(limit, offset)
        return self.store.latest(limit, offset, tag=tag, category=category, source=source)

    def search(self, text: str, limit: int = 5, offset: int = 0) -> SearchPage:
        """Search in the users' language; any text at all gives a page, maybe empty."""
        _check_page(limit, offset)
        query = parse_query(text)
        hits = self.store.search(query, limit + 1, offset)
        return SearchPage(text, hits[:limit], offset, limit, has_more=len(hits) > limit)

    def article(self, article_id: str) -> Article:
        return self.store.get_article(article_id.strip())

    def tags(self, limit: int = 30) -> list[TagCount]:
        return self.store.tag_counts(limit)

    def categories(self) -> list[TagCount]:
        return self.store.categories()

    def stats(self) -> Stats:
        return self.store.stats()

    def is_empty(self) -> bool:
        return self.store.article_count() == 0

