"""Split news text into paragraphs, sentences and words, offline.

Sentences come from sentencex: a compiled, rule-based segmenter with per-language abbreviation
lists that needs no downloaded model, and of those tried the best at Ukrainian and Russian.

``merge_fragments`` then repairs what sentencex still splits wrongly: a piece that ends in a
lone initial (``С.``, ``J.``) or a title or street abbreviation (``Dr.``, ``ген.``, ``просп.``),
and a piece followed by one that starts in lower case or with a dash of direct speech
(``«Ми переможемо!» — сказав він``).

Words are runs of letters (apostrophes and hyphens inside a word kept), found by a Unicode
regex, so numbers, links and punctuation never count as words.

``leans_on_previous`` tells a sentence that opens, after any opening quote, with a pronoun or a
connective (``He denied it.``, ``Але …``, ``Однако …``): alone, it does not say who or what.
"""

from __future__ import annotations

import re

import sentencex

# sentencex takes ISO 639-1 codes; a language it lacks falls back to English rules.
_ISO_CODES = {
    "english": "en", "ukrainian": "uk", "russian": "ru", "german": "de", "french": "fr",
    "spanish": "es", "italian": "it", "portuguese": "pt",
}

# Abbreviations that practically never end a sentence: titles before a name, words before a
# street or an institution's namesake. Lower case, without the full stop.
_NON_FINAL = {
    "english": frozenset(
        "mr mrs ms messrs dr prof gen sen rep gov lt col capt sgt cpl rev hon pres supt det "
        "insp adm brig maj cmdr st mt".split()
    ),
    "ukrainian": frozenset(
        "ім вул просп пров бул пл ген проф акад доц св див д-р зв".split()
    ),
    "russian": frozenset(
        "им ул просп пер бул пл ген проф акад доц св см г-н д-р".split()
    ),
}
# The last word of a piece, with its full stop: "просп.", "С.", "зв.", "U.S.".
_LAST_TOKEN = re.compile(r"(\S+)\.\s*$")
_LONE_INITIAL = re.compile(r"(?:^|[\s(«\"'])[^\W\d_]\.\s*$")
_FIRST_WORD = re.compile(r"^\s*([^\W\d_]+)")
_SPEECH_DASH = re.compile(r"^\s*[—–-]\s")

# Openers that point back at the sentence before: pronouns, demonstratives and connectives.
_LEANING_OPENERS = {
    "english": frozenset(
        "he she it they his her its their them this these those that but however and also yet "
        "so meanwhile instead then".split()
    ),
    "ukrainian": frozenset(
        "він вона воно вони його її їх це цей ця ці але проте однак тому".split()
    ),
    # "ее": её as most Russian text spells it, without the diaeresis.
    "russian": frozenset(
        "он она оно они его её ее их это этот эта эти но однако поэтому".split()
    ),
}
_OPENING_WORD = re.compile(r"""^[\s"'“”‘’«„‹(\[—–-]*([^\W\d_]+)""")

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]+)*")
_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each on one line."""
    found = (" ".join(p.split()) for p in _BLANK_LINES.split(text))
    return [p for p in found if p]


def split_sentences(paragraph: str, language: str = "english") -> list[str]:
    """The sentences of one paragraph, stripped, in order."""
    code = _ISO_CODES.get(language, "en")
    pieces = [s.strip() for s in sentencex.segment(code, paragraph)]
    return merge_fragments([s for s in pieces if s], language)


def merge_fragments(pieces: list[str], language: str = "english") -> list[str]:
    """Join pieces a segmenter split after an initial or abbreviation, or before lower case."""
    non_final = _NON_FINAL.get(language, frozenset()) | _NON_FINAL["english"]
    merged: list[str] = []
    for piece in pieces:
        if merged and _continues(merged[-1], piece, non_final):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _continues(previous: str, piece: str, non_final: frozenset[str]) -> bool:
    first = _FIRST_WORD.match(piece)
    if (first and first.group(1).islower()) or _SPEECH_DASH.match(piece):
        return True
    # Only the last word matters; matching it alone keeps long sentences cheap.
    tail = previous.rsplit(None, 1)[-1] if previous.endswith(".") else ""
    if not tail:
        return False
    if _LONE_INITIAL.search(tail) and tail[-2].isupper():
        return True
    last = _LAST_TOKEN.search(tail)
    if last is None:
        return False
    return last.group(1).lstrip("(«\"'").lower() in non_final


def words(sentence: str) -> list[str]:
    """The words of a sentence: letters, with inner apostrophes and hyphens."""
    return _WORD.findall(sentence)


def leans_on_previous(sentence: str, language: str = "english") -> bool:
    """Whether the sentence opens with a word that needs the sentence before it to make sense.

    Languages without a list (anything but English, Ukrainian and Russian) never lean.
    """
    openers = _LEANING_OPENERS.get(language)
    if not openers:
        return False
    first = _OPENING_WORD.match(sentence)
    return first is not None and first.group(1).lower() in openers


class SentenceTokenizer:
    """The tokenizer interface sumy's document model expects, without NLTK's punkt data."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
