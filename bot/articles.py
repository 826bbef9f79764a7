"""Pure parsing of article files (``*.txt``) and JSON Lines (``*.jsonl``) into ``Article``s.

A text article looks like this (line numbers on the left)::

    1  Politics 2024-04-15T05:06:55+03:00      category words, then an ISO datetime with offset
    2  Ukrainian news                          source
    3  Lukashenko denies ...                   title
    4
    5  Lukashenko denies ...                   subtitle (may repeat the title)
    6
    7  Russia, war, Ukraine, Belarus           comma-separated tags
    8
    9
    10 First paragraph of the body ...         body: paragraphs separated by blank lines

Nothing here touches the database; errors are ``ArticleFormatError`` with path and line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import ArticleFormatError
from bot.models import Article

ARTICLE_SUFFIXES = (".txt", ".jsonl")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,48}$")
_HEADER_EXAMPLE = "'Politics 2024-04-15T05:06:55+03:00'"
_HEADER_LINES = 7


def normalise_tags(raw: Iterable[str]) -> tuple[str, ...]:
    """Trim tags, drop empty ones and case-insensitive duplicates, keep the first spelling."""
    seen: set[str] = set()
    tags: list[str] = []
    for tag in raw:
        tag = " ".join(str(tag).split())
        key = tag.casefold()
        if tag and key not in seen:
            seen.add(key)
            tags.append(tag)
    return tuple(tags)


def tag_key(tag: str) -> str:
    """The case-insensitive form tags are matched by."""
    return " ".join(tag.split()).casefold()


def derive_article_id(source: str, title: str, published: datetime) -> str:
    """A stable, short, URL-safe id for an article that has none of its own."""
    instant = published.astimezone(UTC).isoformat()
    key = "\x1f".join((source.strip(), title.strip(), instant))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def parse_published(value: str, path: str | Path, line: int | None) -> datetime:
    """Parse an ISO-8601 datetime that must carry a UTC offset or ``Z``."""
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
    return published


def _decode(data: bytes, path: str | Path, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise ArticleFormatError(
            path, f"file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes"
        )
    if b"\x00" in data:
        raise ArticleFormatError(path, "binary file (contains NUL bytes), not an article")
    try:
        # Not the "utf-8-sig" codec: it is written in Python, three times slower per line.
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ArticleFormatError(
            path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", line
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    # Universal newlines: CRLF and lone CR become LF.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _paragraphs(lines: Iterable[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def parse_article_text(text: str, path: str | Path = "<text>") -> Article:
    """Parse one article in the text format; raises ArticleFormatError naming path and line."""
    lines = [line.rstrip() for line in text.split("\n")]
    if not any(lines):
        raise ArticleFormatError(path, "file is empty")

    def need(number: int, what: str) -> str:
        if len(lines) < number:
            raise ArticleFormatError(
                path, f"file ends before line {number} ({what}); see the article format", number
            )
        return lines[number - 1]

    def blank(number: int, separates: str) -> None:
        if need(number, "a blank line").strip():
            raise ArticleFormatError(
                path, f"line {number} must be blank (it separates {separates})", number
            )

    header = need(1, "category and datetime").strip()
    parts = header.split()
    if len(parts) < 2:
        raise ArticleFormatError(
            path,
            f"line 1 must be a category followed by an ISO datetime, e.g. {_HEADER_EXAMPLE}",
            1,
        )
    published = parse_published(parts[-1], path, 1)
    category = " ".join(parts[:-1])

    source = need(2, "source").strip()
    if not source:
        raise ArticleFormatError(path, "line 2 (source) is empty", 2)
    title = need(3, "title").strip()
    if not title:
        raise ArticleFormatError(path, "line 3 (title) is empty", 3)
    blank(4, "the title from the subtitle")
    subtitle = need(5, "subtitle").strip()
    blank(6, "the subtitle from the tags")
    tags = normalise_tags(need(7, "comma-separated tags").split(","))

    if len(lines) > _HEADER_LINES and lines[_HEADER_LINES].strip():
        raise ArticleFormatError(
            path, f"line {_HEADER_LINES + 1} must be blank (it separates the tags from the body)",
            _HEADER_LINES + 1,
        )
    paragraphs = _paragraphs(lines[_HEADER_LINES:])
    if not paragraphs:
        raise ArticleFormatError(path, "the body is empty", min(len(lines), _HEADER_LINES + 1))
    return Article(
        id=derive_article_id(source, title, published),
        category=category,
        published=published,
        source=source,
        title=title,
        subtitle=subtitle,
        tags=tags,
        body="\n\n".join(paragraphs),
    )


def _field(record: dict, name: str, path: str | Path, line: int, *, required: bool) -> str:
    value = record.get(name)
    if type(value) is str:
        return value.strip()
    if value is None:
        if required:
            raise ArticleFormatError(path, f"missing field {name!r}", line)
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ArticleFormatError(path, f"field {name!r} must be a string", line)
    return str(value).strip()


def parse_article_record(record: object, path: str | Path = "<jsonl>", line: int = 1) -> Article:
    """Parse one JSON Lines record into an Article."""
    if not isinstance(record, dict):
        raise ArticleFormatError(path, "each line must be a JSON object", line)
    category = " ".join(_field(record, "category", path, line, required=True).split())
    if not category:
        raise ArticleFormatError(path, "field 'category' is empty", line)
    published = parse_published(_field(record, "published", path, line, required=True), path, line)
    source = _field(record, "source", path, line, required=True)
    if not source:
        raise ArticleFormatError(path, "field 'source' is empty", line)
    title = " ".join(_field(record, "title", path, line, required=True).split())
    if not title:
        raise ArticleFormatError(path, "field 'title' is empty", line)
    subtitle = " ".join(_field(record, "subtitle", path, line, required=False).split())
    raw_tags = record.get("tags") or []
    if isinstance(raw_tags, str):
        raw_tags = raw_tags.split(",")
    if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
        raise ArticleFormatError(path, "field 'tags' must be a list of strings", line)
    body_text = _field(record, "body", path, line, required=True)
    paragraphs = _paragraphs(body_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if not paragraphs:
        raise ArticleFormatError(path, "field 'body' is empty", line)
    explicit_id = _field(record, "id", path, line, required=False)
    if explicit_id and not _ID_PATTERN.match(explicit_id):
        raise ArticleFormatError(
            path, f"id {explicit_id!r} must be 1-48 letters, digits, '-' or '_'", line
        )
    return Article(
        id=explicit_id or derive_article_id(source, title, published),
        category=category,
        published=published,
        source=source,
        title=title,
        subtitle=subtitle,
        tags=normalise_tags(raw_tags),
        body="\n\n".join(paragraphs),
    )


def read_article_file(path: str | Path, max_bytes: int = 1024 * 1024) -> Article:
    """Read and parse one ``.txt`` article file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleFormatError(path, f"cannot read file: {exc.strerror or exc}") from None
    return parse_article_text(_decode(data, path, max_bytes), path)


def iter_jsonl(
    path: str | Path, max_bytes: int = 1024 * 1024
) -> Iterator[Article | ArticleFormatError]:
    """Yield an Article or an ArticleFormatError for every non-blank line of a JSONL file.

    A bad line does not stop the others; ``max_bytes`` applies to each line, not the file.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ArticleFormatError(path, f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = _decode(raw, path, max_bytes)
            except ArticleFormatError as exc:
                yield ArticleFormatError(path, exc.reason, number)
                continue
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield ArticleFormatError(path, f"invalid JSON: {exc.msg}", number)
                continue
            try:
                yield parse_article_record(record, path, number)
            except ArticleFormatError as exc:
                yield exc


def discover_article_files(paths: Iterable[str | Path]) -> Iterator[Path | ArticleFormatError]:
    """Expand files and directories (recursively) into article files, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            yield from found
        elif path.is_file():
            yield path
        else:
            yield ArticleFormatError(path, "no such file or directory")


def iter_articles(
    paths: Iterable[str | Path], max_bytes: int = 1024 * 1024
) -> Iterator[Article | ArticleFormatError]:
    """Every article (or the error that stopped it) under ``paths``."""
    for item in discover_article_files(paths):
        if isinstance(item, ArticleFormatError):
            yield item
        elif item.suffix.lower() == ".jsonl":
            yield from iter_jsonl(item, max_bytes)
        else:
            try:
                yield read_article_file(item, max_bytes)
            except ArticleFormatError as exc:
                yield exc
