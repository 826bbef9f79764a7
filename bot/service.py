"""The query service: everything newsbot can do, for the bot and the command line alike.

It knows nothing of Telegram or argparse. Calls are synchronous; the bot runs them off the
event loop with ``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.articles import iter_articles, normalise_tags
from bot.errors import (
    ArgumentOutOfRange,
    ArticleFormatError,
    ConfigError,
    EmptyArgument,
    ImportInProgress,
)
from bot.models import (
    Article,
    ChatSettings,
    Digest,
    DigestItem,
    ImportFailure,
    ImportReport,
    SearchPage,
    Stats,
    Summary,
    TagCount,
)
from bot.query import parse_query, parse_tag_list
from bot.schedule import is_due, parse_digest_time, parse_timezone
from bot.store import Store

logger = logging.getLogger(__name__)

IMPORT_BATCH = 2000
MAX_PAGE = 100
MAX_OFFSET = 100_000_000  # far past any store; keeps SQLite integers in range
DEFAULT_SENTENCES = 3
SummariseFunc = Callable[..., Summary]


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    added: list[str]
    already: list[str]
    unknown: list[str]  # followed, but no article carries them yet


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ArgumentOutOfRange("count", limit, 1, MAX_PAGE)
    if not 0 <= offset <= MAX_OFFSET:
        raise ArgumentOutOfRange("offset", offset, 0, MAX_OFFSET)


def _default_summarise(*args: object, **kwargs: object) -> Summary:
    # Imported on first use: sumy and numpy take a while to load, and most CLI
    # commands never summarise anything.
    from bot.summariser import summarise

    return summarise(*args, **kwargs)


def _summarise_article(args: tuple[str, str, int, str]) -> Summary:
    """Top-level so a process pool can pickle it."""
    title, body, sentences, method = args
    return _default_summarise(body, sentences=sentences, method=method, title=title)


class NewsService:
    def __init__(
        self,
        store: Store,
        *,
        summarise: SummariseFunc = _default_summarise,
        max_article_bytes: int = 1024 * 1024,
        seeds_dir: Path | None = None,
        default_timezone: str = "UTC",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.default_timezone = default_timezone
        self.clock = clock or (lambda: datetime.now(UTC))
        self._summarise = summarise
        self.max_article_bytes = max_article_bytes
        self.seeds_dir = seeds_dir
        self._import_lock = threading.Lock()

    # -- import ---------------------------------------------------------------------------

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
        if pool is not None:
            self.precompute_summaries(result.added + result.updated, pool=pool)

    def import_seeds(self) -> ImportReport:
        """Import the seeds directory (``seeds_dir``); raises InvalidQuery if none is set."""
        if self.seeds_dir is None:
            raise ConfigError("no seeds directory is configured (NEWSBOT_SEEDS)")
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

    # -- reading --------------------------------------------------------------------------

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

    # -- summaries ------------------------------------------------------------------------

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

    # -- subscriptions --------------------------------------------------------------------

    def subscribe(self, chat_id: int, tags_text: str) -> SubscribeResult:
        """Follow the tags of a user's argument text: comma-separated, a quoted tag may
        contain commas (``query.parse_tag_list``). Raises EmptyArgument("tags")."""
        return self.subscribe_tags(chat_id, parse_tag_list(tags_text))

    def subscribe_tags(self, chat_id: int, tags: Sequence[str]) -> SubscribeResult:
        """Follow each of ``tags`` as one tag, commas and all (matched case-insensitively)."""
        wanted = normalise_tags(tags)
        if not wanted:
            raise EmptyArgument("tags")
        already_followed = {t.casefold() for t in self.store.subscriptions(chat_id)}
        display = []
        unknown = []
        for tag in wanted:
            known = self.store.tag_name(tag)
            if known is None:
                unknown.append(tag)
            display.append(known or tag)
        added = self.store.subscribe(chat_id, display, self.clock())
        already = [t for t in display if t.casefold() in already_followed]
        return SubscribeResult(added, already, unknown)

    def unsubscribe(self, chat_id: int, tag: str) -> str | None:
        tag = " ".join(tag.split())
        if not tag:
            raise EmptyArgument("tag")
        return self.store.unsubscribe(chat_id, tag)

    def subscriptions(self, chat_id: int) -> list[str]:
        return self.store.subscriptions(chat_id)

    def touch_chat(self, chat_id: int) -> None:
        self.store.touch_chat(chat_id)

    # -- digests --------------------------------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings:
        return self.store.chat_settings(chat_id)

    def chat_timezone(self, chat: ChatSettings) -> str:
        return chat.timezone or self.default_timezone

    def set_digest_time(self, chat_id: int, text: str) -> ChatSettings:
        self.store.update_chat(chat_id, digest_time=parse_digest_time(text))
        return self.store.chat_settings(chat_id)

    def set_timezone(self, chat_id: int, text: str) -> ChatSettings:
        self.store.update_chat(chat_id, timezone=parse_timezone(text))
        return self.store.chat_settings(chat_id)

    def set_digest_enabled(self, chat_id: int, enabled: bool) -> ChatSettings:
        self.store.update_chat(chat_id, digest_enabled=int(enabled))
        return self.store.chat_settings(chat_id)

    def claim_chat(self, chat_id: int, holder: str, now: datetime, ttl_seconds: int,
                   *, is_dead: Callable[[str], bool] = lambda holder: False) -> bool:
        """Take the chat's digest claim for ``holder``; False while another holder has it,
        unless ``is_dead(other_holder)`` says that holder can no longer send."""
        if self.store.claim_chat(chat_id, holder, now, ttl_seconds):
            return True
        other = self.store.chat_claim_holder(chat_id)
        return other is not None and is_dead(other) and self.store.claim_chat(
            chat_id, holder, now, ttl_seconds, replacing=other)

    def release_chat(self, chat_id: int, holder: str) -> None:
        self.store.release_chat(chat_id, holder)

    def mark_unreachable(self, chat_id: int) -> None:
        """The chat blocked the bot or is gone: stop its digests until it writes again."""
        self.store.update_chat(chat_id, active=0)

    def digest_chats(self) -> list[ChatSettings]:
        return self.store.digest_chats()

    def due_chats(self, now: datetime) -> list[ChatSettings]:
        """Chats whose digest time has come since their previous digest."""
        return [
            chat for chat in self.store.digest_chats()
            if is_due(now, chat.last_digest_at, chat.digest_time, self.chat_timezone(chat))
        ]

    def build_digest(self, chat_id: int, limit: int = 10) -> Digest:
        """What is new for the chat's tags since its previous digest, not yet delivered."""
        after, upto = self.store.digest_window(chat_id)
        candidates = self.store.digest_candidates(chat_id, after, upto)
        shown = candidates[:limit]
        summaries = self.summaries([article for article, _ in shown])
        items = [DigestItem(a, tags, summaries[a.id]) for a, tags in shown]
        rest = candidates[limit:]
        more_tag = rest[0][1][0] if rest else None
        return Digest(chat_id, items, len(rest), more_tag, upto)

    def record_deliveries(
        self, records: Sequence[tuple[int, Sequence[str], tuple[int, datetime] | None]]
    ) -> None:
        """Called only after Telegram accepted the messages: for each (chat_id, article_ids,
        finish), record the articles as delivered and, with ``finish`` = (upto_seq, when) after
        a digest's last message, move the chat's watermark as ``finish_digest`` does; all in
        one transaction."""
        if records:
            self.store.record_deliveries(records)

    def finish_digest(self, chat_id: int, upto_seq: int, when: datetime) -> None:
        self.store.finish_digest(chat_id, upto_seq, when)

    def delivered_ids(self, chat_id: int) -> list[str]:
        return self.store.delivered_ids(chat_id)
