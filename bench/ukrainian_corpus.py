"""Generated Ukrainian news articles for the benchmarks: deterministic sentences made from the
word lists below (written for newsbot, no outside text), with nouns in several cases so that
search has inflected forms to find."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Each noun: nominative, genitive, locative, instrumental.
NOUNS = [
    ("тролейбус", "тролейбуса", "тролейбусі", "тролейбусом"),
    ("лікарня", "лікарні", "лікарні", "лікарнею"),
    ("школа", "школи", "школі", "школою"),
    ("завод", "заводу", "заводі", "заводом"),
    ("бібліотека", "бібліотеки", "бібліотеці", "бібліотекою"),
    ("міст", "мосту", "мосту", "мостом"),
    ("вокзал", "вокзалу", "вокзалі", "вокзалом"),
    ("музей", "музею", "музеї", "музеєм"),
    ("ринок", "ринку", "ринку", "ринком"),
    ("стадіон", "стадіону", "стадіоні", "стадіоном"),
    ("парк", "парку", "парку", "парком"),
    ("громада", "громади", "громаді", "громадою"),
    ("університет", "університету", "університеті", "університетом"),
    ("електростанція", "електростанції", "електростанції", "електростанцією"),
    ("хлібозавод", "хлібозаводу", "хлібозаводі", "хлібозаводом"),
    ("театр", "театру", "театрі", "театром"),
    ("порт", "порту", "порту", "портом"),
    ("аеропорт", "аеропорту", "аеропорту", "аеропортом"),
    ("бюджет", "бюджету", "бюджеті", "бюджетом"),
    ("підприємство", "підприємства", "підприємстві", "підприємством"),
]
PLACES = [
    ("Лісоград", "Лісограда", "Лісограді"), ("Сонцеділ", "Сонцеділа", "Сонцеділі"),
    ("Вербівка", "Вербівки", "Вербівці"), ("Калинів", "Калинова", "Калинові"),
    ("Озерне", "Озерного", "Озерному"), ("Яворів", "Яворова", "Яворові"),
]
ADJECTIVES = ["новий", "міський", "старий", "головний", "обласний", "великий", "сучасний"]
VERBS = ["відкрили", "відремонтували", "перевірили", "закрили", "оновили", "обговорили",
         "показали", "збудували", "продали", "підтримали"]
PEOPLE = ["мешканці", "депутати", "рятувальники", "лікарі", "вчителі", "підприємці",
          "студенти", "журналісти"]
TAGS = ["Економіка", "Транспорт", "Освіта", "Медицина", "Культура", "Спорт", "Екологія"]


def _sentence(rng: random.Random, nouns: list[tuple[str, ...]], place: tuple[str, ...]) -> str:
    noun, other = rng.choice(nouns), rng.choice(nouns)
    form = rng.randrange(4)
    if form == 0:
        text = (f"У {place[2]} {rng.choice(PEOPLE)} {rng.choice(VERBS)} {rng.choice(ADJECTIVES)}"
                f" {noun[0]} біля {other[1]}")
    elif form == 1:
        text = (f"Керівництво {noun[1]} {rng.choice(VERBS)} план разом із {other[3]}"
                f" {place[1]}")
    elif form == 2:
        text = f"Про це в {noun[2]} розповіли {rng.choice(PEOPLE)} з {place[1]}"
    else:
        text = (f"Витрати на {noun[0]} зросли на {rng.randrange(2, 40)} відсотків, тож"
                f" {rng.choice(PEOPLE)} {rng.choice(VERBS)} {other[0]}")
    return text[0].upper() + text[1:] + "."


def write_ukrainian_feed(count: int, target: Path, seed: int = 12) -> None:
    """Write ``count`` generated articles as JSON Lines, about 110 words each, each about
    two of the nouns in one of the places (so a noun is in about a tenth of them)."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with target.open("w", encoding="utf-8") as out:
        for n in range(count):
            nouns, place = rng.sample(NOUNS, 2), rng.choice(PLACES)
            paragraphs = [" ".join(_sentence(rng, nouns, place) for _ in range(4))
                          for _ in range(3)]
            article = {
                "id": f"uk-{n}",
                "category": rng.choice(TAGS),
                "published": (start + timedelta(minutes=37 * n)).isoformat(),
                "source": f"Вісник {place[1]}",
                "title": (f"У {place[2]} {rng.choice(VERBS)} {rng.choice(ADJECTIVES)}"
                          f" {nouns[0][0]}"),
                "subtitle": _sentence(rng, nouns, place),
                "tags": [place[0], *rng.sample(TAGS, 2)],
                "body": "\n\n".join(paragraphs),
            }
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
