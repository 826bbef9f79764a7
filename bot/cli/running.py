"""Commands that talk to Telegram: start, run, send-digests."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from bot.cli.terminal import (
    EXIT_FAILED,
    EXIT_OK,
    print_article_line,
    print_json,
)
from bot.config import Settings
from bot.errors import TokenRejected, location
from bot.service import NewsService

if TYPE_CHECKING:
    from bot.digests import DigestRun

logger = logging.getLogger(__name__)

TOKEN_REJECTED = "the Bot API rejected the token (401); check TELEGRAM_BOT_TOKEN"
API_UNREACHABLE = "cannot reach the Bot API: {error}"


def _run_bot(settings: Settings, service: NewsService, *, webhook: bool = False,
             rate_limiter: bool = True) -> int:
    from bot.app import run

    try:
        run(settings, service, webhook=webhook, rate_limiter=rate_limiter)
    except TokenRejected:
        print(f"newsbot: {TOKEN_REJECTED}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def start_command(service: NewsService, args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    report = service.import_paths([settings.seeds_dir])
    print(f"{settings.seeds_dir}: {report.added} added, {report.updated} updated, "
          f"{report.unchanged} unchanged, {len(report.failed)} failed.", flush=True)
    for failure in report.failed:
        print(f"  failed: {location(failure.path, failure.line)}: {failure.error}",
              file=sys.stderr)
    if settings.token:
        logging.getLogger().setLevel(logging.INFO)  # the bot's start-up and ready lines
        return _run_bot(settings, service)
    print("\nTELEGRAM_BOT_TOKEN is not set, so here is the command line instead "
          "(see README.md to run the bot).\n")
    for article in service.latest(5):
        print_article_line(article)
        for sentence in service.summary(article).sentences:
            print(f"      • {sentence}")
        print()
    print("Try: newsbot search Belarus · newsbot tags · newsbot show ID · newsbot --help")
    return EXIT_OK


def run_command(service: NewsService, args: argparse.Namespace) -> int:
    return _run_bot(args.settings, service, webhook=args.webhook,
                    rate_limiter=not args.no_rate_limit)


def send_digests_command(service: NewsService, args: argparse.Namespace) -> int:
    """Send due digests (or all with --all) once; the Bot API unreachable or the token rejected
    is one line and exit 1, with nothing recorded."""
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_bot
    from bot.digests import DigestSender

    async def send() -> DigestRun:
        paced = not args.no_rate_limit
        async with build_bot(args.settings, rate_limiter=paced) as bot:
            sender = DigestSender(bot, service, chat_interval=1.0 if paced else 0.0)
            return await (sender.send_all() if args.all else sender.send_due())

    try:
        run = asyncio.run(send())
    except InvalidToken:
        print(f"newsbot: {TOKEN_REJECTED}", file=sys.stderr)
        return EXIT_FAILED
    except NetworkError as exc:  # at start-up (getMe); later failures fail chats, not the run
        print(f"newsbot: {API_UNREACHABLE.format(error=exc)}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print_json({"messages": run.messages, "served": run.served, "empty": run.empty,
                     "unreachable": run.unreachable, "failed": run.failed})
    else:
        print(run.summary())
    return EXIT_FAILED if run.failed else EXIT_OK


