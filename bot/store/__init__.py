"""The SQLite store: the only user of sqlite-utils (and sqlite3) in newsbot.

One ``Store`` is made of the parts named after their jobs:

- ``schema``: the migrations and the schema version;
- ``database``: connections, write transactions (``BEGIN IMMEDIATE``), the error edge;
- ``articles``: the catalogue: import, lookups, the newest, tags, stats;
- ``search``: full-text search, one function per query strategy;
- ``summaries``: the summary cache;
- ``chats``: chats, subscriptions, digest claims and deliveries;
- ``stories``: story keys grouping near-identical copies from different outlets;
- ``feeds``: followed feeds and their poll state, saving a poll, pruning old articles.

Database errors become ``StoreError`` here.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.articles import ArticleStore, UpsertResult
from bot.store.chats import ChatStore
from bot.store.feeds import FeedStore
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION
from bot.store.search import RANK_WINDOW, SearchStore
from bot.store.stories import StoryPrint
from bot.store.summaries import SummaryStore

__all__ = [
    "MIGRATIONS", "RANK_WINDOW", "SCHEMA_VERSION", "Store", "StoryPrint", "UpsertResult",
]


class Store(ArticleStore, SearchStore, SummaryStore, ChatStore, FeedStore):
    """Articles, tags, summaries, chats and subscriptions, feeds and stories in one SQLite
    file.

    ``rank_window``: how many matches of a common word are ranked together (see
    ``bot.store.search``).
    """

    def __init__(self, path: str | Path = ":memory:", *, rank_window: int = RANK_WINDOW):
        if rank_window < 1:
            raise ValueError(f"rank_window must be at least 1, got {rank_window}")
        self.rank_window = rank_window
        super().__init__(path)

    def __enter__(self) -> Store:
        return self
