"""What every part of the service shares: the store, the summariser, the clock, settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.models import Summary
from bot.store import Store

MAX_PAGE = 100
MAX_OFFSET = 100_000_000  # far past any store; keeps SQLite integers in range
DEFAULT_SENTENCES = 3
SummariseFunc = Callable[..., Summary]


def _default_summarise(*args: object, **kwargs: object) -> Summary:
    # Imported on first use: sumy and numpy take a while to load, and most CLI
    # commands never summarise anything.
    from bot.summariser import summarise

    return summarise(*args, **kwargs)


class ServiceBase:
    """The service's state; each part of ``NewsService`` adds methods over it."""

    def __init__(
        self,
        store: Store,
        *,
        summarise: SummariseFunc = _default_summarise,
        max_article_bytes: int = 1024 * 1024,
        seeds_dir: Path | None = None,
        default_timezone: str = "UTC",
        clock: Callable[[], datetime] | None = None,
        keep_days: int | None = None,
    ) -> None:
        self.store = store
        self.default_timezone = default_timezone
        self.clock = clock or (lambda: datetime.now(UTC))
        self._summarise = summarise
        self.max_article_bytes = max_article_bytes
        self.seeds_dir = seeds_dir
        self.keep_days = keep_days  # articles older than this are pruned; None: keep all
        self._import_lock = threading.Lock()


