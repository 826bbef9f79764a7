"""Translations: which languages the bot speaks, their gettext catalogs, plural forms and
dates formatted for a language with Babel.

A language is a folder ``bot/locales/<code>/LC_MESSAGES`` holding ``messages.po`` and its
compiled ``messages.mo``; the English source strings are the msgids, so English is complete
whatever its catalog holds. Adding a language is one new ``.po`` file, compiled (README).
Render functions take ``language`` (a code this module knows, e.g. "uk") and word everything
through ``translator(language)``: ``gettext``, ``ngettext`` (the language's own plural
rules, read from the catalog's Plural-Forms) and ``format_datetime``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime as babel_datetime
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:  # gettext's conventional name for "mark for extraction only"
    """Mark ``message`` for the catalog without translating it here (it is translated where
    it is shown, in the chat's language)."""
    return message


@functools.cache
def languages() -> tuple[str, ...]:
    """Every language with a compiled catalog, the default first, the rest by code."""
    found = {path.parent.parent.name for path in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return (DEFAULT_LANGUAGE, *sorted(found - {DEFAULT_LANGUAGE}))


def language_for(code: str | None) -> str:
    """The language to speak to a Telegram user whose ``language_code`` is ``code``
    (an IETF tag such as "uk" or "pt-br"): its primary language if we have a catalog for it,
    otherwise the default."""
    primary = (code or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in languages() else DEFAULT_LANGUAGE


def language_name(language: str) -> str:
    """The language's name in itself, capitalised: "English", "Українська"."""
    name = Locale.parse(language).display_name or language
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Translator:
    """One language's wording: its catalog and its locale for dates."""

    language: str
    catalog: NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of a message for ``count``, by the language's plural rules."""
        return self.catalog.ngettext(singular, plural, count)

    def format_datetime(self, when: datetime, pattern: str) -> str:
        """``when`` in its own timezone, by a CLDR ``pattern`` translated for the language
        (month and day names in the language, in the case its grammar needs)."""
        return babel_datetime(when, self.gettext(pattern), locale=self.language)


@functools.cache
def translator(language: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator for ``language``; an unknown language gets the default's."""
    if language not in languages():
        language = DEFAULT_LANGUAGE
    catalog = Translations.load(LOCALES_DIR, [language], DOMAIN)
    return Translator(language, catalog)
