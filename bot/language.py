"""Guess the language of a news text from its script, its letters and its commonest words.

Good enough to pick a stemmer and stop words, not a general language identifier:

* Cyrillic text is Ukrainian or Russian. Ukrainian alone writes і, ї, є and ґ; Russian alone
  writes ы, э, ъ and ё. Each of those letters, and each of a few very common words found in one
  language only, counts as a vote.
* Latin text is whichever of a few languages has the most of its commonest function words among
  the text's words; too few of them means "unknown".
* Anything else (other scripts, numbers, links) is "unknown".

Names are sumy's: lower-case English names of the languages.
"""

from __future__ import annotations

import re
from collections import Counter

UNKNOWN = "unknown"

# Enough text to decide; looking further only costs time.
_SAMPLE_CHARS = 5_000
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Words are counted by their first letter's script, as letters: the regexes run in C.
_CYRILLIC = re.compile(r"\b[\u0400-\u04ff]")
_LATIN = re.compile(r"\b[a-z\u00c0-\u024f]")
_UKRAINIAN_LETTER = re.compile("[іїєґ]")
_RUSSIAN_LETTER = re.compile("[ыэъё]")
# Frequent words spelled only in one of the two languages (with no letter above to betray it).
_UKRAINIAN_WORDS = frozenset("та що як про від до цей це також але він вона вони був була".split())
_RUSSIAN_WORDS = frozenset("что как от это также но он она они был была или если".split())

# Frequent function words of Latin-script languages; a few shared ones are left out.
_LATIN_CUES = {
    "english": frozenset("the and of to is was that for with on are by this from has have".split()),
    "german": frozenset("der die das und ist nicht mit von sich auf dem den zu ein eine".split()),
    "french": frozenset("le la les et est des une dans pour que qui sur pas au du".split()),
    "spanish": frozenset("el la los las y es del que en por con una para se como".split()),
    "italian": frozenset("il di che è la per non una sono del della gli con le".split()),
    "portuguese": frozenset("o os que de do da não uma para com em por dos se".split()),
}
# Below this share of cue words among the words, a Latin text is not called any language.
_MIN_CUE_SHARE = 0.08


def detect_language(text: str) -> str:
    """Return a lower-case language name such as "english", or "unknown"."""
    sample = text[:_SAMPLE_CHARS].lower()
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cyrillic == latin == 0:
        return UNKNOWN
    words = Counter(_WORD.findall(sample))
    if cyrillic > latin:
        return _cyrillic_language(sample, words)
    return _latin_language(words)


def _cyrillic_language(sample: str, words: Counter[str]) -> str:
    ukrainian = len(_UKRAINIAN_LETTER.findall(sample)) + _count(words, _UKRAINIAN_WORDS)
    russian = len(_RUSSIAN_LETTER.findall(sample)) + _count(words, _RUSSIAN_WORDS)
    if ukrainian == russian == 0:
        return UNKNOWN
    # A tie (a short, ambiguous text) goes to Ukrainian, the bot's first language.
    return "ukrainian" if ukrainian >= russian else "russian"


def _latin_language(words: Counter[str]) -> str:
    counts = {name: _count(words, cues) for name, cues in _LATIN_CUES.items()}
    best = max(counts, key=counts.__getitem__)
    if counts[best] < max(1, _MIN_CUE_SHARE * words.total()):
        return UNKNOWN
    return best


def _count(words: Counter[str], wanted: frozenset[str]) -> int:
    return sum(words[w] for w in wanted)
