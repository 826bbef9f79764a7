"""The query service: everything newsbot can do, for the bot and the command line alike.

It knows nothing of Telegram or argparse. Calls are synchronous; the bot runs them off the
event loop with ``asyncio.to_thread``. ``NewsService`` is one object made of parts, one per job:

- ``importing``: files, directories and seeds into the store;
- ``reading``: latest, search, articles, tags, statistics;
- ``summaries``: stored summaries, made on first use or all at once;
- ``chats``: subscriptions, schedules, digests' content and delivery records;
- ``alerts``: saved searches, matched against each import's new articles;
- ``destinations``: forum topics and channels managed from a private chat;
- ``stories``: a story with copies from several outlets shown once, naming the others;
- ``feeds``: followed feeds, each poll's entries saved and summarised, pruning.
"""

from bot.service.alerts import MAX_ALERTS, AlertService
from bot.service.base import DEFAULT_SENTENCES, MAX_OFFSET, MAX_PAGE, SummariseFunc
from bot.service.chats import ChatService, SubscribeResult
from bot.service.destinations import DestinationService
from bot.service.feeds import FeedService
from bot.service.importing import IMPORT_BATCH, ImportingService
from bot.service.reading import ReadingService
from bot.service.summaries import SummaryService


class NewsService(ImportingService, ReadingService, SummaryService, ChatService,
                  AlertService, DestinationService, FeedService):
    """The query service over one store."""


__all__ = [
    "DEFAULT_SENTENCES",
    "IMPORT_BATCH",
    "MAX_ALERTS",
    "MAX_OFFSET",
    "MAX_PAGE",
    "AlertService",
    "DestinationService",
    "FeedService",
    "NewsService",
    "SubscribeResult",
    "SummariseFunc",
]
