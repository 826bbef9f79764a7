"""The terminal: printing articles and JSON, wording errors, logging with secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.config import InvalidSetting
from bot.errors import (
    ArgumentOutOfRange,
    ArticleFormatError,
    ArticleNotFound,
    ConfigError,
    ImportInProgress,
    NewsbotError,
)
from bot.feeds.errors import (
    AddressRefused,
    FeedAlreadyFollowed,
    FeedFormatError,
    FeedNotFound,
    OpmlFormatError,
)
from bot.models import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Article,
    SearchHit,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "published": article.published.isoformat(),
        "category": article.category,
        "source": article.source,
        "tags": list(article.tags),
        "url": article.url,
        "also": list(article.also),
    }


def highlight(text: str) -> str:
    if sys.stdout.isatty():
        return text.replace(HIGHLIGHT_START, "\x1b[1m").replace(HIGHLIGHT_END, "\x1b[0m")
    return text.replace(HIGHLIGHT_START, "[").replace(HIGHLIGHT_END, "]")


def plain(text: str) -> str:
    return text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def print_article_line(article: Article, extra: str = "") -> None:
    when = article.published.strftime("%Y-%m-%d %H:%M")
    print(f"{article.id}  {when}  {article.category}: {article.title}")
    details = article.source + (f" (also: {', '.join(article.also)})" if article.also else "")
    details += f" · {', '.join(article.tags)}" if article.tags else ""
    print(f"    {details}")
    if extra:
        print(f"    {extra}")


# File names may hold control characters (articles cannot: import strips them); shown escaped
# so that a name cannot drive the terminal.
ESCAPED_CONTROLS = {
    code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
}


def terminal_safe(text: str) -> str:
    return text.translate(ESCAPED_CONTROLS)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {**article_json(hit.article), "snippet": plain(hit.snippet)}


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


class UsageError(Exception):
    pass


ARGUMENT_FLAGS = {"count": "-n", "offset": "--page"}


def describe_error(exc: NewsbotError) -> str:
    """A NewsbotError worded for the terminal, on one line where the error allows."""
    match exc:
        case ArticleNotFound():
            return f"No article with id {exc.article_id!r}."
        case ArticleFormatError():
            return f"{exc.where}: {exc.reason}"
        case ArgumentOutOfRange():
            flag = ARGUMENT_FLAGS.get(exc.argument, exc.argument)
            high = f" to {exc.high}" if exc.high is not None else " or more"
            return f"{flag} must be a whole number from {exc.low}{high}, got {exc.value!r}"
        case ImportInProgress():
            return "an import is already running; try again when it has finished"
        case FeedNotFound():
            return f"No followed feed {exc.ref!r} (see: newsbot feeds list)."
        case FeedAlreadyFollowed():
            return f"{exc.url} is followed already as feed {exc.feed_id}."
        case AddressRefused():
            return f"cannot fetch {exc.url}: {exc.reason.replace('_', ' ')} {exc.detail}".rstrip()
        case FeedFormatError():
            return f"{exc.url}: {exc.reason}"
        case OpmlFormatError():
            return str(exc)
        case _:
            return str(exc)


