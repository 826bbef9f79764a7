"""Wiring: ``build_application(settings, service)`` and the start-up work of ``newsbot run``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import digests, handlers, render
from bot.config import Settings
from bot.errors import ConfigError
from bot.service import NewsService
from bot.transport import AiohttpRequest

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]

# Connections to the Bot API for everything but getUpdates, which has one of its own.
CONNECTIONS = 4
MESSAGES_PER_SECOND = 30  # Telegram's ceiling for messages to different chats
FLOOD_WINDOW = 1.001  # Telegram's second, and a millisecond for timer granularity

_COMMANDS = {
    "start": handlers.start_command,
    "help": handlers.help_command,
    "latest": handlers.latest_command,
    "search": handlers.search_command,
    "article": handlers.article_command,
    "tags": handlers.tags_command,
    "subscribe": handlers.subscribe_command,
    "follow": handlers.subscribe_command,
    "unsubscribe": handlers.unsubscribe_command,
    "unfollow": handlers.unsubscribe_command,
    "subscriptions": handlers.subscriptions_command,
    "reimport": handlers.reimport_command,
    "stats": handlers.stats_command,
}


class FloodLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (group limits, 429 retries) with an overall limit that holds for
    certain rather than on average.

    Telegram answers 429 once a bot sends more than 30 messages within a second, counted as
    they arrive. AIORateLimiter's overall limit spaces the starts of sends: a busy event loop or
    network jitter bunches arrivals up by more than the few milliseconds a spacing just under
    30 a second leaves, and after a 429 every send that queued during the pause leaves at once.
    So the overall limit is replaced here: each message holds one of 30 permits from the moment
    it starts until a second after its answer came back (it reached Telegram between those two
    instants, so no second on Telegram's clock holds more than 30), starts are spaced 1/30 s
    apart, and after a 429 the queue keeps taking turns. Over a real network the rate is about
    30 / (1 s + one round trip).

    Everything else is AIORateLimiter's: 20 messages a minute per group, and a 429 pauses
    sends for its retry_after and the send retries, up to ``max_retries`` times.
    """

    def __init__(
        self,
        per_second: int = MESSAGES_PER_SECOND,
        *,
        window: float = FLOOD_WINDOW,
        group_per_minute: int = 20,
        max_retries: int = 5,
    ) -> None:
        super().__init__(
            overall_max_rate=0,  # ours, below
            group_max_rate=group_per_minute,
            group_time_period=60,
            max_retries=max_retries,
        )
        self._window = window
        self._spacing = window / per_second
        self._permits = asyncio.Semaphore(per_second)
        self._turn = asyncio.Lock()
        self._next_start = 0.0
        self._resume_at = 0.0  # after a 429, nothing starts before this (loop time)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if data.get("chat_id") is None:  # not a message: not counted, not paced
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def paced(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            return await self._paced(callback, call_args, call_kwargs)

        return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> bool | JSONDict | list[JSONDict]:
        loop = asyncio.get_running_loop()
        async with self._turn:  # first come, first served
            await self._permits.acquire()
            try:
                while (delay := max(self._next_start, self._resume_at) - loop.time()) > 0:
                    await asyncio.sleep(delay)
            except BaseException:
                self._permits.release()
                raise
            # A late start does not push the next one back (up to one slot of catching up).
            self._next_start = max(self._next_start, loop.time() - self._spacing) + self._spacing
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            # Sends already past AIORateLimiter's pause must wait for it too.
            pause = digests.retry_after_seconds(exc) + 0.1
            self._resume_at = max(self._resume_at, loop.time() + pause)
            raise
        finally:
            loop.call_later(self._window, self._permits.release)


def build_rate_limiter() -> FloodLimiter:
    """Telegram's flood limits: 30 messages a second overall, 20 a minute per group."""
    return FloodLimiter()


def build_bot(settings: Settings, *, rate_limiter: bool = True) -> ExtBot:
    """A bot without an application, for one-shot commands such as send-digests."""
    return ExtBot(
        settings.require_token(),
        base_url=settings.base_url or "https://api.telegram.org/bot",
        request=AiohttpRequest(CONNECTIONS),
        get_updates_request=AiohttpRequest(1),
        rate_limiter=build_rate_limiter() if rate_limiter else None,
    )


def build_application(
    settings: Settings,
    service: NewsService,
    *,
    rate_limiter: bool = True,
    chat_interval: float = 1.0,
    digest_check_every: float | None = digests.CHECK_EVERY,
) -> Application:
    """The bot with every handler registered; ``rate_limiter=False`` only for benchmarks."""
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .concurrent_updates(True)
        .request(AiohttpRequest(CONNECTIONS))
        .get_updates_request(AiohttpRequest(1))
        .post_init(prepare)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if rate_limiter:
        builder = builder.rate_limiter(build_rate_limiter())
    application = builder.build()
    application.bot_data["service"] = service
    application.bot_data["settings"] = settings

    # Group -1 runs before the commands: any message marks its chat reachable again.
    application.add_handler(
        MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, handlers.track_chat), group=-1
    )
    for name, callback in _COMMANDS.items():
        application.add_handler(CommandHandler(name, callback))
    digests.install(application, chat_interval=chat_interval, check_every=digest_check_every)
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))
    application.add_error_handler(handlers.error_handler)
    return application


async def prepare(application: Application) -> None:
    """Start-up work: seed an empty store (or finish an interrupted seed import), register the
    command menus, say we are ready."""
    service: NewsService = application.bot_data["service"]
    settings: Settings = application.bot_data["settings"]
    if await asyncio.to_thread(service.needs_seed_import) and service.seeds_dir is not None:
        if service.seeds_dir.is_dir():
            report = await asyncio.to_thread(service.import_seeds)
            logger.info("Imported %d seed articles from %s", report.added, service.seeds_dir)
        else:
            logger.warning("No import has finished and %s does not exist", service.seeds_dir)
    user_commands = [BotCommand(n, d) for n, d in render.USER_COMMANDS]
    extra = application.bot_data.get("extra_commands", ())
    user_commands += [BotCommand(n, d) for n, d in extra]
    await application.bot.set_my_commands(user_commands, scope=BotCommandScopeDefault())
    admin_commands = user_commands + [BotCommand(n, d) for n, d in render.ADMIN_COMMANDS]
    for admin_id in sorted(settings.admin_ids):
        try:
            await application.bot.set_my_commands(
                admin_commands, scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as exc:
            # Telegram only knows the private chat once the admin has written to the bot.
            logger.warning("Could not set admin commands for user %s: %s", admin_id, exc)
    stats = await asyncio.to_thread(service.stats)
    logger.info(
        "newsbot is ready as @%s: %d articles, %d subscribers",
        application.bot.username, stats.articles, stats.subscribers,
    )


def run(settings: Settings, service: NewsService, *, webhook: bool = False,
        rate_limiter: bool = True) -> None:
    """Run until SIGINT/SIGTERM: long polling, or the webhook server."""
    application = build_application(settings, service, rate_limiter=rate_limiter)
    if not rate_limiter:
        logger.warning("Rate limiter off: sends are not paced (benchmark mode)")
    if webhook:
        if not settings.webhook_url:
            raise ConfigError("WEBHOOK_URL must be set to use --webhook.")
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
