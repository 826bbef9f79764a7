import pytest

from bot.errors import ArgumentOutOfRange
from bot.query import (
    MAX_TERMS,
    SearchQuery,
    Term,
    fts_expression,
    parse_count_and_rest,
    parse_query,
    parse_tag_list,
)


def test_empty_and_punctuation_only_queries_are_empty():
    for text in ["", "   ", "-", '""', "* ** (", "😀 🎉", "-- -*"]:
        assert parse_query(text).is_empty, text


def test_words_phrases_prefixes_and_exclusions():
    query = parse_query('war "single defense" refus* -Putin -"air defense"')
    assert query == SearchQuery(
        terms=(Term("war"), Term("single defense", phrase=True), Term("refus", prefix=True)),
        excluded=(Term("Putin"), Term("air defense", phrase=True)),
    )


def test_tag_and_category_filters_case_and_quotes():
    query = parse_query('TAG:Belarus tag:"World news" Category:Politics -tag:Sport')
    assert query.tags == ("Belarus", "World news")
    assert query.categories == ("Politics",)
    assert query.excluded_tags == ("Sport",)
    assert query.terms == ()
    assert query.has_filters_only


def test_unclosed_quote_runs_to_the_end():
    assert parse_query('"open phrase').terms == (Term("open phrase", phrase=True),)


def test_fts_syntax_is_always_quoted():
    query = parse_query('AND ( NEAR(a b) x"y OR col:val')
    expression = fts_expression(query.terms)
    assert expression == '"AND" AND "NEAR(a" AND "b)" AND "x" AND "y OR col:val"'


def test_double_quotes_inside_terms_are_doubled():
    assert fts_expression((Term('say "hi"'),)) == '"say ""hi"""'
    assert fts_expression((Term("pre", prefix=True),)) == '"pre"*'


def test_term_count_is_bounded():
    assert len(parse_query("word " * 10_000).terms) == MAX_TERMS


@pytest.mark.parametrize(("text", "expected"), [
    ("", []),
    (" , ,, ", []),
    ("Economy", ["Economy"]),
    ("economy,  World   news ,Climate", ["economy", "World news", "Climate"]),
    ('"Rates, Bonds"', ["Rates, Bonds"]),
    ('Economy, "Rates, Bonds", Climate', ["Economy", "Rates, Bonds", "Climate"]),
    ("“Rates, Bonds”, «Oil, Gas»", ["Rates, Bonds", "Oil, Gas"]),  # phones' quotes
    ('"Rates, Bonds', ["Rates, Bonds"]),  # an unclosed quote runs to the end
    ('""', []),
])
def test_tag_lists_split_at_commas_outside_quotes(text, expected):
    assert parse_tag_list(text) == expected


@pytest.mark.parametrize(("args", "expected"), [
    ([], (5, "")),
    (["7"], (7, "")),
    (["20", "World", "news"], (20, "World news")),
    (["Economy"], (5, "Economy")),
    (["1x"], (5, "1x")),  # not a number: the start of a tag
])
def test_count_and_rest(args, expected):
    assert parse_count_and_rest(args, 5, 1, 20) == expected


@pytest.mark.parametrize(("first", "value"), [
    ("0", 0), ("21", 21), ("99999999999999999999", "99999999999999999999"),
    ("9" * 5000, "9" * 5000),  # int() refuses over 4,300 digits
    ("²", "²"), ("٥", "٥"), ("１２", "１２"),  # str.isdigit says yes, int() chokes or reads
])
def test_count_outside_the_range_or_not_ascii_is_an_error_with_the_value(first, value):
    with pytest.raises(ArgumentOutOfRange) as caught:
        parse_count_and_rest([first, "Economy"], 5, 1, 20)
    error = caught.value
    assert (error.argument, error.value, error.low, error.high) == ("count", value, 1, 20)
