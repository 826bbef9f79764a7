"""The users' command arguments, parsed: the search language (into a structure the store
turns into FTS5 syntax), tag lists, counts.

Words are AND-ed; ``"quoted phrases"``; ``prefix*``; ``-excluded`` (a word or a phrase);
``tag:Belarus`` / ``tag:"World news"``; ``category:Politics``. Parsing never fails: anything
the language does not understand is treated as plain words, and words without a single
letter or digit are dropped, so any string at all yields a (possibly empty) query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.analysis import fold, word_forms
from bot.errors import ArgumentOutOfRange

# Generous bounds so a pasted novel cannot make one query arbitrarily expensive.
MAX_TERMS = 32
MAX_TERM_CHARS = 200

_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<field>tag|category|cat):)?
    (?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))
    """,
    re.VERBOSE | re.IGNORECASE,
)
_HAS_WORD = re.compile(r"\w")
# Control characters end FTS5 strings early (NUL) or mean nothing to a reader.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    excluded_tags: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.excluded or self.tags or self.categories
                    or self.excluded_tags)

    @property
    def has_filters_only(self) -> bool:
        return not self.terms and not self.is_empty


def parse_query(text: str) -> SearchQuery:
    """Parse user search text; never raises."""
    terms: list[Term] = []
    excluded: list[Term] = []
    tags: list[str] = []
    categories: list[str] = []
    excluded_tags: list[str] = []
    for match in _TOKEN.finditer(_CONTROL.sub(" ", text or "")):
        if len(terms) + len(excluded) + len(tags) + len(categories) >= MAX_TERMS:
            break
        negative = bool(match["neg"])
        phrase = match["phrase"]
        raw = phrase if phrase is not None else match["word"]
        raw = " ".join(raw.split())[:MAX_TERM_CHARS]
        if not _HAS_WORD.search(raw):
            continue
        name = (match["field"] or "").lower()
        if name == "tag":
            (excluded_tags if negative else tags).append(raw)
            continue
        if name in ("category", "cat"):
            if not negative:
                categories.append(raw)
            continue
        prefix = phrase is None and raw.endswith("*")
        if prefix:
            raw = raw.rstrip("*")
            if not _HAS_WORD.search(raw):
                continue
        term = Term(raw, phrase=phrase is not None, prefix=prefix)
        (excluded if negative else terms).append(term)
    return SearchQuery(
        tuple(terms), tuple(excluded), tuple(tags), tuple(categories), tuple(excluded_tags)
    )


# The index's columns of word forms (bot.analysis), beside the raw title, subtitle, tags, body.
FORM_COLUMNS = ("title_forms", "subtitle_forms", "tags_forms", "body_forms")
_RAW_COLUMNS = "{title subtitle tags body}"
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_string(term: Term) -> str:
    """One term as FTS5 syntax, its text quoted so nothing inside is syntax. A plain word
    with Ukrainian or Russian forms also matches those forms in the form columns; phrases
    and prefixes match the raw text only."""
    quoted = _quoted(term.text) + ("*" if term.prefix else "")
    if not _CYRILLIC.search(term.text):
        return quoted  # English: no forms, and none in the form columns to exclude
    forms = () if term.phrase or term.prefix else word_forms(term.text)
    if not forms:
        return f"{_RAW_COLUMNS} : {quoted}"  # exact, never a stem in the form columns
    alternatives = " OR ".join(_quoted(form) for form in forms)
    return f"({_RAW_COLUMNS} : {quoted} OR {{{' '.join(FORM_COLUMNS)}}} : ({alternatives}))"


def fts_expression(terms: tuple[Term, ...], joiner: str = " AND ") -> str | None:
    """Combine quoted terms into one FTS5 MATCH expression, or None if there are none."""
    if not terms:
        return None
    return joiner.join(fts_string(term) for term in terms)


def fts_highlight(terms: tuple[Term, ...]) -> str | None:
    """An expression over the raw columns only, for snippets: the terms OR-ed, and for a word
    with forms also the word's start it shares with each form, as a prefix."""
    if not terms:
        return None
    parts: list[str] = []
    for term in terms:
        parts.append(_quoted(term.text) + ("*" if term.prefix else ""))
        if not (term.prefix or term.phrase):
            word = term.text.casefold()
            for form in word_forms(term.text):
                stem = _shared_start(word, form)
                if len(stem) >= 3 and stem != word:
                    parts.append(_quoted(stem) + "*")
    return f"{_RAW_COLUMNS} : ({' OR '.join(dict.fromkeys(parts))})"


def _shared_start(word: str, form: str) -> str:
    """The longest start of ``word`` that ``form`` shares (forms are folded: і = и, …)."""
    length = 0
    for length, (a, b) in enumerate(zip(word, form, strict=False), start=1):
        if fold(a) != b:
            return word[: length - 1]
    return word[:length]


# A quoted tag keeps its commas; phones often turn "…" into “…” or «…».
_QUOTES = {'"': '"', "“": "”“", "„": "“”", "«": "»"}


def parse_tag_list(text: str) -> list[str]:
    """Tags from a user's argument text: comma-separated, each trimmed with its inner
    whitespace collapsed; a quoted tag (``"Rates, Bonds"``, also “…” or «…») is one tag,
    commas and all, and an unclosed quote runs to the end. Empty tags are dropped; never
    raises."""
    tags: list[str] = []
    current: list[str] = []
    closing = ""
    for char in text:
        if closing:
            if char in closing:
                closing = ""
            else:
                current.append(char)
        elif char in _QUOTES:
            closing = _QUOTES[char]
        elif char == ",":
            tags.append("".join(current))
            current = []
        else:
            current.append(char)
    tags.append("".join(current))
    return [tag for tag in (" ".join(t.split()) for t in tags) if tag]


_ASCII_NUMBER = re.compile(r"[0-9]+", re.ASCII)


def parse_count_and_rest(
    args: Sequence[str], default: int, low: int, high: int, argument: str = "count"
) -> tuple[int, str]:
    """An optional leading count, then the rest of the arguments joined by spaces.

    A first argument made only of digits of any script (``20``, ``²``, ``٥``) is the count;
    only ASCII digits within ``low..high`` are accepted, anything else raises
    ArgumentOutOfRange (with the text as given when it is not an ASCII number).
    """
    words = list(args)
    count = default
    if words and words[0].isdigit():
        first = words.pop(0)
        # Long digit strings stay text: int() refuses over 4,300 digits.
        if not _ASCII_NUMBER.fullmatch(first) or len(first) > 18:
            raise ArgumentOutOfRange(argument, first, low, high)
        count = int(first)
        if not low <= count <= high:
            raise ArgumentOutOfRange(argument, count, low, high)
    return count, " ".join(words).strip()
