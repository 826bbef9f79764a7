"""The Ukrainian and Russian relevance set: queries over seeds/ and tests/fixtures/relevance/,
each with the articles (by file name) it must find in the top 10 results, and those the
stemmers are known to miss (``known_misses``, with ``why``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.articles import read_article_file
from bot.query import parse_query
from bot.store import Store

ROOT = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).with_name("uk_ru.jsonl")
ARTICLE_FOLDERS = (ROOT / "seeds", ROOT / "tests" / "fixtures" / "relevance")
TOP = 10


@dataclass(frozen=True)
class Judged:
    query: str
    language: str
    split: str
    must_find: tuple[str, ...]
    # Must-find articles the chosen analysis is known to miss, and why (word-form limits).
    known_misses: tuple[str, ...] = ()


def judged_queries() -> list[Judged]:
    with QUERIES.open(encoding="utf-8") as lines:
        return [
            Judged(row["query"], row["language"], row["split"], tuple(row["must_find"]),
                   tuple(row.get("known_misses", ())))
            for row in map(json.loads, lines)
        ]


def article_files() -> dict[str, Path]:
    """Article files by name without the extension."""
    return {p.stem: p for folder in ARTICLE_FOLDERS for p in sorted(folder.glob("*.txt"))}


def filled_store() -> tuple[Store, dict[str, str]]:
    """An in-memory store of every article, and the file name of each article id."""
    store = Store()
    files = article_files()
    articles = {name: read_article_file(path) for name, path in files.items()}
    store.upsert_articles(list(articles.values()))
    return store, {article.id: name for name, article in articles.items()}


def found(store: Store, names: dict[str, str], judged: Judged) -> tuple[str, ...]:
    """The must-find articles among the query's first ``TOP`` results."""
    top = {names[hit.article.id] for hit in store.search(parse_query(judged.query), TOP)}
    return tuple(name for name in judged.must_find if name in top)
