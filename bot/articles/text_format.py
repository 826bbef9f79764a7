"""The text article format (``*.txt``), one article per file.

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
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.articles.fields import RawArticle, build_article, derive_article_id, parse_published
from bot.errors import ArticleFormatError
from bot.models import Article

DEFAULT_MAX_BYTES = 1024 * 1024
_HEADER_EXAMPLE = "'Politics 2024-04-15T05:06:55+03:00'"
_HEADER_LINES = 7
_FIELD_LINES = {"category": 1, "source": 2, "title": 3}


def decode(data: bytes, path: str | Path) -> str:
    """UTF-8 text with a leading BOM dropped and CRLF/CR turned into LF; raises
    ArticleFormatError for NUL bytes (a binary file) or invalid UTF-8, naming the line."""
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def over_limit(size: int, max_bytes: int, what: str = "file") -> str:
    """The reason given for input over the size limit."""
    return f"{what} is {size:,} bytes, over the limit of {max_bytes:,} bytes"


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

    parts = need(1, "category and datetime").split()
    if len(parts) < 2:
        raise ArticleFormatError(
            path,
            f"line 1 must be a category followed by an ISO datetime, e.g. {_HEADER_EXAMPLE}",
            1,
        )
    published = parse_published(parts[-1], path, 1)
    source = need(2, "source")
    title = need(3, "title")
    blank(4, "the title from the subtitle")
    subtitle = need(5, "subtitle")
    blank(6, "the subtitle from the tags")
    tags = need(7, "comma-separated tags").split(",")
    if len(lines) > _HEADER_LINES and lines[_HEADER_LINES].strip():
        raise ArticleFormatError(
            path, f"line {_HEADER_LINES + 1} must be blank (it separates the tags from the body)",
            _HEADER_LINES + 1,
        )

    def place(name: str) -> tuple[str, int]:
        if name == "body":
            return "the body", min(len(lines), _HEADER_LINES + 1)
        return f"line {_FIELD_LINES[name]} ({name})", _FIELD_LINES[name]

    raw = RawArticle(
        article_id=derive_article_id(source, title, published),
        category=" ".join(parts[:-1]),
        published=published,
        source=source,
        title=title,
        subtitle=subtitle,
        tags=tags,
        body="\n".join(lines[_HEADER_LINES:]),
    )
    return build_article(raw, path, place)


def read_article_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read and parse one ``.txt`` article file of at most ``max_bytes`` bytes.

    The size is checked before reading, and at most ``max_bytes + 1`` bytes are ever read,
    even from a file that grows meanwhile or reports no size (a pipe, /proc).
    """
    path = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ArticleFormatError(path, "not a regular file")
            if info.st_size > max_bytes:
                raise ArticleFormatError(path, over_limit(info.st_size, max_bytes))
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ArticleFormatError(path, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ArticleFormatError(path, f"file is over the limit of {max_bytes:,} bytes")
    return parse_article_text(decode(data, path), path)
