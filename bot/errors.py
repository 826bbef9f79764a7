"""The newsbot exception tree.

Library exceptions (sqlite3, sumy, telegram) are converted into these at the edge of the
module that owns the library, so callers only ever catch ``NewsbotError``. Errors carry data
(the bad value, the allowed range, which argument), never sentences for users or command
syntax: ``bot.render`` words them for Telegram and ``bot.cli`` for the terminal. ``str(exc)``
is a plain developer-facing description, for logs::

    NewsbotError
    ├── ArticleFormatError        an article file or JSONL line is malformed (path, line, reason)
    ├── ArticleNotFound           no article has the requested id (article_id)
    ├── InvalidQuery              a user argument is malformed (argument)
    │   ├── EmptyArgument         a required argument is missing or blank
    │   ├── ArgumentOutOfRange    a number outside low..high, or not an ASCII number (value)
    │   ├── InvalidDigestTime     not a 24-hour HH:MM time in ASCII digits (text)
    │   ├── UnknownTimezone       not an IANA timezone name (name)
    │   └── TooBroadSearch        a search over its budget (prefix_terms, limit, budget)
    ├── TooManySearches           a user already has ``limit`` searches running
    ├── TooManyAlerts             a chat already has ``limit`` saved searches
    ├── ChannelRefused            a channel cannot be managed from here (reason, channel)
    ├── ConfigError               a required setting is missing or invalid
    │   ├── MissingSetting        a setting that this command needs is not set (name, needed_for)
    │   ├── InvalidSetting        a setting is malformed or out of range (name, value, kind, range)
    │   └── WeakSecret            a secret shorter than it must be (name, minimum)
    ├── TokenRejected             the Bot API refused the token (401)
    ├── StoreError                the database cannot be opened, read or written
    ├── SummaryError              the summariser was asked for something it cannot do
    └── ImportInProgress          an import is already running
"""

from __future__ import annotations

from pathlib import Path


def location(path: str | Path, line: int | None = None) -> str:
    """``path:line``, or just ``path`` when the line is unknown: how every edge names a place."""
    return f"{path}:{line}" if line is not None else str(path)


class NewsbotError(Exception):
    """Base class of every error newsbot reports to a user."""


class ArticleFormatError(NewsbotError):
    """An article file or JSON Lines record is malformed."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        super().__init__(f"{self.where}: {reason}")

    @property
    def where(self) -> str:
        return location(self.path, self.line)


class ArticleNotFound(NewsbotError):
    """No article has the requested id."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"No article with id {article_id!r}.")


class InvalidQuery(NewsbotError):
    """A user-supplied argument is malformed; ``argument`` names it (e.g. "count", "tag")."""

    def __init__(self, argument: str, detail: str = "") -> None:
        self.argument = argument
        super().__init__(f"invalid {argument}" + (f": {detail}" if detail else ""))


class EmptyArgument(InvalidQuery):
    """A required argument is missing or blank."""

    def __init__(self, argument: str) -> None:
        super().__init__(argument, "missing")


class ArgumentOutOfRange(InvalidQuery):
    """A number outside ``low..high`` (``high`` None: no upper bound); ``value`` is the int,
    or the text as given when it is not a whole number written in ASCII digits."""

    def __init__(self, argument: str, value: int | str, low: int, high: int | None) -> None:
        self.value = value
        self.low = low
        self.high = high
        bounds = f"{low}..{high if high is not None else ''}"
        super().__init__(argument, f"{value!r} not in {bounds}")


class InvalidDigestTime(InvalidQuery):
    """Not a 24-hour ``HH:MM`` time written in ASCII digits."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__("digest time", repr(text[:100]))


class UnknownTimezone(InvalidQuery):
    """Not the name of an IANA timezone."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__("timezone", repr(name[:100]))


class TooBroadSearch(InvalidQuery):
    """A search that would cost too much: more than ``limit`` prefix terms, or (``budget``
    set) over its time budget of ``budget`` seconds (``prefix_terms`` as given)."""

    def __init__(self, prefix_terms: int, limit: int, budget: float | None = None) -> None:
        self.prefix_terms = prefix_terms
        self.limit = limit
        self.budget = budget
        if budget is None:
            detail = f"{prefix_terms} prefix terms, limit {limit}"
        else:
            detail = f"over its {budget:g} s budget, {prefix_terms} prefix terms"
        super().__init__("search", detail)


class TooManySearches(NewsbotError):
    """A user already has ``limit`` searches running; another is refused, not queued."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"already {limit} searches running")


class TooManyAlerts(NewsbotError):
    """A chat already has ``limit`` saved searches (alerts)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"already {limit} alerts in this chat")


class ChannelRefused(NewsbotError):
    """A channel cannot be managed from this private chat. ``reason`` is one of
    ``CHANNEL_REFUSALS``; ``channel`` is its title, or the name the user gave when Telegram
    knows no such channel; ``chat_id`` its id when Telegram told it."""

    def __init__(self, reason: str, channel: str, chat_id: int | None = None) -> None:
        if reason not in CHANNEL_REFUSALS:
            raise ValueError(f"unknown channel refusal {reason!r}")
        self.reason = reason
        self.channel = channel
        self.chat_id = chat_id
        super().__init__(f"channel {channel!r} refused: {reason}")


# Why a channel was refused: Telegram knows no such chat; the chat is not a channel; the bot is
# not its administrator; the bot may not post there; the user is not its administrator.
CHANNEL_REFUSALS = ("not_found", "not_a_channel", "bot_not_admin", "bot_cannot_post",
                    "not_admin")


class ConfigError(NewsbotError):
    """A required setting is missing or invalid."""


class InvalidSetting(ConfigError):
    """A setting's value is malformed or out of range; the CLI words it.

    ``kind`` is what the value must be: ``"integer"`` (within ``minimum``..``maximum``),
    ``"user_id"`` (one entry of a comma-separated list of positive integers) or
    ``"timezone"`` (an IANA name). ``value`` is the offending text, never a secret.
    """

    def __init__(
        self, name: str, value: str, kind: str, *, minimum: int | None = None,
        maximum: int | None = None,
    ) -> None:
        self.name = name
        self.value = value
        self.kind = kind
        self.minimum = minimum
        self.maximum = maximum
        bounds = f" {minimum}..{'' if maximum is None else maximum}" if minimum is not None else ""
        super().__init__(f"invalid setting {name}={value!r} ({kind}{bounds})")


class MissingSetting(ConfigError):
    """A setting that is needed for ``needed_for`` (a command or mode; None: newsbot itself)
    is not set."""

    def __init__(self, name: str, needed_for: str | None = None) -> None:
        self.name = name
        self.needed_for = needed_for
        super().__init__(f"missing setting {name}" + (f" for {needed_for}" if needed_for else ""))


class WeakSecret(ConfigError):
    """A secret setting shorter than ``minimum`` characters (its value is never kept)."""

    def __init__(self, name: str, minimum: int) -> None:
        self.name = name
        self.minimum = minimum
        super().__init__(f"setting {name} shorter than {minimum} characters")


class TokenRejected(NewsbotError):
    """The Bot API answered 401 (or 404 for a malformed token) to our token."""


class StoreError(NewsbotError):
    """The database cannot be opened, read or written."""


class SummaryError(NewsbotError):
    """The summariser was asked for an unknown method or an impossible length."""


class ImportInProgress(NewsbotError):
    """Another import is already running."""

    def __init__(self) -> None:
        super().__init__("an import is already running")
