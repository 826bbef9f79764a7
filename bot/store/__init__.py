"""The SQLite store: the only user of sqlite-utils (and sqlite3) in newsbot.

One ``Store`` is made of the parts named after their jobs:

- ``schema``: the migrations and the schema version;
- ``database``: connections, write transactions (``BEGIN IMMEDIATE``), the error edge;
- ``articles``: the catalogue: import, lookups, the newest, tags, stats;
- ``search``: full-text search, one function per query strategy;
- ``summaries``: the summary cache;
- ``chats``: chats, subscriptions, digest claims and deliveries;
- ``stories``: story keys grouping near-identical copies from different outlets;
- ``alerts``: saved searches, matched against each import's new articles;
- ``destinations``: forum topics (destinations of their own) and managed channels;
- ``feeds``: followed feeds and their poll state, saving a poll, pruning old articles.

Database errors become ``StoreError`` here.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.alerts import AlertStore
from bot.store.articles import ArticleStore, UpsertResult
from bot.store.chats import ChatStore
from bot.store.database import QUERY_BUDGET
from bot.store.destinations import TOPIC_IDS_FROM, DestinationStore
from bot.store.feeds import FeedStore
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION
from bot.store.search import RANK_WINDOW, SearchStore
from bot.store.stories import StoryPrint
from bot.store.summaries import SummaryStore

__all__ = [
    "MIGRATIONS", "QUERY_BUDGET", "RANK_WINDOW", "SCHEMA_VERSION", "TOPIC_IDS_FROM", "Store",
    "StoryPrint", "UpsertResult",
]


class Store(ArticleStore, SearchStore, SummaryStore, ChatStore, AlertStore, DestinationStore,
            FeedStore):
    """Articles, tags, summaries, chats and subscriptions, feeds and stories in one SQLite
    file.

    ``rank_window``: how many matches of a common word are ranked together (see
    ``bot.store.search``); ``query_budget``: seconds of CPU time one search may use before it
    is refused as too broad (see ``bot.store.database``).
    """

    def __init__(self, path: str | Path = ":memory:", *, rank_window: int = RANK_WINDOW,
                 query_budget: float = QUERY_BUDGET):
        if rank_window < 1:
            raise ValueError(f"rank_window must be at least 1, got {rank_window}")
        self.rank_window = rank_window
        super().__init__(path, query_budget=query_budget)

    def __enter__(self) -> Store:
        return self
