"""Sentence and word splitting, and language detection, without downloaded data."""

import pytest

from bot.language import detect_language
from bot.sentences import leans_on_previous, paragraphs, split_sentences, words


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("english", "Dr. Alder met U.S. officials on Monday. They agreed on nothing.",
         ["Dr. Alder met U.S. officials on Monday.", "They agreed on nothing."]),
        ("english", "The report by J. R. Penhallow was published at 9 a.m. on Friday. "
                    "Nobody read it.",
         ["The report by J. R. Penhallow was published at 9 a.m. on Friday.",
          "Nobody read it."]),
        ("english", 'Mr. Ostrand said: "We will rebuild." Then he left the hall.',
         ['Mr. Ostrand said: "We will rebuild."', "Then he left the hall."]),
        ("ukrainian", "Музей ім. Т. Шевченка відкрили після ремонту. Вхід вільний.",
         ["Музей ім. Т. Шевченка відкрили після ремонту.", "Вхід вільний."]),
        ("ukrainian", "Так звані т. зв. «нічні рейси» запускають у грудні. Квитки вже є.",
         ["Так звані т. зв. «нічні рейси» запускають у грудні.", "Квитки вже є."]),
        ("ukrainian", "Генерал С. Наєв заявив про посилення кордону. Деталей він не навів.",
         ["Генерал С. Наєв заявив про посилення кордону.", "Деталей він не навів."]),
        ("ukrainian", "Кав'ярня на вул. Садовій працює цілодобово. Її відкрили вчора.",
         ["Кав'ярня на вул. Садовій працює цілодобово.", "Її відкрили вчора."]),
        ("russian", "Театр им. А. Островского показал премьеру. Зал был полон.",
         ["Театр им. А. Островского показал премьеру.", "Зал был полон."]),
        ("ukrainian", "«Ми впораємося!» — сказав мер. Засідання закрили.",
         ["«Ми впораємося!» — сказав мер.", "Засідання закрили."]),
    ],
)
def test_abbreviations_and_initials_do_not_end_sentences(language, text, expected):
    assert split_sentences(text, language) == expected


def test_paragraphs_are_separated_by_blank_lines_and_joined_inside():
    text = "First line\nof the first paragraph.\n\n  \nSecond paragraph.\n"
    assert paragraphs(text) == ["First line of the first paragraph.", "Second paragraph."]


def test_words_are_letters_only_with_inner_apostrophes_and_hyphens():
    assert words("Кав'ярня «Сонце» відкрилася 12.05 о 9:00 — see https://x.io, well-known!") == [
        "Кав'ярня", "Сонце", "відкрилася", "о", "see", "https", "x", "io", "well-known",
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The council said that the new bridge will open in the spring.", "english"),
        ("Міська рада повідомила, що новий міст відкриють навесні, і всі раді.", "ukrainian"),
        ("Городской совет сообщил, что новый мост откроют весной, это хорошо.", "russian"),
        ("Der Rat hat mitgeteilt, dass die neue Brücke im Frühjahr eröffnet wird.", "german"),
        ("Το συμβούλιο ανακοίνωσε ότι η γέφυρα θα ανοίξει την άνοιξη.", "unknown"),
        ("12 345 678 https://example.org", "unknown"),
        ("", "unknown"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("language", "sentence", "leans"),
    [
        ("english", "He denied the claims.", True),
        ("english", '"They will pay," the mayor said.', True),
        ("english", "“It's over,” she said.", True),
        ("english", "However, the vote was close.", True),
        ("english", "Meanwhile the ferry ran late.", True),
        ("english", "Hence the delay.", False),
        ("english", "Theresa May spoke first.", False),
        ("english", "The council met.", False),
        ("ukrainian", "Він заперечив звинувачення.", True),
        ("ukrainian", "«Але це не кінець», — сказав мер.", True),
        ("ukrainian", "Однак голосування відклали.", True),
        ("ukrainian", "Тому засідання перенесли.", True),
        ("ukrainian", "Їх попередили заздалегідь.", True),
        ("ukrainian", "Міська рада ухвалила бюджет.", False),
        ("russian", "Она отрицала обвинения.", True),
        ("russian", "«Но это не конец», — сказал мэр.", True),
        ("russian", "Поэтому заседание перенесли.", True),
        ("russian", "Её предупредили заранее.", True),
        ("russian", "Ее предупредили заранее.", True),
        ("russian", "Городской совет утвердил бюджет.", False),
        ("german", "Er sagte nichts.", False),
        ("english", "", False),
    ],
)
def test_sentences_that_open_with_a_pronoun_or_connective_lean_on_the_previous_one(
    language, sentence, leans
):
    assert leans_on_previous(sentence, language) is leans
