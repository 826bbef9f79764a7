from bot.query import MAX_TERMS, SearchQuery, Term, fts_expression, parse_query


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
