"""Translations: plural forms, dates, choosing a language, and catalogs complete and compiled."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from bot import render
from bot.errors import (
    ArgumentOutOfRange,
    ArticleNotFound,
    ConfigError,
    EmptyArgument,
    ImportInProgress,
    InvalidDigestTime,
    InvalidQuery,
    NewsbotError,
    StoreError,
    SummaryError,
    TooBroadSearch,
    UnknownTimezone,
)
from bot.handlers.commands import menu
from bot.models import Article, Digest, DigestItem, Summary
from bot.render.i18n import LOCALES_DIR

ROOT = Path(__file__).resolve().parent.parent
KYIV = timezone(timedelta(hours=2))
ARTICLE = Article(
    id="abc123", category="Економіка", published=datetime(2026, 11, 24, 22, 15, tzinfo=KYIV),
    source="Укрінформ", title="Гривня зміцнилася", subtitle="", tags=("Економіка",),
    body="Національний банк повідомив про зміцнення гривні.",
)
SUMMARY = Summary(("Національний банк повідомив про зміцнення гривні.",), "default", "ukrainian")


def digest_header(count: int, language: str) -> str:
    items = [DigestItem(replace(ARTICLE, id=f"a{n}"), ("Економіка",), SUMMARY)
             for n in range(min(count, 3))]
    digest = Digest(1, items, more=count - len(items), more_tag="Економіка", upto_seq=9)
    return render.render_digest(digest, language)[0].text.split("\n")[0]


# -- plural forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "header"), [
    (1, "1 нова стаття"), (2, "2 нові статті"), (3, "3 нові статті"), (4, "4 нові статті"),
    (5, "5 нових статей"), (11, "11 нових статей"), (12, "12 нових статей"),
    (13, "13 нових статей"), (14, "14 нових статей"), (21, "21 нова стаття"),
    (22, "22 нові статті"), (25, "25 нових статей"), (111, "111 нових статей"),
])
def test_ukrainian_digest_header_has_the_three_plural_forms(count, header):
    assert digest_header(count, "uk") == f"<b>Ваш дайджест новин</b> — {header}"


@pytest.mark.parametrize(("count", "header"), [
    (1, "1 new article"), (2, "2 new articles"), (11, "11 new articles"),
    (21, "21 new articles"),
])
def test_english_digest_header_has_two_plural_forms(count, header):
    assert digest_header(count, "en") == f"<b>Your news digest</b> — {header}"


# -- dates --------------------------------------------------------------------------------------


def test_dates_are_written_as_the_language_writes_them():
    when = datetime(2026, 11, 24, 22, 15, tzinfo=KYIV)
    assert render.format_date(when, "uk") == "24 листопада 2026, 22:15"
    assert render.format_date(when, "en") == "24 Nov 2026, 22:15"
    assert render.format_date(datetime(2026, 3, 1, 9, 5, tzinfo=UTC), "uk") == (
        "1 березня 2026, 09:05")
    card = render.render_card(ARTICLE, SUMMARY, language="uk")
    assert "<i>24 листопада 2026, 22:15 · Укрінформ · Економіка</i>" in card


def test_the_digest_schedule_names_the_next_day_in_the_chats_language():
    upcoming = datetime(2026, 11, 24, 7, 30, tzinfo=KYIV)
    assert render.render_schedule(True, "07:30", "Europe/Kyiv", upcoming, "uk") == (
        "Дайджест надходить щодня о 07:30 (Europe/Kyiv); наступний: вт 24 листопада, 07:30.")
    assert render.render_schedule(True, "07:30", "Europe/Kyiv", upcoming, "en") == (
        "Your digest arrives daily at 07:30 (Europe/Kyiv); next: Tue 24 Nov, 07:30.")


# -- choosing the language ----------------------------------------------------------------------


@pytest.mark.parametrize(("code", "language"), [
    ("uk", "uk"), ("uk-UA", "uk"), ("UK", "uk"), ("en", "en"), ("en-GB", "en"),
    ("de", "en"), ("ru", "en"), ("", "en"), (None, "en"), ("ukr", "en"),
])
def test_a_telegram_language_code_picks_a_language_we_speak(code, language):
    assert render.language_for(code) == language


def test_a_chat_keeps_the_language_of_its_first_writer_until_changed(service):
    assert service.chat_language(7) is None
    assert service.touch_chat(7, "uk") == "uk"
    assert service.touch_chat(7, "en") == "uk"  # a later writer does not change it
    service.set_chat_language(7, "en")
    assert service.touch_chat(7, "uk") == "en"
    assert service.chat_language(7) == "en"


def test_the_language_buttons_name_each_language_in_itself():
    assert [(b.text, b.data) for b in render.language_buttons()] == [
        ("English", "lang:en"), ("Українська", "lang:uk")]
    assert render.render_language_set("uk") == "Відтепер я розмовляю тут мовою: Українська."


def test_the_command_menu_is_translated_and_command_names_stay_latin():
    english, ukrainian = menu(admin=True, language="en"), menu(admin=True, language="uk")
    assert [name for name, _ in ukrainian] == [name for name, _ in english]
    assert dict(ukrainian)["digest_time"] == "Коли надходить щоденний дайджест: /digest_time 08:00"
    for (_, en_line), (_, uk_line) in zip(english, ukrainian, strict=True):
        assert en_line != uk_line and re.search("[а-яіїєґ]", uk_line)


# -- what is translated, and how ----------------------------------------------------------------


def test_placeholders_and_examples_are_translated_but_operators_stay_latin():
    search = render.render_usage("search", "uk")
    assert "<code>/search ЗАПИТ</code>" in search and "<code>tag:Економіка</code>" in search
    assert "<code>category:Політика</code>" in search
    assert "<code>/digest_time ГГ:ХХ</code>" in render.render_usage("digest_time", "uk")
    assert "<code>/subscribe ТЕГ[, ТЕГ…]</code>" in render.render_usage("subscribe", "uk")


ERRORS: list[NewsbotError] = [
    ArticleNotFound("x1"), UnknownTimezone("Mars/Base"), InvalidDigestTime("25:00"),
    ArgumentOutOfRange("offset", 99, 0, 10), ArgumentOutOfRange("count", 50, 1, 20),
    ArgumentOutOfRange("count", -1, 1, None), TooBroadSearch(9, 8), EmptyArgument("tags"),
    EmptyArgument("tag"), EmptyArgument("timezone"), InvalidQuery("query", "unbalanced"),
    InvalidQuery("something new"), ImportInProgress(), StoreError("locked"),
    SummaryError("sumy"), ConfigError("no token"), NewsbotError("other"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_every_error_reply_is_in_ukrainian(error):
    for command in (None, *render.USAGES):
        english = render.render_error(error, command, "en")
        ukrainian = render.render_error(error, command, "uk")
        assert ukrainian != english
        assert re.search("[А-Яа-яІіЇїЄєҐґ]", ukrainian)
    assert re.search("[А-Яа-яІіЇїЄєҐґ]", render.error_alert(error, "uk"))


def test_article_content_is_never_translated():
    english = render.render_card(replace(ARTICLE, title="Tags and Matched"), SUMMARY,
                                 language="uk")
    assert "<b>Tags and Matched</b>" in english
    assert "Національний банк повідомив про зміцнення гривні." in english


# -- the catalogs -------------------------------------------------------------------------------


def source_messages() -> set[str]:
    """Every msgid in bot/render and bot/handlers, extracted as pybabel does (babel.cfg)."""
    found = set()
    for folder in ("bot/render", "bot/handlers"):
        for _, _, message, _, _ in extract_from_dir(
                ROOT / folder, [("**.py", "python")], keywords={"_": None, "gettext": None,
                                                                "ngettext": (1, 2), "N_": None}):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(language: str):
    with open(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def test_the_ukrainian_catalog_translates_every_message_in_the_source():
    wanted = source_messages()
    assert len(wanted) > 90
    translations = {}
    for message in catalog("uk"):
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        translations[key] = message
    missing = sorted(m for m in wanted if m not in translations or not translations[m].string)
    assert missing == []
    for key in wanted:
        message = translations[key]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and "fuzzy" not in message.flags
        for text in strings:  # the same placeholders and HTML tags as the English
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", key))
            assert sorted(re.findall(r"</?\w+>", text)) == sorted(re.findall(r"</?\w+>", key))


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_committed_compiled_catalogs_match_their_po_files(language):
    """A .po edited without `pybabel compile` fails here."""
    def messages(mo_bytes: bytes) -> dict:
        def frozen(value):
            return tuple(value) if isinstance(value, list | tuple) else value
        return {frozen(m.id): frozen(m.string) for m in read_mo(io.BytesIO(mo_bytes)) if m.id}

    fresh = io.BytesIO()
    write_mo(fresh, catalog(language))
    committed = (LOCALES_DIR / language / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert messages(committed) == messages(fresh.getvalue())
