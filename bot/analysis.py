"""Word forms for search: Ukrainian and Russian words reduced to one searchable form.

SQLite's FTS5 stems only English (``porter``), and Python's sqlite3 cannot register a
tokenizer, so the store keeps, beside each article's text, a pre-analysed copy of its
Cyrillic words (``article_forms``), and a query word is matched against the forms every
supported language gives it (``word_forms``).

A form is the word's lemma or stem, case-folded, with its diacritics removed and the letters
a Russian keyboard or a careless hand swaps folded together (ї/і/и, є/е, ґ/г, ё/е), and
apostrophes (' ’ ʼ) dropped, so «м’ясо», «м'ясо» and «мʼясо» are one word.

Pure: no database, no sumy. Language detection comes from ``bot.language``, which is pure
text handling too (stdlib only).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from bot.language import detect_language

ANALYSED_LANGUAGES = ("ukrainian", "russian")

_CYRILLIC = re.compile("[\u0400-\u04ff]")
# A Cyrillic word, with apostrophes inside (Ukrainian «м’ясо», «п'ять»); other words are
# left to the index's own tokenizer.
_WORD = re.compile("[\u0400-\u04ff]+(?:['’ʼ`][\u0400-\u04ff]+)*")
# Enough of an article to tell Ukrainian from Russian; detecting on more only costs time.
_DETECT_CHARS = 1_000
_APOSTROPHES = str.maketrans("", "", "'’ʼ`")
# After diacritics go (ї → і, й → и, ё → е): the letters a Russian keyboard writes instead.
_FOLD = str.maketrans({"і": "и", "є": "е", "ґ": "г"})


def fold(form: str) -> str:
    """Case-folded, without diacritics or apostrophes, with look-alike letters merged."""
    form = unicodedata.normalize("NFD", form.casefold().translate(_APOSTROPHES))
    form = "".join(c for c in form if not unicodedata.combining(c))
    return form.translate(_FOLD)


@lru_cache(maxsize=1)
def _stemmers() -> dict[str, Callable[[str], str]]:
    # Snowball's Russian stemmer (PyStemmer, C) and sumy's Ukrainian one, a stemmer library
    # imported directly (not the summariser): recall@10 0.968 on tests/relevance against
    # simplemma's 0.862, without its ~200 MiB of dictionaries (tests/relevance/recall.py).
    import Stemmer
    from sumy.nlp.stemmers.ukrainian import stem_word

    return {"ukrainian": stem_word, "russian": Stemmer.Stemmer("russian").stemWord}


def _stem(word: str, language: str) -> str:
    return _stemmers()[language](word.casefold())


# The analysers by name; tests/relevance/recall.py adds others to compare.
ANALYSERS: dict[str, Callable[[str, str], str]] = {"snowball+sumy": _stem}
ANALYSER = "snowball+sumy"


@lru_cache(maxsize=200_000)
def _word_form(word: str, language: str, analyser: str) -> str:
    return fold(ANALYSERS[analyser](word.translate(_APOSTROPHES), language))


def word_form(word: str, language: str) -> str:
    """One word's searchable form in ``language`` (one of ``ANALYSED_LANGUAGES``), by the
    analyser named ``ANALYSER``."""
    return _word_form(word, language, ANALYSER)


def word_forms(word: str) -> tuple[str, ...]:
    """The searchable forms of a query word in every analysed language, or () for a word
    without Cyrillic letters (English is stemmed by the index itself)."""
    forms = [word_form(token, language)
             for token in _WORD.findall(word) for language in ANALYSED_LANGUAGES]
    return tuple(dict.fromkeys(form for form in forms if form))


def text_forms(text: str, language: str) -> str:
    """The searchable forms of the Cyrillic words of ``text``, space-separated, in order."""
    return " ".join([_word_form(token, language, ANALYSER) for token in _WORD.findall(text)])


def article_language(*texts: str) -> str | None:
    """The language an article's Cyrillic words are analysed in, or None without any.
    Cyrillic words in a text of another language count as Ukrainian, the bot's first."""
    if not any(_CYRILLIC.search(text) for text in texts):
        return None
    language = detect_language("\n".join(texts)[:_DETECT_CHARS])
    return language if language in ANALYSED_LANGUAGES else "ukrainian"


def article_forms(
    title: str, subtitle: str, tags: str, body: str
) -> tuple[str, str, str, str]:
    """The searchable forms of an article's title, subtitle, tags and body, analysed in
    the article's language; empty for an article with no Ukrainian or Russian text."""
    language = article_language(title, subtitle, tags, body)
    if language is None:
        return ("", "", "", "")
    return (
        text_forms(title, language),
        text_forms(subtitle, language),
        text_forms(tags, language),
        text_forms(body, language),
    )
