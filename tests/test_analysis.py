from bot.analysis import article_forms, article_language, fold, word_forms


def test_no_cyrillic_no_forms():
    assert word_forms("") == ()
    assert word_forms("refusing") == ()
    assert article_forms("Oil prices", "", "Energy", "Crude rose.") == ("", "", "", "")
    assert article_language("Oil prices", "Crude rose.") is None


def test_folding_ignores_case_diacritics_apostrophes_and_lookalike_letters():
    assert fold("Їжак") == fold("іжак") == fold("ижак") == "ижак"
    assert fold("Європа") == fold("европа") == "европа"
    assert fold("м’ясо") == fold("м'ясо") == fold("мʼясо") == fold("мясо") == "мясо"
    assert fold("Ґанок") == "ганок"
    assert fold("ЁЛКА") == "елка"


def test_query_words_get_the_forms_of_both_languages():
    assert word_forms("тролейбусом") == ("тролеибус",)
    assert word_forms("Лісограді")[0] == "лисоград"  # Ukrainian first, then Russian
    assert word_forms("Лукашенка") == word_forms("Лукашенко") == ("лукашенк",)
    assert "театр" in word_forms("театра")
    assert word_forms("м’ясо") == word_forms("мʼясо") == word_forms("м'ясо")


def test_an_article_is_analysed_in_its_language():
    title, _subtitle, tags, body = article_forms(
        "У Лісограді запускають нічний тролейбус", "", "Лісоград, транспорт",
        "Тролейбуси курсуватимуть щопівгодини.")
    assert title == "у лисоград запускают ничн тролеибус"
    assert tags == "лисоград транспорт"
    assert body.split()[1] == "курсуватимут"
    assert article_language("Остроградский театр вернул на сцену забытую пьесу") == "russian"


def test_latin_words_in_a_cyrillic_article_are_left_to_the_index():
    assert article_forms("Вибори у Veldoria", "", "", "")[0] == "вибор у"
