"""The ``newsbot`` command line: thin commands over the query service.

Exit codes: 0 success, 1 some inputs failed or a lookup found nothing, 2 usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import __version__
from bot.config import InvalidSetting, Settings, load_settings
from bot.errors import (
    ArgumentOutOfRange,
    ArticleFormatError,
    ArticleNotFound,
    ConfigError,
    ImportInProgress,
    InvalidQuery,
    NewsbotError,
    location,
)
from bot.models import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SUMMARY_METHODS,
    Article,
    SearchHit,
    Summary,
)
from bot.service import MAX_PAGE, NewsService
from bot.store import Store

if TYPE_CHECKING:
    from bot.digests import DigestRun

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
    return parser


def _open_service(args: argparse.Namespace, settings: Settings) -> NewsService:
    db_path = getattr(args, "db", None) or settings.db_path
    return NewsService(
        Store(db_path),
        max_article_bytes=settings.max_article_bytes,
        seeds_dir=settings.seeds_dir,
        default_timezone=settings.timezone,
    )


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "published": article.published.isoformat(),
        "category": article.category,
        "source": article.source,
        "tags": list(article.tags),
    }


def _highlight(text: str) -> str:
    if sys.stdout.isatty():
        return text.replace(HIGHLIGHT_START, "\x1b[1m").replace(HIGHLIGHT_END, "\x1b[0m")
    return text.replace(HIGHLIGHT_START, "[").replace(HIGHLIGHT_END, "]")


def _plain(text: str) -> str:
    return text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def _print_article_line(article: Article, extra: str = "") -> None:
    when = article.published.strftime("%Y-%m-%d %H:%M")
    print(f"{article.id}  {when}  {article.category}: {article.title}")
    details = article.source + (f" · {', '.join(article.tags)}" if article.tags else "")
    print(f"    {details}")
    if extra:
        print(f"    {extra}")


# File names may hold control characters (articles cannot: import strips them); shown escaped
# so that a name cannot drive the terminal.
_ESCAPED_CONTROLS = {
    code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
}


def _terminal_safe(text: str) -> str:
    return text.translate(_ESCAPED_CONTROLS)


def import_command(service: NewsService, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    with tqdm(unit=" articles", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        report = service.import_paths(args.paths, progress=bar.update, summarise=args.summarise)
    if args.json:
        _print_json(report.as_dict())
    else:
        total = report.added + report.updated + report.unchanged
        print(
            f"Imported {total} article{'s' if total != 1 else ''}: {report.added} added, "
            f"{report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed."
        )
        for failure in report.failed:
            print(f"  failed: {_terminal_safe(failure.where)}: {_terminal_safe(failure.error)}",
                  file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


def latest_command(service: NewsService, args: argparse.Namespace) -> int:
    articles = service.latest(args.n, tag=args.tag, category=args.category, source=args.source)
    if args.json:
        _print_json([_article_json(a) for a in articles])
    elif not articles:
        print("No articles yet. Import some with: newsbot import seeds/")
    for article in [] if args.json else articles:
        _print_article_line(article)
    return EXIT_OK


def search_command(service: NewsService, args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    page = service.search(text, limit=args.n, offset=(args.page - 1) * args.n)
    if args.json:
        _print_json([_hit_json(hit) for hit in page.hits])
        return EXIT_OK
    if not page.hits:
        print(f"No results for {text!r}." + (" Try fewer or broader words." if args.page == 1
                                               else " That page is past the last result."))
        return EXIT_OK
    for hit in page.hits:
        _print_article_line(hit.article, _highlight(hit.snippet.replace("\n", " ")))
    if page.has_more:
        print(f"More results: newsbot search {' '.join(args.query)} --page {args.page + 1}")
    return EXIT_OK


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {**_article_json(hit.article), "snippet": _plain(hit.snippet)}


def show_command(service: NewsService, args: argparse.Namespace) -> int:
    article = service.article(args.id)
    if args.json:
        _print_json({**_article_json(article), "subtitle": article.subtitle,
                     "body": article.body})
        return EXIT_OK
    print(article.title)
    if article.subtitle and article.subtitle != article.title:
        print(article.subtitle)
    print(f"{article.published.isoformat()} · {article.source} · {article.category}")
    if article.tags:
        print("Tags: " + ", ".join(article.tags))
    print()
    print(article.body)
    return EXIT_OK


def tags_command(service: NewsService, args: argparse.Namespace) -> int:
    tags = service.tags(limit=1000)
    if args.json:
        _print_json([{"tag": t.name, "articles": t.count} for t in tags])
    for tag in [] if args.json else tags:
        print(f"{tag.count:6d}  {tag.name}")
    return EXIT_OK


def categories_command(service: NewsService, args: argparse.Namespace) -> int:
    categories = service.categories()
    if args.json:
        _print_json([{"category": c.name, "articles": c.count} for c in categories])
    for category in [] if args.json else categories:
        print(f"{category.count:6d}  {category.name}")
    return EXIT_OK


def stats_command(service: NewsService, args: argparse.Namespace) -> int:
    stats = service.stats()
    values = {
        "articles": stats.articles,
        "tags": stats.tags,
        "categories": stats.categories,
        "sources": stats.sources,
        "subscribers": stats.subscribers,
        "last_import": stats.last_import.isoformat() if stats.last_import else None,
        "database_bytes": stats.database_bytes,
    }
    if args.json:
        _print_json(values)
    else:
        for key, value in values.items():
            print(f"{key.replace('_', ' '):15} {value if value is not None else '—'}")
    return EXIT_OK


def summarise_command(service: NewsService, args: argparse.Namespace) -> int:
    from bot.articles import read_article_file

    if not args.ids and not args.file:
        raise _UsageError("give article IDs or --file PATH...")
    outputs: list[dict[str, Any]] = []
    failed = 0

    def emit(key: str, label: str, summary: Summary) -> None:
        outputs.append({key: label, "method": summary.method, "language": summary.language,
                        "sentences": list(summary.sentences)})
        if not args.json:
            print(f"{label} ({summary.language}, {summary.method}):")
            for sentence in summary.sentences:
                print(f"  • {sentence}")
            print()

    for article_id in args.ids:
        try:
            article = service.article(article_id)
        except NewsbotError as exc:
            print(f"newsbot: {describe_error(exc)}", file=sys.stderr)
            failed += 1
            continue
        summary = service.summary(article, args.sentences, args.method, args.language)
        emit("id", article.id, summary)
    for path in args.file:
        try:
            article = read_article_file(path, service.max_article_bytes)
        except NewsbotError as exc:
            print(f"newsbot: {describe_error(exc)}", file=sys.stderr)
            failed += 1
            continue
        summary = service.summary(article, args.sentences, args.method, args.language)
        emit("path", str(path), summary)
    if args.json:
        for output in outputs:
            print(json.dumps(output, ensure_ascii=False))
    return EXIT_FAILED if failed else EXIT_OK


TOKEN_REJECTED = "the Bot API rejected the token (401); check TELEGRAM_BOT_TOKEN"
API_UNREACHABLE = "cannot reach the Bot API: {error}"


def _run_bot(settings: Settings, service: NewsService, *, webhook: bool = False,
             rate_limiter: bool = True) -> int:
    from bot.app import TokenRejected, run

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
        _print_article_line(article)
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
        _print_json({"messages": run.messages, "served": run.served, "empty": run.empty,
                     "unreachable": run.unreachable, "failed": run.failed})
    else:
        print(run.summary())
    return EXIT_FAILED if run.failed else EXIT_OK


class RedactingFormatter(logging.Formatter):
    """Log lines, tracebacks included, with every secret replaced by ``<secret>``: whatever
    a library puts in a message or an exception, the token is never printed."""

    def __init__(self, fmt: str, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        return text


def configure_logging(level: int, secrets: Sequence[str]) -> None:
    """The only logging set-up: one stderr handler, secrets redacted, noisy loggers quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for earlier in [h for h in root.handlers if isinstance(h.formatter, RedactingFormatter)]:
        root.removeHandler(earlier)  # main() may run more than once in a process (tests)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The job scheduler logs every run of the minutely digest check at INFO.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def describe_config_error(error: ConfigError) -> str:
    """The terminal's wording of a configuration error."""
    if not isinstance(error, InvalidSetting):
        return str(error)
    if error.kind == "user_id":
        return (f"{error.name} must be comma-separated numeric Telegram user ids, "
                f"got {error.value!r}.")
    if error.kind == "timezone":
        return (f"{error.name}: unknown timezone {error.value!r}; use an IANA name such as "
                "Europe/Kyiv or UTC.")
    if error.maximum is None:
        return f"{error.name} must be a whole number, {error.minimum} or more, got {error.value!r}."
    return (f"{error.name} must be a whole number from {error.minimum} to {error.maximum}, "
            f"got {error.value!r}.")


class _UsageError(Exception):
    pass


_ARGUMENT_FLAGS = {"count": "-n", "offset": "--page"}


def describe_error(exc: NewsbotError) -> str:
    """A NewsbotError worded for the terminal, on one line where the error allows."""
    match exc:
        case ArticleNotFound():
            return f"No article with id {exc.article_id!r}."
        case ArticleFormatError():
            return f"{exc.where}: {exc.reason}"
        case ArgumentOutOfRange():
            flag = _ARGUMENT_FLAGS.get(exc.argument, exc.argument)
            high = f" to {exc.high}" if exc.high is not None else " or more"
            return f"{flag} must be a whole number from {exc.low}{high}, got {exc.value!r}"
        case ImportInProgress():
            return "an import is already running; try again when it has finished"
        case _:
            return str(exc)


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
    except _UsageError as exc:
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
