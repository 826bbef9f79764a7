"""The users' search language, parsed into a structure the store turns into FTS5 syntax.

Words are AND-ed; ``"quoted phrases"``; ``prefix*``; ``-excluded`` (a word or a phrase);
``tag:Belarus`` / ``tag:"World news"``; ``category:Politics``. Parsing never fails: anything
the language does not understand is treated as plain words, and words without a single
letter or digit are dropped, so any string at all yields a (possibly empty) query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


def fts_string(term: Term) -> str:
    """Quote one term as an FTS5 string: nothing inside quotes is syntax."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + "*" if term.prefix else quoted


def fts_expression(terms: tuple[Term, ...], joiner: str = " AND ") -> str | None:
    """Combine quoted terms into one FTS5 MATCH expression, or None if there are none."""
    if not terms:
        return None
    return joiner.join(fts_string(term) for term in terms)
