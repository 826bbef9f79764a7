"""JSON Lines (``*.jsonl``): one article per line, read as a stream.

A line is a JSON object with the fields ``category``, ``published``, ``source``, ``title``
and ``body`` (required), and ``subtitle``, ``tags`` (a list, or one comma-separated string)
and ``id`` (optional; derived as for text files when missing).

A file may be any size: it is read line by line, and the size limit applies to each line.
A line over the limit is reported and skipped without being held in memory; the lines after
it are still read.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from bot.articles.fields import (
    ID_PATTERN,
    RawArticle,
    build_article,
    derive_article_id,
    parse_published,
    single_line,
)
from bot.articles.text_format import DEFAULT_MAX_BYTES, decode, over_limit
from bot.errors import ArticleFormatError
from bot.models import Article

_SKIP_CHUNK = 64 * 1024


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
    """Parse one JSON Lines record into an Article; raises ArticleFormatError."""
    if not isinstance(record, dict):
        raise ArticleFormatError(path, "each line must be a JSON object", line)
    category = _field(record, "category", path, line, required=True)
    published = parse_published(_field(record, "published", path, line, required=True), path, line)
    source = _field(record, "source", path, line, required=True)
    title = _field(record, "title", path, line, required=True)
    subtitle = _field(record, "subtitle", path, line, required=False)
    tags = record.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ArticleFormatError(path, "field 'tags' must be a list of strings", line)
    body = _field(record, "body", path, line, required=True)
    explicit_id = _field(record, "id", path, line, required=False)
    if explicit_id and not ID_PATTERN.match(explicit_id):
        raise ArticleFormatError(
            path, f"id {explicit_id!r} must be 1-48 letters, digits, '-' or '_'", line
        )
    raw = RawArticle(
        article_id=explicit_id or derive_article_id(source, single_line(title), published),
        category=category,
        published=published,
        source=source,
        title=title,
        subtitle=subtitle,
        tags=tags,
        body=body.replace("\r\n", "\n").replace("\r", "\n"),
    )
    return build_article(raw, path, lambda name: (f"field {name!r}", line))


def _parse_line(data: bytes, path: Path, number: int) -> Article | ArticleFormatError | None:
    try:
        text = decode(data, path)
    except ArticleFormatError as exc:
        return ArticleFormatError(path, exc.reason, number)
    if not text.strip():
        return None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return ArticleFormatError(path, f"invalid JSON: {exc.msg}", number)
    except RecursionError:
        return ArticleFormatError(path, "invalid JSON: nested too deeply", number)
    except ValueError as exc:  # an integer of over 4,300 digits; drop the sys.* advice
        return ArticleFormatError(path, f"invalid JSON: {str(exc).split(';')[0]}", number)
    try:
        return parse_article_record(record, path, number)
    except ArticleFormatError as exc:
        return exc


def _skip_rest_of_line(handle: BinaryIO) -> int:
    """Read past the end of the current line in bounded chunks; returns the bytes skipped."""
    skipped = 0
    while chunk := handle.readline(_SKIP_CHUNK):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def iter_jsonl_lines(
    path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[int | None, Article | ArticleFormatError]]:
    """(line number, Article or ArticleFormatError) for every non-blank line of a JSONL file.

    A bad line does not stop the others. ``max_bytes`` applies to each line (its newline
    included), and no more than ``max_bytes + 1`` bytes of a line are held at once.
    """
    path = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        handle = open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")  # noqa: SIM115
    except OSError as exc:
        yield None, ArticleFormatError(path, f"cannot read file: {exc.strerror or exc}")
        return
    with handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            yield None, ArticleFormatError(path, "not a regular file")
            return
        number = 0
        try:
            while data := handle.readline(max_bytes + 1):
                number += 1
                if len(data) > max_bytes:
                    size = len(data)
                    if not data.endswith(b"\n"):
                        size += _skip_rest_of_line(handle)
                    yield number, ArticleFormatError(
                        path, over_limit(size, max_bytes, "line"), number
                    )
                    continue
                item = _parse_line(data, path, number)
                if item is not None:
                    yield number, item
        except OSError as exc:
            yield number + 1, ArticleFormatError(
                path, f"cannot read file: {exc.strerror or exc}", number + 1
            )


def iter_jsonl(
    path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | ArticleFormatError]:
    """An Article or an ArticleFormatError for every non-blank line of a JSONL file."""
    for _, item in iter_jsonl_lines(path, max_bytes):
        yield item
