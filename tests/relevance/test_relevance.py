import pytest

from tests.relevance.relevance import article_files, filled_store, found, judged_queries

JUDGED = judged_queries()


def test_the_set_is_big_enough_and_names_real_articles():
    languages = [judged.language for judged in JUDGED]
    assert languages.count("uk") >= 30 and languages.count("ru") >= 10
    files = article_files()
    assert all(name in files for judged in JUDGED for name in judged.must_find)
    assert all(set(judged.known_misses) <= set(judged.must_find) for judged in JUDGED)


@pytest.fixture(scope="module")
def indexed():
    store, names = filled_store()
    yield store, names
    store.close()


@pytest.mark.parametrize("judged", JUDGED, ids=[j.query for j in JUDGED])
def test_each_query_finds_its_articles_in_the_first_ten(indexed, judged):
    store, names = indexed
    expected = tuple(n for n in judged.must_find if n not in judged.known_misses)
    assert found(store, names, judged) == expected
