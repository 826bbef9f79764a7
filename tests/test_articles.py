from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.articles import (
    derive_article_id,
    iter_articles,
    iter_jsonl,
    normalise_tags,
    parse_article_record,
    parse_article_text,
    read_article_file,
)
from bot.errors import ArticleFormatError
from tests.conftest import USER_ARTICLE, article_text


def test_user_article_parses():
    article = read_article_file(USER_ARTICLE)
    assert article.category == "Politics"
    assert article.published == datetime(2024, 4, 15, 5, 6, 55,
                                         tzinfo=timezone(timedelta(hours=3)))
    assert article.source == "Ukrainian news"
    assert article.title == "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"
    assert article.tags[:5] == ("Russia", "war", "Ukraine", "Putin", "Belarus")
    assert len(article.paragraphs) == 10
    assert article.paragraphs[1] == "This follows from a statement by the Institute for the " \
        "Study of War (ISW)."


def test_multi_word_category_and_z_offset():
    article = parse_article_text(article_text(category="World news",
                                              published="2025-01-02T03:04:05Z"))
    assert article.category == "World news"
    assert article.published.utcoffset() == timedelta(0)


def test_tags_trimmed_deduplicated_first_spelling_kept():
    assert normalise_tags([" Economy", "economy ", "", "  ", "ECONOMY", "Climate  change"]) == (
        "Economy", "Climate change")
    article = parse_article_text(article_text(tags="  War , war,, Peace ,"))
    assert article.tags == ("War", "Peace")


def test_crlf_bom_trailing_spaces_and_extra_blank_lines(write_article):
    text = article_text(body="First paragraph.   \n\n\n\nSecond paragraph.")
    text = text.replace("\n\n\nFirst", "\n\n\n\n\nFirst")
    crlf = ("\ufeff" + text.replace("\n", "  \r\n")).encode("utf-8")
    article = read_article_file(write_article("crlf.txt", crlf))
    assert article.title == "Harbour reopens after storm"
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert article == parse_article_text(text)


def test_paragraph_breaks_are_kept():
    article = parse_article_text(article_text(body="One.\n\nTwo.\n\nThree."))
    assert article.paragraphs == ["One.", "Two.", "Three."]


def test_same_article_same_id_regardless_of_file():
    a = parse_article_text(article_text(), "a.txt")
    b = parse_article_text(article_text(body="Edited body."), "elsewhere/b.txt")
    assert a.id == b.id
    assert len(a.id) == 16 and a.id.isalnum()
    assert a.content_hash != b.content_hash


def test_id_depends_on_instant_not_offset():
    when = datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert derive_article_id("S", "T", when) == derive_article_id(
        "S", "T", when.astimezone(UTC))
    assert derive_article_id("S", "T", when) != derive_article_id("S", "T2", when)


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("", None, "file is empty"),
        ("\n\n  \n", None, "file is empty"),
        ("Politics\nsrc\n", 1, "line 1 must be a category followed by an ISO datetime"),
        ("Politics 2024-13-45T99:00:00+03:00\n", 1, "unparseable datetime"),
        ("Politics yesterday\n", 1, "unparseable datetime 'yesterday'"),
        ("Politics 2024-04-15T05:06:55\n", 1, "the offset is required"),
        (article_text(source="   "), 2, "line 2 (source) is empty"),
        (article_text(title=" ", subtitle="Sub"), 3, "line 3 (title) is empty"),
        ("Politics 2024-04-15T05:06:55Z\nsrc\ntitle\n", 5, "file ends before line 5 (subtitle)"),
        ("Politics 2024-04-15T05:06:55Z\nsrc\ntitle\nnot blank\n", 4, "line 4 must be blank"),
        (article_text(body=""), 8, "the body is empty"),
        (article_text().replace("Weather\n\n\n", "Weather\nBody right away\n"), 8,
         "line 8 must be blank"),
    ],
)
def test_malformed_files_name_path_line_and_reason(write_article, content, line, reason):
    path = write_article("bad.txt", content)
    with pytest.raises(ArticleFormatError) as caught:
        read_article_file(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}:{line}: " if line else f"{path}: ")


def test_invalid_utf8_is_rejected_with_its_line(write_article):
    data = article_text().encode("utf-8").replace(b"Ships", b"Sh\xe9ps")
    with pytest.raises(ArticleFormatError, match="not valid UTF-8") as caught:
        read_article_file(write_article("latin1.txt", data))
    assert caught.value.line == 12  # the second body paragraph


def test_invalid_utf8_after_a_bom_names_its_offset_in_the_file(write_article):
    data = b"\xef\xbb\xbf" + article_text().encode("utf-8").replace(b"Ships", b"Sh\xe9ps")
    with pytest.raises(ArticleFormatError, match="not valid UTF-8") as caught:
        read_article_file(write_article("bom.txt", data))
    offset = data.index(b"\xe9")
    assert caught.value.reason == f"not valid UTF-8 (byte 0xe9 at offset {offset})"


def test_binary_file_is_rejected(write_article):
    with pytest.raises(ArticleFormatError, match="binary file"):
        read_article_file(write_article("x.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00"))


def test_size_limit_is_configurable(write_article):
    path = write_article(body="Long sentence here. " * 100)
    assert read_article_file(path, max_bytes=10_000).title
    with pytest.raises(ArticleFormatError, match="over the limit of 1,000 bytes"):
        read_article_file(path, max_bytes=1000)


def test_jsonl_articles_and_errors_name_lines(tmp_path):
    good = ('{"id": "wire-1", "category": "Business", "published": "2025-01-01T00:00:00Z",'
            ' "source": "Wire", "title": "Rates held", "subtitle": "", "tags": ["Rates", "rates"],'
            ' "body": "Para one.\\n\\nPara two."}')
    no_id = good.replace('"id": "wire-1", ', "").replace("Rates held", "Other")
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([
        good, "", "{not json", '["a list"]', good.replace("2025-01-01T00:00:00Z", "2025-01-01"),
        good.replace('"title": "Rates held"', '"title": ""'), no_id,
        good.replace('"wire-1"', '"has space"'),
    ]) + "\n", encoding="utf-8")
    results = list(iter_jsonl(path))
    articles = [r for r in results if not isinstance(r, ArticleFormatError)]
    errors = [r for r in results if isinstance(r, ArticleFormatError)]
    assert articles[0].id == "wire-1"
    assert articles[0].tags == ("Rates",)
    assert articles[0].paragraphs == ["Para one.", "Para two."]
    assert len(articles[1].id) == 16
    assert [(e.line, e.reason.split(":")[0]) for e in errors] == [
        (3, "invalid JSON"),
        (4, "each line must be a JSON object"),
        (5, "datetime '2025-01-01' has no UTC offset; the offset is required (e.g. 2024-04-15T05"),
        (6, "field 'title' is empty"),
        (8, "id 'has space' must be 1-48 letters, digits, '-' or '_'"),
    ]


def test_jsonl_lines_may_start_with_a_bom_and_end_with_crlf(tmp_path):
    path = tmp_path / "feed.jsonl"
    record = ('{"category": "Business", "published": "2025-01-01T00:00:00Z", "source": "Wire",'
              ' "title": "Rates held", "body": "One."}')
    path.write_bytes(b"\xef\xbb\xbf" + record.encode() + b"\r\n" + record.encode() + b"\r\n")
    assert [a.title for a in iter_jsonl(path)] == ["Rates held", "Rates held"]


BODY_TEXT = st.text(st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\x1c", "\u2028", "\xa0",
                                     "\x0b", "é"]), max_size=30)


@given(BODY_TEXT)
def test_a_json_body_becomes_its_paragraphs_whether_tidy_or_not(body):
    record = {"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",
              "title": "T", "body": body}
    # Paragraphs: runs of non-blank lines, each line stripped; CRLF and CR are line breaks.
    lines = [line.strip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    runs = "\n".join(lines).split("\n\n")
    expected = "\n\n".join(run.strip("\n") for run in runs if run.strip("\n"))
    if not expected:
        with pytest.raises(ArticleFormatError, match="field 'body' is empty"):
            parse_article_record(record)
    else:
        assert parse_article_record(record).body == expected


def test_directories_are_walked_recursively_for_txt_and_jsonl(write_article, tmp_path):
    write_article("a.txt", title="A")
    write_article("nested/deeper/b.txt", title="B")
    write_article("notes.md", title="ignored")
    write_article(".hidden/c.txt", title="hidden")
    (tmp_path / "feed.jsonl").write_text(
        '{"category": "X", "published": "2025-01-01T00:00:00Z", "source": "S",'
        ' "title": "C", "body": "Body."}\n', encoding="utf-8")
    titles = sorted(a.title for a in iter_articles([tmp_path]))
    assert titles == ["A", "B", "C"]


def test_missing_path_is_an_error_not_a_crash(tmp_path):
    [error] = list(iter_articles([tmp_path / "nope"]))
    assert isinstance(error, ArticleFormatError)
    assert error.reason == "no such file or directory"
