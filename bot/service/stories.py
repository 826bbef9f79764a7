"""One story, once: copies of one story from several outlets are shown as one article whose
``also`` names the other copies' sources. The store gives each article a story key as it
arrives (``bot.store.stories``); this part collapses a page by those keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from bot.models import Article
from bot.service.base import ServiceBase

T = TypeVar("T")


class StoryService(ServiceBase):
    """Collapsing copies of a story and naming their sources."""

    def with_also(self, articles: Sequence[Article]) -> list[Article]:
        """The articles with ``also`` filled: the sources of each one's other copies."""
        copies = self.store.story_copies([a.id for a in articles]) if articles else {}
        return [replace(a, also=tuple(copies[a.id])) if a.id in copies else a
                for a in articles]

    def one_per_story(self, items: Sequence[T], article_of: Callable[[T], Article]) -> list[T]:
        """``items`` with only the first of each story kept, order unchanged."""
        keys = self.store.story_keys([article_of(item).id for item in items]) if items else {}
        seen: set[str] = set()
        kept = []
        for item in items:
            article_id = article_of(item).id
            key = keys.get(article_id, article_id)
            if key not in seen:
                seen.add(key)
                kept.append(item)
        return kept
