"""The newsbot exception tree.

Library exceptions (sqlite3, sumy, telegram) are converted into these at the edge of the
module that owns the library, so callers only ever catch ``NewsbotError``::

    NewsbotError
    ├── ArticleFormatError     an article file or JSONL line cannot be parsed (path, line, reason)
    ├── ArticleNotFound        no article has the requested id
    ├── InvalidQuery           a user argument is malformed (the message gives the usage)
    ├── ConfigError            a required setting is missing or invalid
    ├── StoreError             the database cannot be opened, read or written
    ├── SummaryError           the summariser was asked for something it cannot do
    └── ImportInProgress       an import is already running
"""

from __future__ import annotations

from pathlib import Path


class NewsbotError(Exception):
    """Base class of every error newsbot reports to a user."""


class ArticleFormatError(NewsbotError):
    """An article file or JSON Lines record is malformed."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class ArticleNotFound(NewsbotError):
    """No article has the requested id."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"No article with id {article_id!r}.")


class InvalidQuery(NewsbotError):
    """A user-supplied argument is malformed; the message says how to use it."""


class ConfigError(NewsbotError):
    """A required setting is missing or invalid."""


class StoreError(NewsbotError):
    """The database cannot be opened, read or written."""


class SummaryError(NewsbotError):
    """The summariser was asked for an unknown method or an impossible length."""


class ImportInProgress(NewsbotError):
    """Another import is already running."""

    def __init__(self) -> None:
        super().__init__("An import is already running; try again when it has finished.")
