"""The ``newsbot`` command line: thin commands over the query service.

Each command opens the store, calls the service and words its errors for the terminal
(``terminal``); the commands live by job in ``reading`` (the store), ``feeds`` (following
feeds, pruning) and ``running`` (Telegram). Exit codes: 0 success, 1 some inputs failed or a
lookup found nothing, 2 usage errors.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot import __version__
from bot.cli.feeds import add_feed_commands
from bot.cli.reading import (
    categories_command,
    import_command,
    latest_command,
    search_command,
    show_command,
    stats_command,
    summarise_command,
    tags_command,
)
from bot.cli.running import run_command, send_digests_command, start_command
from bot.cli.terminal import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    configure_logging,
    describe_config_error,
    describe_error,
)
from bot.config import Settings, load_settings
from bot.errors import (
    ConfigError,
    InvalidQuery,
    NewsbotError,
)
from bot.models import (
    SUMMARY_METHODS,
)
from bot.service import MAX_PAGE, NewsService
from bot.store import Store

logger = logging.getLogger(__name__)

MAX_PAGE_NUMBER = 1_000_000


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in ASCII digits within ``low..high``."""

    def parse(text: str) -> int:
        digits = text.strip()
        # ASCII only: int() also reads "٥", and refuses over 4,300 digits.
        if not re.fullmatch(r"[0-9]{1,18}", digits, re.ASCII):
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
        value = int(digits)
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value

    return parse


_positive = _whole_number(1)
_page_size = _whole_number(1, MAX_PAGE)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", type=Path, default=argparse.SUPPRESS,
        help="SQLite database file (default: $NEWSBOT_DB or data/news.db)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS,
        help="print JSON for scripts instead of text",
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
        help="log what happens",
    )
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Import, search and summarise news articles; serve them on Telegram.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, func: Callable[..., int], help_text: str, aliases: Sequence[str] = ()
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, parents=[common], help=help_text, description=help_text, aliases=aliases
        )
        sub.set_defaults(func=func)
        return sub

    sub = command("import", import_command, "import article files and directories")
    sub.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                     help="*.txt or *.jsonl files, or directories searched recursively")
    sub.add_argument("--summarise", "--summarize", action="store_true",
                     help="compute summaries during import, using all cores")

    sub = command("latest", latest_command, "the newest articles")
    sub.add_argument("-n", type=_page_size, default=10, help="how many, 1-100 (default 10)")
    sub.add_argument("--tag", help="only articles with this tag")
    sub.add_argument("--category", help="only articles in this category")
    sub.add_argument("--source", help="only articles from this source")

    sub = command("search", search_command, "full-text search")
    sub.add_argument("query", nargs="+", metavar="QUERY",
                     help='words (AND-ed), "phrases", prefix*, -excluded, tag:T, category:C')
    sub.add_argument("-n", type=_page_size, default=10,
                     help="results per page, 1-100 (default 10)")
    sub.add_argument("--page", type=_whole_number(1, MAX_PAGE_NUMBER), default=1,
                     help="page number (default 1)")

    sub = command("show", show_command, "one article in full")
    sub.add_argument("id", metavar="ID")

    command("tags", tags_command, "tags with article counts")
    command("categories", categories_command, "categories with article counts")
    command("stats", stats_command, "what the store holds")

    command("start", start_command,
            "import seeds/, then run the bot if TELEGRAM_BOT_TOKEN is set, "
            "else show the newest articles here")

    sub = command("run", run_command, "run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    sub.add_argument("--webhook", action="store_true",
                     help="serve a webhook (WEBHOOK_URL, WEBHOOK_SECRET, PORT) instead of polling")
    sub.add_argument("--no-rate-limit", action="store_true",
                     help="send without pacing (only for benchmarks against a local Bot API)")

    sub = command("send-digests", send_digests_command,
                  "send every digest that is due, then exit (for cron or systemd timers)")
    sub.add_argument("--all", action="store_true",
                     help="send every active chat its digest now, whatever its schedule")
    sub.add_argument("--no-rate-limit", action="store_true",
                     help="send without pacing (only for benchmarks against a local Bot API)")

    sub = command(
        "summarise", summarise_command, "summarise stored articles or article files",
        aliases=["summarize"],
    )
    sub.add_argument("ids", nargs="*", metavar="ID", help="ids of stored articles")
    sub.add_argument("--file", nargs="+", type=Path, default=[], metavar="PATH",
                     help="article files to summarise without importing them")
    sub.add_argument("--sentences", type=_positive, default=3, help="sentences (default 3)")
    sub.add_argument("--method", default="default", choices=SUMMARY_METHODS,
                     help="summariser method (default: default)")
    sub.add_argument("--language", help="english, ukrainian, russian (default: detect)")

    add_feed_commands(command, common, _positive)
    return parser


def _open_service(args: argparse.Namespace, settings: Settings) -> NewsService:
    db_path = getattr(args, "db", None) or settings.db_path
    return NewsService(
        Store(db_path),
        max_article_bytes=settings.max_article_bytes,
        seeds_dir=settings.seeds_dir,
        default_timezone=settings.timezone,
        keep_days=settings.keep_days,
    )


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to python-telegram-bot's timedelta durations (e.g. RetryAfter.retry_after)
    # now rather than meet a deprecation warning on every 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = build_parser()
    args = parser.parse_args(argv)
    for flag in ("json", "verbose"):
        setattr(args, flag, getattr(args, flag, False))
    level = logging.INFO if args.verbose or args.command == "run" else logging.WARNING
    configure_logging(level, [])
    try:
        settings = load_settings()
        configure_logging(level, [settings.token or "", settings.webhook_secret or ""])
        args.settings = settings
        if args.command in ("run", "send-digests"):
            settings.require_token()  # before touching the database: the usual first mistake
        if getattr(args, "webhook", False):
            from bot.app import check_webhook

            check_webhook(settings)
        try:
            service = _open_service(args, settings)
        except OSError as exc:  # e.g. the --db folder cannot be made: its parent is a file
            path = getattr(args, "db", None) or settings.db_path
            print(f"newsbot: cannot open database {path}: {exc.strerror or exc}",
                  file=sys.stderr)
            return EXIT_FAILED
        try:
            return args.func(service, args)
        finally:
            service.store.close()
    except UsageError as exc:
        print(f"newsbot {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(f"newsbot: {describe_config_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidQuery as exc:
        print(f"newsbot: {describe_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except NewsbotError as exc:
        print(f"newsbot: {describe_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `newsbot latest | head`); that is not an error.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return EXIT_OK
    except Exception:
        # A bug or a library surprise: its traceback goes through the redacting formatter.
        logger.exception("newsbot %s failed unexpectedly", args.command)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
