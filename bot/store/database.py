"""The connections every part of the store shares, its transactions and its error edge.

One writing connection is shared by every thread behind a lock; reads run on each thread's
own read-only connection (WAL), so the bot can query off the event loop with
``asyncio.to_thread``. Every write transaction takes the write lock up front
(``BEGIN IMMEDIATE``) and waits up to ``BUSY_TIMEOUT`` seconds for another writer, another
process included, to finish.

A search runs under a time budget (``within_budget``): SQLite's progress handler aborts it
once it has used ``query_budget`` seconds of its thread's CPU time, so one costly query
cannot hold a worker, the CPU or a shutdown for long.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.errors import StoreError
from bot.store.schema import migrate, schema_version

T = TypeVar("T")

BUSY_TIMEOUT = 30  # seconds a writer waits for another writer before it fails
SQL_CHUNK = 500  # stay well below SQLite's bound-parameter limit
QUERY_BUDGET = 0.25  # seconds of CPU time one search may use
# By the clock a budgeted query stops after this many budgets even when starved of CPU.
BUDGET_WALL_FACTOR = 4
# SQLite instructions between budget checks: each check takes the GIL, so not every one.
BUDGET_CHECK_EVERY = 1000


class QueryOverBudget(Exception):
    """A read aborted by ``Database.within_budget``; the caller converts it (``seconds``: the
    budget) into the NewsbotError that names what was too costly."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"query over its {seconds:g} s budget")


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def writing(method: Callable[..., T]) -> Callable[..., T]:
    """Hold the store lock and turn sqlite3 errors into StoreError."""

    @wraps(method)
    def wrapper(self: Database, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(f"Database error in {self.path}: {exc}") from exc

    return wrapper


def reading(method: Callable[..., T]) -> Callable[..., T]:
    """Run a read on this thread's own connection, in parallel with other readers (WAL);
    an in-memory store has only one connection, so reads there take the lock."""

    @wraps(method)
    def wrapper(self: Database, *args: Any, **kwargs: Any) -> T:
        try:
            if self.path == ":memory:":
                with self._lock:
                    return method(self, *args, **kwargs)
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"Database error in {self.path}: {exc}") from exc

    return wrapper


class Database:
    """An open store file: the writing connection (``db``), per-thread readers, migrations.

    ``query_budget``: seconds of CPU time a budgeted read may use (0 aborts it at the first
    check).
    """

    def __init__(self, path: str | Path = ":memory:", *, query_budget: float = QUERY_BUDGET
                 ) -> None:
        if not query_budget >= 0:
            raise ValueError(f"query_budget must be 0 or more seconds, got {query_budget}")
        self.query_budget = query_budget
        self.path = str(path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_TIMEOUT)
            self.db = sqlite_utils.Database(conn)
            if self.path != ":memory:":
                self._enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster
            # The writer's page cache: 32 MiB (default 2) holds the indexes and FTS segments a
            # batch touches, instead of reading them back from the OS page by page.
            self.db.execute("PRAGMA cache_size = -32768")
            migrate(self.db, self.path)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot open database {self.path}: {exc}") from exc

    def _enable_wal(self) -> None:
        """Switch a new file to WAL. The switch needs the file to itself and, unlike a write,
        fails at once instead of waiting while another process opens it, so it is retried
        for up to BUSY_TIMEOUT seconds."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    def close(self) -> None:
        with self._lock:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self.db.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reader(self) -> sqlite3.Connection:
        """This thread's read-only connection (the shared one for an in-memory store)."""
        if self.path == ":memory:":
            return self.db.conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                Path(self.path).resolve().as_uri() + "?mode=ro", uri=True,
                check_same_thread=False, timeout=BUSY_TIMEOUT,
            )
            # 8 MiB (default 2) keeps the FTS index's hot pages and docsize rows, which bm25
            # reads for every ranked match: a tenth off filtered searches at 100,000 articles.
            conn.execute("PRAGMA cache_size = -8192")
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def within_budget(self) -> Iterator[None]:
        """Run this thread's reads inside under ``query_budget``: past it (this thread's CPU
        time, or BUDGET_WALL_FACTOR times it by the clock) SQLite aborts the statement
        running and QueryOverBudget is raised. CPU time, so that a search slowed down by
        others' load is not refused for it."""
        conn = self._reader()
        budget = self.query_budget
        cpu_deadline = time.thread_time() + budget
        wall_deadline = time.monotonic() + BUDGET_WALL_FACTOR * budget
        tripped = False

        def over_budget() -> bool:
            nonlocal tripped
            tripped = time.monotonic() >= wall_deadline or time.thread_time() >= cpu_deadline
            return tripped

        conn.set_progress_handler(over_budget, BUDGET_CHECK_EVERY)
        try:
            yield
        except sqlite3.OperationalError as exc:
            if tripped:
                raise QueryOverBudget(budget) from exc
            raise
        finally:
            conn.set_progress_handler(None, 0)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the write lock from its first statement: a deferred
        one that reads first cannot wait for a busy writer, it fails at once."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
