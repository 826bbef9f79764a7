"""Wiring: ``build_application(settings, service)``, ``build_bot`` for one-shot commands, and
``run``, which connects to the Bot API (retrying while it is unreachable) and then serves."""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
import sys
from collections.abc import Callable, Sequence

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import digests, render
from bot.config import Settings
from bot.digests import DigestSender
from bot.errors import MissingSetting, TokenRejected, WeakSecret
from bot.feeds import job as feed_job
from bot.feeds.fetch import Fetcher
from bot.feeds.job import FeedPolling
from bot.handlers.channels import channel_forwarded
from bot.handlers.chat_admins import ChatAdmins
from bot.handlers.chats import chat_migrated, member_changed, membership_changed
from bot.handlers.commands import COMMANDS, button, menu
from bot.handlers.common import error_handler, track_chat
from bot.handlers.context import CONTEXT_TYPES, BotData
from bot.handlers.reading import inline_query
from bot.ratelimit import build_rate_limiter
from bot.service import NewsService

logger = logging.getLogger(__name__)

# Connections to the Bot API for everything but getUpdates, which has one of its own: the
# rate limiter lets 30 messages be in flight, and replies and button answers need a few more.
CONNECTIONS = 40
TIMEOUTS = {"connect_timeout": 10.0, "read_timeout": 10.0, "write_timeout": 10.0,
            "pool_timeout": 10.0}  # seconds; a saturated pool fails with TimedOut, not a hang
WEBHOOK_SECRET_MIN = 32
CONNECT_BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)  # seconds between tries; the last repeats


def build_requests() -> tuple[HTTPXRequest, HTTPXRequest]:
    """python-telegram-bot's httpx requests: (everything else, getUpdates)."""
    return HTTPXRequest(connection_pool_size=CONNECTIONS, **TIMEOUTS), HTTPXRequest(
        connection_pool_size=1, **TIMEOUTS)


def build_bot(settings: Settings, *, rate_limiter: bool = True) -> ExtBot:
    """A bot without an application, for one-shot commands such as send-digests."""
    request, get_updates_request = build_requests()
    return ExtBot(
        settings.require_token(),
        base_url=settings.base_url or "https://api.telegram.org/bot",
        request=request,
        get_updates_request=get_updates_request,
        rate_limiter=build_rate_limiter() if rate_limiter else None,
    )


def build_application(
    settings: Settings,
    service: NewsService,
    *,
    rate_limiter: bool = True,
    chat_interval: float = 1.0,
    digest_check_every: float | None = digests.CHECK_EVERY,
    digest_first_check: float = digests.FIRST_CHECK,
    chat_admins: ChatAdmins | None = None,
    feed_poll_every: float | None = feed_job.POLL_EVERY,
    feed_first_poll: float = feed_job.FIRST_POLL,
    fetcher: Callable[[], Fetcher] | None = None,
    feeds_in_child: bool | None = None,
) -> Application:
    """The bot with every handler registered; ``rate_limiter=False`` only for benchmarks,
    ``digest_check_every=None`` for no digest job, ``feed_poll_every=None`` for no feed
    polling job; ``chat_admins`` for another cache of groups' administrators (its clock and
    time to live); ``fetcher`` makes the feeds' HTTP client (default: a ``Fetcher`` that
    reaches private addresses only with NEWSBOT_ALLOW_PRIVATE_URLS); ``feeds_in_child``
    polls in a ``newsbot feeds poll`` child process (default: when the store is a file and
    no fetcher is injected)."""
    request, get_updates_request = build_requests()
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(True)
        .request(request)
        .get_updates_request(get_updates_request)
        .post_init(prepare)
        .post_stop(feed_job.stop_feed_polling)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if rate_limiter:
        builder = builder.rate_limiter(build_rate_limiter())
    application = builder.build()
    data: BotData = application.bot_data
    data.service = service
    data.settings = settings
    data.digests = DigestSender(application.bot, service, chat_interval=chat_interval)
    if chat_admins is not None:
        data.chat_admins = chat_admins
    data.feeds = FeedPolling(
        application.bot, service, settings.admin_ids,
        fetcher=fetcher or (lambda: Fetcher(allow_private=settings.allow_private_urls or None)),
        # A poll in its own process keeps its CPU-bound parsing and summaries off the GIL that
        # replies need; an in-memory store (or an injected fetcher) polls in a thread instead.
        child_poll=(sys.executable, "-m", "bot", "--db", service.store.path)
        if feeds_in_child or (feeds_in_child is None and fetcher is None
                              and service.store.path != ":memory:") else None,
    )

    # Group -1 runs before the commands: any message marks its chat reachable again.
    application.add_handler(
        MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, track_chat), group=-1
    )
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.name, command.handler))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.FORWARDED,
                                           channel_forwarded))
    application.add_handler(ChatMemberHandler(membership_changed,
                                              ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_error_handler(error_handler)
    if digest_check_every is not None:
        digests.schedule_digests(application, check_every=digest_check_every,
                                 first=digest_first_check)
    if feed_poll_every is not None:
        feed_job.schedule_feed_polling(application, every=feed_poll_every,
                                       first=feed_first_poll)
    return application


def _bot_commands(commands: Sequence[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in commands]


async def prepare(application: Application) -> None:
    """Start-up work: seed an empty store (or finish an interrupted seed import), register
    the command menus, say we are ready."""
    data: BotData = application.bot_data
    service, settings = data.service, data.settings
    if await asyncio.to_thread(service.needs_seed_import) and service.seeds_dir is not None:
        if service.seeds_dir.is_dir():
            report = await asyncio.to_thread(service.import_seeds)
            logger.info("Imported %d seed articles from %s", report.added, service.seeds_dir)
        else:
            logger.warning("No import has finished and %s does not exist", service.seeds_dir)
    # The default language's menu serves every user; each other language's, users whose
    # Telegram speaks it.
    for language in render.languages():
        code = None if language == render.DEFAULT_LANGUAGE else language
        await application.bot.set_my_commands(
            _bot_commands(menu(admin=False, language=language)),
            scope=BotCommandScopeDefault(), language_code=code)
        await application.bot.set_my_commands(
            _bot_commands(menu(admin=False, language=language, group=True)),
            scope=BotCommandScopeAllGroupChats(), language_code=code)
        for admin_id in sorted(settings.admin_ids):
            try:
                await application.bot.set_my_commands(
                    _bot_commands(menu(admin=True, language=language)),
                    scope=BotCommandScopeChat(admin_id), language_code=code)
            except TelegramError as exc:
                # Telegram only knows the private chat once the admin has written to the bot.
                logger.warning("Could not set admin commands for user %s: %s", admin_id, exc)
    stats = await asyncio.to_thread(service.stats)
    logger.info(
        "newsbot is ready as @%s: %d articles, %d subscribers",
        application.bot.username, stats.articles, stats.subscribers,
    )


async def connect(bot: ExtBot, backoff: Sequence[float] = CONNECT_BACKOFF) -> None:
    """Initialize ``bot`` (its first getMe), retrying with backoff while the Bot API cannot
    be reached; a rejected token is final: TokenRejected, never retried."""
    for attempt in itertools.count():
        try:
            await bot.initialize()
            return
        except InvalidToken:
            raise TokenRejected() from None  # PTB's message holds the token
        except NetworkError as exc:  # TimedOut too; a 502 is a NetworkError
            delay = backoff[min(attempt, len(backoff) - 1)]
            logger.warning("Cannot reach the Bot API (%s); retrying in %g s", exc, delay)
            await asyncio.sleep(delay)


def check_webhook(settings: Settings) -> None:
    """Refuse webhook mode without a URL or without a strong secret."""
    if not settings.webhook_url:
        raise MissingSetting("WEBHOOK_URL", needed_for="--webhook")
    if len(settings.webhook_secret or "") < WEBHOOK_SECRET_MIN:
        raise WeakSecret("WEBHOOK_SECRET", WEBHOOK_SECRET_MIN)


def _connect_until_stopped(application: Application, backoff: Sequence[float]) -> bool:
    """Connect on the event loop python-telegram-bot will run on; False if SIGINT/SIGTERM
    came first."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    connecting = loop.create_task(connect(application.bot, backoff))
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for sig in stop_signals:
        loop.add_signal_handler(sig, connecting.cancel)
    try:
        loop.run_until_complete(connecting)
        return True
    except asyncio.CancelledError:
        logger.info("Stopped before the Bot API could be reached")
        return False
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
        if connecting.cancelled() or connecting.exception() is not None:
            loop.run_until_complete(application.bot.shutdown())  # no connection left open
            loop.close()


def run(settings: Settings, service: NewsService, *, webhook: bool = False,
        rate_limiter: bool = True, backoff: Sequence[float] = CONNECT_BACKOFF) -> None:
    """Run until SIGINT/SIGTERM: long polling, or the webhook server.

    Raises TokenRejected on a 401, MissingSetting or WeakSecret for webhook mode without a URL
    or a strong secret."""
    if webhook:
        check_webhook(settings)
    application = build_application(settings, service, rate_limiter=rate_limiter)
    if not rate_limiter:
        logger.warning("Rate limiter off: sends are not paced (benchmark mode)")
    if not _connect_until_stopped(application, backoff):
        return
    if webhook:
        application.run_webhook(
            listen="0.0.0.0",
            port=settings.port,
            url_path="telegram",
            secret_token=settings.webhook_secret,
            webhook_url=settings.webhook_url.rstrip("/") + "/telegram",
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
