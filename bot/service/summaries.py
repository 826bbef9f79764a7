"""Summaries: made on first use or all at once, stored with the article."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from bot.models import Article, Summary
from bot.service.base import DEFAULT_SENTENCES, ServiceBase, _default_summarise


def _summarise_article(args: tuple[str, str, int, str]) -> Summary:
    """Top-level so a process pool can pickle it."""
    title, body, sentences, method = args
    return _default_summarise(body, sentences=sentences, method=method, title=title)


class SummaryService(ServiceBase):
    """Each article's summary: stored, or made and stored."""

    def summary(
        self,
        article: Article,
        sentences: int = DEFAULT_SENTENCES,
        method: str = "default",
        language: str | None = None,
    ) -> Summary:
        """The article's summary, computed on first use and kept in the store."""
        if language is None:
            stored = self.store.get_summary(article.text_hash, method, sentences)
            if stored is not None:
                return stored
        return self._make_summary(article, sentences, method, language)

    def summaries(
        self, articles: Sequence[Article], sentences: int = DEFAULT_SENTENCES
    ) -> dict[str, Summary]:
        """Each article's default summary by id: the stored ones in one query, the rest made
        (and kept) one by one."""
        if not articles:
            return {}
        stored = self.store.get_summaries(
            list({a.text_hash for a in articles}), "default", sentences
        )
        found = {}
        for article in articles:
            summary = stored.get(article.text_hash)
            found[article.id] = (
                summary if summary is not None else self._make_summary(article, sentences)
            )
        return found

    def _make_summary(
        self,
        article: Article,
        sentences: int,
        method: str = "default",
        language: str | None = None,
    ) -> Summary:
        """Summarise now; kept in the store unless the language was forced."""
        made = self._summarise(
            article.body, sentences=sentences, method=method, language=language,
            title=article.title,
        )
        if language is None:
            self.store.save_summaries([(article.text_hash, sentences, made)])
        return made

    def precompute_summaries(
        self,
        article_ids: Sequence[str],
        *,
        sentences: int = DEFAULT_SENTENCES,
        method: str = "default",
        pool: ProcessPoolExecutor | None = None,
    ) -> int:
        """Compute and store the summaries these articles lack; returns how many were made."""
        missing = self.store.missing_summaries(article_ids, method, sentences)
        if not missing:
            return 0
        if pool is None:
            made = [
                self._summarise(a.body, sentences=sentences, method=method, title=a.title)
                for a in missing
            ]
        else:
            # Worker processes run the real summariser: an injected one may not pickle.
            jobs = [(a.title, a.body, sentences, method) for a in missing]
            made = list(pool.map(_summarise_article, jobs, chunksize=32))
        self.store.save_summaries(
            (a.text_hash, sentences, s) for a, s in zip(missing, made, strict=True)
        )
        return len(made)

