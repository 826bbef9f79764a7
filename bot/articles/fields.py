"""Field rules both article formats share, and the one place an ``Article`` is validated.

Every text field is cleaned of C0/C1 control characters (newline and tab kept), dates must
carry a UTC offset and lie where any timezone can show them, and required fields must be
non-empty after cleaning. Errors are ``ArticleFormatError`` with path, line and reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import ArticleFormatError
from bot.models import Article

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
# A day inside datetime's range at each end, so the instant exists in every UTC offset.
EARLIEST_PUBLISHED = datetime(1, 1, 2, tzinfo=UTC)
LATEST_PUBLISHED = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)

_WHITESPACE_CONTROLS = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"  # str.split() breaks words on these
_CONTROL_TABLE: dict[int, str | None] = {
    code: (" " if chr(code) in _WHITESPACE_CONTROLS else None)
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))
    if chr(code) not in "\n\t"
}


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control_characters(text: str) -> str:
    """``text`` without C0/C1 control characters or DEL; newline and tab are kept.

    Those that separate words (vertical tab, form feed, the information separators, NEL)
    become a space, so words either side stay apart.
    """
    # Searching first: almost no text has any, and translate() is slow on long text.
    return text.translate(_CONTROL_TABLE) if _CONTROL.search(text) else text


def single_line(text: str) -> str:
    """Runs of whitespace, newlines included, become one space; the ends are trimmed."""
    return " ".join(text.split())


def tag_key(tag: str) -> str:
    """The case-insensitive form tags are matched by."""
    return single_line(tag).casefold()


def category_key(category: str) -> str:
    """The case-insensitive form categories are matched by (the store's ``category_key``)."""
    return single_line(category).casefold()


def normalise_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Trim tags, drop empty ones and case-insensitive duplicates, keep the first spelling."""
    seen: set[str] = set()
    tags: list[str] = []
    for tag in raw:
        tag = single_line(strip_control_characters(str(tag)))
        key = tag.casefold()
        if tag and key not in seen:
            seen.add(key)
            tags.append(tag)
    return tuple(tags)


def derive_article_id(source: str, title: str, published: datetime) -> str:
    """A stable, short, URL-safe id for an article that has none of its own.

    ``published`` must be within EARLIEST_PUBLISHED..LATEST_PUBLISHED (``parse_published``
    guarantees it).
    """
    instant = published.astimezone(UTC).isoformat()
    key = "\x1f".join((source.strip(), title.strip(), instant))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def is_representable(published: datetime) -> bool:
    """Whether an aware datetime lies between EARLIEST_PUBLISHED and LATEST_PUBLISHED, so it
    can be shown in every UTC offset (9999-12-31 at -05:00 cannot)."""
    # Aware datetimes compare by instant without converting, so this cannot overflow.
    return EARLIEST_PUBLISHED <= published <= LATEST_PUBLISHED


def parse_published(value: str, path: str | Path, line: int | None) -> datetime:
    """Parse an ISO-8601 datetime that must carry a UTC offset (or ``Z``) and lie between
    EARLIEST_PUBLISHED and LATEST_PUBLISHED."""
    try:
        published = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArticleFormatError(
            path,
            f"unparseable datetime {value!r}: expected ISO 8601 such as 2024-04-15T05:06:55+03:00",
            line,
        ) from None
    if published.tzinfo is None:
        raise ArticleFormatError(
            path,
            f"datetime {value!r} has no UTC offset; the offset is required "
            "(e.g. 2024-04-15T05:06:55+03:00 or ...Z)",
            line,
        )
    if not is_representable(published):
        raise ArticleFormatError(
            path,
            f"datetime {value!r} is out of range: it must fall between 0001-01-02 and "
            "9999-12-30 in UTC",
            line,
        )
    return published


def paragraphs(lines: Iterable[str]) -> list[str]:
    """Runs of non-blank lines, each line stripped; blank lines separate paragraphs."""
    found: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            found.append("\n".join(current))
            current = []
    if current:
        found.append("\n".join(current))
    return found


@dataclass(frozen=True, slots=True)
class RawArticle:
    """An article's fields as a format read them, before cleaning and validation."""

    article_id: str
    category: str
    published: datetime
    source: str
    title: str
    subtitle: str
    tags: Iterable[str]
    body: str  # lines separated by "\n"


# field name -> (how the format names it, its line): "line 3 (title)" or "field 'title'"
FieldPlace = Callable[[str], tuple[str, int | None]]


def build_article(raw: RawArticle, path: str | Path, place: FieldPlace) -> Article:
    """Clean every text field and validate the result: the last step of both formats.

    ``raw.article_id`` is already chosen (explicit, or derived from the fields as written, so
    cleaning never re-keys a stored article). Raises ArticleFormatError if a required field
    (category, source, title, body) is empty once cleaned.
    """
    clean = {
        name: single_line(strip_control_characters(getattr(raw, name)))
        for name in ("category", "source", "title", "subtitle")
    }
    for name in ("category", "source", "title"):
        if not clean[name]:
            label, line = place(name)
            raise ArticleFormatError(path, f"{label} is empty", line)
    body = paragraphs(strip_control_characters(raw.body).split("\n"))
    if not body:
        label, line = place("body")
        raise ArticleFormatError(path, f"{label} is empty", line)
    return Article(
        id=raw.article_id,
        category=clean["category"],
        published=raw.published,
        source=clean["source"],
        title=clean["title"],
        subtitle=clean["subtitle"],
        tags=normalise_tags(raw.tags),
        body="\n\n".join(body),
    )
