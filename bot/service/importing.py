"""Importing article files and JSON Lines, seeds included."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.articles import iter_articles
from bot.errors import ArticleFormatError, ImportInProgress, MissingSetting
from bot.models import Article, ImportFailure, ImportReport
from bot.service.base import ServiceBase

logger = logging.getLogger(__name__)

IMPORT_BATCH = 2000


class ImportingService(ServiceBase):
    """Import: files and directories, batched and idempotent; the first start's seeds."""

    def import_paths(
        self,
        paths: Iterable[str | Path],
        *,
        progress: Callable[[int], None] | None = None,
        summarise: bool = False,
        workers: int | None = None,
    ) -> ImportReport:
        """Import article files and directories; one bad file never stops the others.

        Every failure (a path, a directory that cannot be listed, a file, a JSONL line, an id
        met twice in this run) is in the report with its path and line. Each batch is one
        transaction, so an interrupted import leaves a consistent store and running it again
        finishes the job; the import is recorded in the store only when it finishes.
        Each batch's new articles are matched against the saved searches (``match_alerts``).
        With ``summarise``, the summaries the new and changed articles lack are computed on a
        pool of ``workers`` processes (default: one per core) and stored.
        Raises ImportInProgress if one is already running.
        """
        if not self._import_lock.acquire(blocking=False):
            raise ImportInProgress()
        try:
            report = ImportReport()
            pool = (
                ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1)
                if summarise
                else None
            )
            try:
                batch: list[Article] = []
                for item in iter_articles(paths, self.max_article_bytes):
                    if isinstance(item, ArticleFormatError):
                        report.failed.append(ImportFailure(item.path, item.line, item.reason))
                        logger.info("Skipped %r", str(item))  # the report words it
                        continue
                    batch.append(item)
                    if len(batch) >= IMPORT_BATCH:
                        self._import_batch(batch, report, pool)
                        if progress:
                            progress(len(batch))
                        batch = []
                if batch:
                    self._import_batch(batch, report, pool)
                    if progress:
                        progress(len(batch))
            finally:
                if pool is not None:
                    pool.shutdown()
            self.store.record_import(
                report.added, report.updated, report.unchanged, len(report.failed)
            )
            logger.info(
                "Imported: %d added, %d updated, %d unchanged, %d failed",
                report.added, report.updated, report.unchanged, len(report.failed),
            )
            return report
        finally:
            self._import_lock.release()

    def _import_batch(
        self, batch: list[Article], report: ImportReport, pool: ProcessPoolExecutor | None
    ) -> None:
        result = self.store.upsert_articles(batch)
        report.added += len(result.added)
        report.updated += len(result.updated)
        report.unchanged += result.unchanged
        report.added_ids.extend(result.added)
        self.match_alerts(result.added)  # type: ignore[attr-defined]
        if pool is not None:
            self.precompute_summaries(result.added + result.updated, pool=pool)

    def import_seeds(self) -> ImportReport:
        """Import the seeds directory (``seeds_dir``); raises InvalidQuery if none is set."""
        if self.seeds_dir is None:
            raise MissingSetting("NEWSBOT_SEEDS")
        return self.import_paths([self.seeds_dir])

    def needs_seed_import(self) -> bool:
        """True if a start should import the seeds: the store is empty, or no import has ever
        finished in it (the first one was stopped part-way, e.g. by SIGTERM).

        Every finished ``import_paths`` is recorded, so an interrupted first import is resumed
        by the next start; re-importing what it stored counts as unchanged.
        """
        return self.is_empty() or self.store.stats().last_import is None

    @property
    def import_running(self) -> bool:
        return self._import_lock.locked()

