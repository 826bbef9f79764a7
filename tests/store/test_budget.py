"""Search costs: the prefix-term cap and the time budget, both refused as TooBroadSearch."""

from __future__ import annotations

import threading

import pytest

from bot.errors import TooBroadSearch
from bot.query import parse_query
from bot.store import Store
from tests.store.conftest import make, titles

# Enough rows that a search runs past SQLite's first budget check (1,000 instructions).
HARBOUR = [make(f"Harbour story {n}", body=f"Dockers loaded {n} ships at the harbour.",
                published=f"2025-02-01T{n // 60:02d}:{n % 60:02d}:00Z") for n in range(100)]


def test_a_search_over_a_zero_budget_is_refused_and_the_store_still_answers():
    with Store(":memory:", query_budget=0) as store:
        store.upsert_articles(HARBOUR)
        with pytest.raises(TooBroadSearch) as plain:
            store.search(parse_query("harbour"))
        assert (plain.value.prefix_terms, plain.value.budget) == (0, 0)
        with pytest.raises(TooBroadSearch) as prefixed:
            store.search(parse_query("harb* dock*"))
        assert (prefixed.value.prefix_terms, prefixed.value.limit) == (2, 8)
        # Only searches are budgeted, and the aborted one left the connection usable.
        assert store.latest(1)[0].title == "Harbour story 99"
    with Store(":memory:") as store:  # the same searches within the default budget
        store.upsert_articles(HARBOUR)
        assert titles(store, "harb* dock*", limit=2) == ["Harbour story 99", "Harbour story 98"]


def test_the_budget_holds_on_each_thread_reader_of_a_file_store(tmp_path):
    path = tmp_path / "news.db"
    with Store(path) as writer:
        writer.upsert_articles(HARBOUR)
    raised: list[BaseException] = []

    def search() -> None:
        try:
            store.search(parse_query("harbour"))
        except TooBroadSearch as exc:
            raised.append(exc)

    with Store(path, query_budget=0) as store:
        thread = threading.Thread(target=search)
        thread.start()
        thread.join()
        assert [type(exc) for exc in raised] == [TooBroadSearch]
        with pytest.raises(TooBroadSearch):
            store.search(parse_query("dockers"))


def test_more_than_eight_prefix_terms_are_refused_before_searching(store):
    store.upsert_articles(HARBOUR)
    eight = "h* d* s* l* a* t* harb* dock*"
    assert len(titles(store, eight)) == 10
    with pytest.raises(TooBroadSearch) as too_many:
        store.search(parse_query(eight + " ship*"))
    assert (too_many.value.prefix_terms, too_many.value.limit, too_many.value.budget) == (
        9, 8, None)
    with pytest.raises(TooBroadSearch) as excluded:  # excluded prefixes expand as much
        store.search(parse_query("harbour -a* -b* -c* -e* -f* -g* -i* -j* -k*"))
    assert excluded.value.prefix_terms == 9


def test_a_negative_budget_is_a_programming_error():
    with pytest.raises(ValueError, match="query_budget"):
        Store(":memory:", query_budget=-1)
