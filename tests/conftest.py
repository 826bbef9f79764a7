"""Shared fixtures: an in-memory store, a service with a fake summariser, article files."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.models import Summary
from bot.service import NewsService
from bot.store import Store
from tests.botapi import BotAPIStandIn

# As `newsbot` itself does (bot/cli.py): python-telegram-bot's future timedelta durations.
os.environ.setdefault("PTB_TIMEDELTA", "true")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
USER_ARTICLE = SEEDS / "000_9dd83f3904ce7482.txt"


# A wire story long enough (over 50 words) for near-duplicate grouping, as feeds carry it.
WIRE = (
    "The Norvaland central bank kept its main interest rate at 4.25 percent on Wednesday, "
    "the third meeting in a row without a change, and said inflation was falling more slowly "
    "than it had expected. Governor Pieter Aalund told reporters that services prices were "
    "still rising at close to five percent a year and that the bank needed more evidence "
    "before it could cut. Markets had priced in a small chance of a cut."
)


def article_text(
    title: str = "Harbour reopens after storm",
    *,
    category: str = "World news",
    published: str = "2025-03-01T09:30:00+02:00",
    source: str = "Port Amsel Courier",
    subtitle: str | None = None,
    tags: str = "Port Amsel, Weather",
    body: str = "The harbour reopened on Monday.\n\nShips queued outside since Friday.",
) -> str:
    """An article in the text format, every field overridable."""
    subtitle = title if subtitle is None else subtitle
    return f"{category} {published}\n{source}\n{title}\n\n{subtitle}\n\n{tags}\n\n\n{body}\n"


def fake_summarise(text: str, sentences: int = 3, method: str = "default",
                   language: str | None = None, title: str = "") -> Summary:
    """First sentences of the first paragraphs: fast, predictable, no sumy."""
    firsts = [p.split(". ")[0].rstrip(".") + "." for p in text.split("\n\n") if p.strip()]
    return Summary(tuple(firsts[:sentences]), method, language or "english")


@pytest.fixture
def store() -> Store:
    with Store(":memory:") as db:
        yield db


@pytest.fixture
def service(store: Store) -> NewsService:
    return NewsService(store, summarise=fake_summarise)


@pytest.fixture
def api() -> BotAPIStandIn:
    """The Bot API stand-in, serving on 127.0.0.1."""
    with BotAPIStandIn() as standin:
        yield standin


@pytest.fixture
def write_article(tmp_path: Path) -> Callable[..., Path]:
    """Write an article file under tmp_path; text or bytes, or keyword fields."""

    def write(name: str = "article.txt", content: str | bytes | None = None, **fields) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            content = article_text(**fields)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return write


@pytest.fixture
def harbour_seeds(tmp_path: Path) -> Path:
    """A seeds folder holding one article, tagged Port Amsel."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "first.txt").write_text(article_text("Harbour story", tags="Port Amsel"))
    return folder


class Clock:
    """A service's clock, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def articles_adder(service: NewsService, write_article, tmp_path):
    """Import articles (title, tags) into ``service``; returns a function giving their ids."""
    counter = iter(range(10_000))

    def add(*specs: tuple[str, str]) -> list[str]:
        folder = tmp_path / f"batch{next(counter)}"
        for n, (title, tags) in enumerate(specs):
            write_article(f"{folder.name}/{n}.txt", title=title, tags=tags,
                          published=f"2025-05-{n + 1:02d}T10:00:00Z",
                          body=f"{title} happened today. More details follow.")
        report = service.import_paths([folder])
        assert report.failed == []
        return report.added_ids

    return add


@pytest.fixture
def add_articles(service: NewsService, write_article, tmp_path):
    """``articles_adder`` for the module's ``service`` (a module with a clock gives its own)."""
    return articles_adder(service, write_article, tmp_path)
