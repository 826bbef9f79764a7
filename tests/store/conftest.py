"""Store helpers: articles from keyword fields, search titles, a small news fixture."""

from __future__ import annotations

import pytest

from bot.articles import parse_article_text, read_article_file
from bot.query import parse_query
from bot.store import Store
from tests.conftest import USER_ARTICLE, article_text


def make(title: str, body: str = "Plain body text.", **fields):
    return parse_article_text(article_text(title, body=body, **fields))


def titles(store: Store, text: str, limit: int = 10, offset: int = 0) -> list[str]:
    return [hit.article.title for hit in store.search(parse_query(text), limit, offset)]


def assert_index_matches_articles(store: Store) -> None:
    """FTS5 checks its index against the articles table; a stale or doubled row fails."""
    store.db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


@pytest.fixture
def news(store: Store) -> Store:
    store.upsert_articles([
        read_article_file(USER_ARTICLE),
        make("Veldoria refuses the loan", tags="Economy, Veldoria",
             body="The finance minister refused the offer.\n\nTalks resume in May.",
             published="2025-02-01T10:00:00Z", category="Business"),
        make("Café owners protest", tags="Economy, Port Amsel",
             body="Owners of the café district marched on Friday.",
             published="2025-03-01T10:00:00Z", category="Politics"),
        make("Вибори у Вельдорії", tags="Вибори, Veldoria",
             body="Центральна виборча комісія оголосила результати голосування.",
             published="2025-01-15T10:00:00+02:00", category="World news"),
        make("Storm season", tags="Weather", body="Economy of the coast suffers as storms hit.",
             published="2024-12-01T10:00:00Z", category="Science"),
    ])
    return store
