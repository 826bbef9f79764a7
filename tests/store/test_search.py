import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.articles import read_article_file
from bot.models import HIGHLIGHT_END, HIGHLIGHT_START
from bot.query import parse_query
from bot.store import Store
from tests.conftest import USER_ARTICLE
from tests.store.conftest import make, titles

USER_TITLE = "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"


def test_search_finds_the_user_article_for_belarus(news):
    hits = news.search(parse_query("Belarus"))
    assert hits[0].article.id == read_article_file(USER_ARTICLE).id
    assert f"{HIGHLIGHT_START}Belarus{HIGHLIGHT_END}" in hits[0].snippet


def test_stemming_diacritics_and_cyrillic(news):
    assert titles(news, "refusing") == [
        "Veldoria refuses the loan",
        "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"]
    assert titles(news, "cafe") == ["Café owners protest"]
    assert titles(news, "голосування") == ["Вибори у Вельдорії"]
    assert titles(news, "ВИБОРЧА") == ["Вибори у Вельдорії"]


def test_title_outranks_tags_outranks_body(store):
    store.upsert_articles([
        make("Quiet week", tags="Harbour", body="Nothing new."),
        make("Body mention", tags="Misc", body="The harbour was busy."),
        make("Harbour dues rise", tags="Misc", body="Fees go up."),
    ])
    assert titles(store, "harbour") == ["Harbour dues rise", "Quiet week", "Body mention"]


def test_search_language(news):
    assert sorted(titles(news, "economy")) == [
        "Café owners protest", "Storm season", "Veldoria refuses the loan"]
    assert sorted(titles(news, "economy -cafe")) == ["Storm season", "Veldoria refuses the loan"]
    assert titles(news, '"finance minister"') == ["Veldoria refuses the loan"]
    assert titles(news, '"minister finance"') == []
    assert titles(news, "Lukash*") == [
        "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"]
    assert titles(news, "economy tag:Veldoria") == ["Veldoria refuses the loan"]
    assert titles(news, "tag:economy category:Politics") == ["Café owners protest"]
    assert titles(news, "tag:economy -tag:veldoria") == ["Café owners protest"]
    assert titles(news, "-economy category:science") == []
    assert titles(news, 'category:"world news"') == ["Вибори у Вельдорії"]


def test_search_filters_in_every_combination(news):
    assert titles(news, "tag:economy tag:veldoria") == ["Veldoria refuses the loan"]
    assert titles(news, "tag:economy category:business") == ["Veldoria refuses the loan"]
    assert titles(news, "tag:economy -owners") == ["Veldoria refuses the loan"]
    assert titles(news, "-tag:economy category:science") == ["Storm season"]
    assert len(titles(news, "-tag:economy")) == 3
    assert titles(news, "economy -tag:veldoria category:science") == ["Storm season"]
    assert titles(news, "economy tag:economy category:politics") == ["Café owners protest"]
    assert titles(news, "economy tag:economy tag:VELDORIA") == ["Veldoria refuses the loan"]
    assert titles(news, 'refus* tag:economy -tag:"port amsel" category:business') == [
        "Veldoria refuses the loan"]
    assert sorted(titles(news, "econom* -tag:veldoria")) == [
        "Café owners protest", "Storm season"]
    assert titles(news, "tag:nosuchtag") == titles(news, "economy tag:nosuchtag") == []


def test_prefix_search_highlights_and_pages(news):
    hits = news.search(parse_query("econ*"), limit=10)
    assert len(hits) == 3
    assert all(f"{HIGHLIGHT_START}Econom" in h.snippet or f"{HIGHLIGHT_START}econom" in h.snippet
               for h in hits)
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    second = news.search(parse_query("econ*"), limit=2, offset=1)
    assert [h.article.id for h in second] == [h.article.id for h in hits[1:]]


def test_search_pages(news):
    everything = titles(news, "tag:economy")
    assert len(everything) == 2
    page_two = news.search(parse_query("tag:economy"), limit=1, offset=1)
    assert [h.article.title for h in page_two] == everything[1:]


HOSTILE = [
    '"', '""', "'", "(", ")", "AND (", "OR", "NOT", "NEAR(", "NEAR(a b, 2)", "*", "**", "a*b",
    "^start", "col:val", "title:x", "{a b}", "a + b", "'; DROP TABLE articles; --",
    '" OR 1=1 --', "\\", "\x00", "\x02\x03", "😀", "🇺🇦 flag", "tag:", "tag:(", 'tag:"',
    "category:*", "-", "--", "-*", "x" * 10_000, "word " * 2_000, "é" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_are_searched_as_plain_words(news, text):
    # Operators mean nothing: "AND" and "NOT" are searched as the words the user article has.
    expected = [USER_TITLE] if text in ("AND (", "NOT") else []
    assert titles(news, text) == expected
    assert news.article_count() == 5  # nothing was dropped


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300) | st.text(alphabet='"*()-:^+ ANDORNEAtagcy', max_size=60))
def test_any_text_gives_a_page_of_distinct_hits_best_first(news, text):
    hits = news.search(parse_query(text), limit=3)
    ids = [hit.article.id for hit in hits]
    assert len(ids) == len(set(ids)) <= 3
    assert [hit.rank for hit in hits] == sorted(hit.rank for hit in hits)


def harbour_news(published_days: list[int]) -> list:
    """One article a day of March 2025 for each number, imported in the given order."""
    return [make(f"Harbour news {day:02d}", tags="Port", published=f"2025-03-{day:02d}T10:00:00Z")
            for day in published_days]


# 2: the window's matches found by sorting all; 1: by walking the publication-time index.
@pytest.mark.parametrize("window", [2, 1])
def test_a_common_word_pages_into_older_articles_by_publication_time(window):
    store = Store(rank_window=window)
    # Imported newest first: the newest by import are the oldest by publication.
    store.upsert_articles(harbour_news([5, 4, 3, 2, 1]))
    assert titles(store, "harbour", limit=10) == [
        "Harbour news 05", "Harbour news 04", "Harbour news 03", "Harbour news 02",
        "Harbour news 01"]
    assert titles(store, "harbour", limit=2, offset=0) == ["Harbour news 05", "Harbour news 04"]
    assert titles(store, "harbour", limit=2, offset=3) == ["Harbour news 02", "Harbour news 01"]
    assert titles(store, "harbour", limit=2, offset=4) == ["Harbour news 01"]
    assert titles(store, "harbour", limit=2, offset=5) == []
    assert titles(store, "harbour tag:port", limit=10)[-1] == "Harbour news 01"


# 1: the newest window found from the newest imports; 2: by sorting every match's time.
@pytest.mark.parametrize("window", [1, 2])
def test_an_old_import_published_late_joins_the_newest_window(window):
    store = Store(rank_window=window)
    # About in publication order, but the story of the 9th was imported first.
    store.upsert_articles(harbour_news([9, 1, 2, 3, 4]))
    assert titles(store, "harbour", limit=2) == ["Harbour news 09", "Harbour news 04"]
    assert titles(store, "harbour", limit=2, offset=2) == ["Harbour news 03", "Harbour news 02"]
    assert titles(store, "harbour", limit=2, offset=4) == ["Harbour news 01"]


def test_within_a_window_relevance_counts_and_so_does_recency():
    store = Store(rank_window=2)
    store.upsert_articles([
        make("Weekly digest", body="The harbour opened.", published="2025-03-10T10:00:00Z"),
        make("Harbour strike", body="Harbour workers strike.", published="2025-03-09T10:00:00Z"),
        make("Harbour strike", body="Harbour workers strike.",
             published="2025-01-09T10:00:00Z"),
    ])
    # The newest two by publication are ranked first: the title match over the body match.
    assert [(h.article.title, h.article.published.month) for h in
            store.search(parse_query("harbour"), 3)] == [
        ("Harbour strike", 3), ("Weekly digest", 3), ("Harbour strike", 1)]
    # All ranked together: the same text two months older ranks below the newer copy.
    assert [h.article.published.month for h in
            store.search(parse_query("harbour strike"), 3)] == [3, 1]


@pytest.fixture
def cyrillic(store: Store) -> Store:
    store.upsert_articles([
        make("У Лісограді запускають нічний тролейбус", tags="Лісоград, транспорт",
             body="Тролейбуси курсуватимуть щопівгодини. Квитки на тролейбус продають"
                  " водії.", published="2026-11-16T21:20:00+02:00", category="Local news"),
        make("Лукашенко відмовився від зустрічі", tags="Білорусь",
             body="Олександр Лукашенко не поїде до Мінська, де на нього чекали.",
             published="2026-11-10T10:00:00+02:00"),
        make("Новости Остроградского театра", tags="театр",
             body="Спектакль показали в театре при полном зале; билеты распроданы.",
             published="2026-11-07T19:15:00+03:00", category="Culture"),
        make("Мʼясокомбінат у Сонцеділі", tags="економіка",
             body="Завод переробляє м’ясо з їхніх ферм.", published="2026-11-01T09:00:00Z"),
    ])
    return store


def test_ukrainian_and_russian_words_find_their_inflected_forms(cyrillic):
    trolleybus = "У Лісограді запускають нічний тролейбус"
    assert titles(cyrillic, "Лісоград") == [trolleybus]
    assert titles(cyrillic, "тролейбуса") == titles(cyrillic, "тролейбусом") == [trolleybus]
    assert titles(cyrillic, "Лукашенка") == ["Лукашенко відмовився від зустрічі"]
    assert titles(cyrillic, "театр") == ["Новости Остроградского театра"]
    assert titles(cyrillic, "билет") == ["Новости Остроградского театра"]


def test_cyrillic_search_ignores_case_lookalike_letters_and_apostrophes(cyrillic):
    trolleybus = "У Лісограді запускають нічний тролейбус"
    assert titles(cyrillic, "ЛІСОГРАД") == titles(cyrillic, "Лисоград") == [trolleybus]
    meat = ["Мʼясокомбінат у Сонцеділі"]
    assert titles(cyrillic, "м'ясо") == titles(cyrillic, "мʼясо") == titles(cyrillic, "мясо")
    assert titles(cyrillic, "мясо") == meat
    assert titles(cyrillic, "ихних") == titles(cyrillic, "їхніх") == meat


def test_cyrillic_phrases_prefixes_and_exclusions(cyrillic):
    trolleybus = "У Лісограді запускають нічний тролейбус"
    assert titles(cyrillic, '"нічний тролейбус"') == [trolleybus]
    assert titles(cyrillic, '"нічного тролейбуса"') == []  # a phrase is exact
    assert titles(cyrillic, "билет") == ["Новости Остроградского театра"]
    assert titles(cyrillic, '"билет"') == []  # the text has «билеты» only, never «билет»
    assert titles(cyrillic, "билет*") == ["Новости Остроградского театра"]
    assert titles(cyrillic, "тролейб*") == [trolleybus]
    assert titles(cyrillic, "лісоград -тролейбусами") == []
    assert titles(cyrillic, 'тролейбусів tag:транспорт category:"local news"') == [trolleybus]


def test_an_inflected_match_is_highlighted_in_the_raw_text(cyrillic):
    hits = cyrillic.search(parse_query("тролейбусами"))
    assert f"{HIGHLIGHT_START}Тролейбуси{HIGHLIGHT_END}" in hits[0].snippet
    assert "тролеибус" not in hits[0].snippet  # never the analysed forms
