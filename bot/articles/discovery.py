"""From the paths a user names to articles: walking directories and reading each file.

Every problem comes back as an ``ArticleFormatError`` in the stream, never as an exception:
a missing path, a directory that cannot be listed, an unreadable or non-regular file, a bad
article, and an id already seen earlier in the same run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.articles.json_lines import iter_jsonl_lines
from bot.articles.text_format import DEFAULT_MAX_BYTES, read_article_file
from bot.errors import ArticleFormatError, location
from bot.models import Article

ARTICLE_SUFFIXES = (".txt", ".jsonl")


def _is_article_name(name: str) -> bool:
    return not name.startswith(".") and Path(name).suffix.lower() in ARTICLE_SUFFIXES


def _walk(root: Path) -> list[Path | ArticleFormatError]:
    """Article files under ``root`` and the directories that could not be listed, in path
    order. Hidden names (a leading dot) are left out; symlinked directories are not entered."""
    found: list[Path | ArticleFormatError] = []

    def unlisted(exc: OSError) -> None:
        found.append(ArticleFormatError(
            exc.filename or root, f"cannot read directory: {exc.strerror or exc}"
        ))

    for directory, subdirectories, files in os.walk(root, onerror=unlisted):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        found.extend(Path(directory, name) for name in files if _is_article_name(name))
    return sorted(found, key=lambda item: Path(getattr(item, "path", item)).parts)


def discover_article_files(paths: Iterable[str | Path]) -> Iterator[Path | ArticleFormatError]:
    """Expand files and directories (recursively) into article files, in a stable order."""
    for raw in paths:
        path = Path(raw)
        try:
            is_dir = path.is_dir()
            path.stat()
        except OSError as exc:
            yield ArticleFormatError(path, "no such file or directory"
                                     if isinstance(exc, FileNotFoundError)
                                     else f"cannot read: {exc.strerror or exc}")
            continue
        if is_dir:
            yield from _walk(path)
        else:
            yield path


def _read(path: Path, max_bytes: int) -> Iterator[tuple[int | None, Article | ArticleFormatError]]:
    if path.suffix.lower() == ".jsonl":
        yield from iter_jsonl_lines(path, max_bytes)
        return
    try:
        yield None, read_article_file(path, max_bytes)
    except ArticleFormatError as exc:
        yield exc.line, exc


def iter_articles(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | ArticleFormatError]:
    """Every article (or the error that stopped it) under ``paths``.

    An id met a second time in one call is an error at the second place, naming the first:
    one run never stores two versions of an article. A file named twice is read once.
    """
    first_seen: dict[str, tuple[str, int | None]] = {}
    files_read: set[Path] = set()
    for item in discover_article_files(paths):
        if isinstance(item, ArticleFormatError):
            yield item
            continue
        if item.resolve() in files_read:  # named twice, e.g. a file and its directory
            continue
        files_read.add(item.resolve())
        name = str(item)
        for line, found in _read(item, max_bytes):
            if isinstance(found, Article):
                earlier = first_seen.get(found.id)
                if earlier is not None:
                    found = ArticleFormatError(
                        item, f"duplicate id {found.id!r}, first at {location(*earlier)}", line
                    )
                else:
                    first_seen[found.id] = (name, line)
            yield found
