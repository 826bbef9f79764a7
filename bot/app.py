"""Wiring: ``build_application(settings, service)`` and the start-up work of ``newsbot run``."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
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

logger = logging.getLogger(__name__)

CONNECTIONS = 8
MESSAGES_PER_SECOND = 29.5  # a little under Telegram's 30, so clock jitter never crosses it

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


def build_rate_limiter() -> AIORateLimiter:
    """Telegram's ceiling is 30 messages a second overall: space sends evenly just under it
    (a bucket of one, so no burst can exceed 30 in any second) and retry after a 429."""
    return AIORateLimiter(
        overall_max_rate=1, overall_time_period=1 / MESSAGES_PER_SECOND, max_retries=5
    )


def build_bot(settings: Settings, *, rate_limiter: bool = True) -> ExtBot:
    """A bot without an application, for one-shot commands such as send-digests."""
    return ExtBot(
        settings.require_token(),
        base_url=settings.base_url or "https://api.telegram.org/bot",
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
        # httpcore scans its whole pool for every request; 256 connections (the default)
        # cost more CPU than they save against one API host.
        .connection_pool_size(CONNECTIONS)
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
    """Start-up work: seed an empty store, register the command menus, say we are ready."""
    service: NewsService = application.bot_data["service"]
    settings: Settings = application.bot_data["settings"]
    if await asyncio.to_thread(service.is_empty) and service.seeds_dir is not None:
        if service.seeds_dir.is_dir():
            report = await asyncio.to_thread(service.import_seeds)
            logger.info("Imported %d seed articles from %s", report.added, service.seeds_dir)
        else:
            logger.warning("The store is empty and %s does not exist", service.seeds_dir)
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
