import json
import os
import re
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.articles import (
    category_key,
    derive_article_id,
    iter_articles,
    iter_jsonl,
    normalise_tags,
    parse_article_record,
    parse_article_text,
    read_article_file,
    tag_key,
)
from bot.errors import ArticleFormatError
from tests.conftest import USER_ARTICLE, article_text

# C0 and C1 control characters and DEL, except newline and tab.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("One.", "One."),
        ("  One.  \n\n\n\n  Two.  ", "One.\n\nTwo."),
        ("Line one\nline two\n\nNext", "Line one\nline two\n\nNext"),
        ("a\r\nb\r\rc", "a\nb\n\nc"),
        ("a\n \t \nb", "a\n\nb"),
        ("\xa0a\u2028b\xa0\n\u2028", "a\u2028b"),
        ("a\x1cb\x0bc", "a b c"),
        ("tab\tinside", "tab\tinside"),
        ("\x1b[31mred\x1b[0m \x9bbold\x07", "[31mred[0m bold"),
    ],
)
def test_a_json_body_becomes_its_paragraphs(body, expected):
    record = {"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",
              "title": "T", "body": body}
    assert parse_article_record(record).body == expected


@pytest.mark.parametrize("body", ["", " \n\t\r\n", "\x1b\x00\x7f", "\n\x1c\n"])
def test_a_json_body_of_nothing_visible_is_empty(body):
    record = {"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",
              "title": "T", "body": body}
    with pytest.raises(ArticleFormatError, match="field 'body' is empty"):
        parse_article_record(record)


BODY_TEXT = st.text(st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\x1c", "\u2028", "\xa0",
                                     "\x0b", "\x1b", "\x85", "\x9b", "\x7f", "é"]), max_size=30)


@given(BODY_TEXT)
def test_a_json_body_is_tidy_paragraphs_without_control_characters(body):
    record = {"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",
              "title": "T", "body": body}
    try:
        stored = parse_article_record(record).body
    except ArticleFormatError:
        return
    assert not CONTROL.search(stored)
    for paragraph in stored.split("\n\n"):
        assert paragraph and "\n\n" not in paragraph
        assert all(line == line.strip() and line for line in paragraph.split("\n"))


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


# -- control characters (issue 9, case 3) -----------------------------------------------------

ESC_TITLE = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRed alert\x1b[0m"


def test_control_characters_are_stripped_from_every_field_of_a_text_article():
    article = parse_article_text(article_text(
        title=ESC_TITLE, subtitle="Sub\x9btitle", category="World\x1b news",
        source="Port\x00 Amsel", tags="Port\x7f Amsel, \x1b[1mWeather",
        body="The \x1b[5mharbour\x1b[0m reopened.\x08\n\n\x0cShips\tqueued.",
    ))
    assert article.title == "]0;pwned[2J[31mRed alert[0m"
    assert article.subtitle == "Subtitle"
    assert article.category == "World news"
    assert article.source == "Port Amsel"
    assert article.tags == ("Port Amsel", "[1mWeather")
    assert article.body == "The [5mharbour[0m reopened.\n\nShips\tqueued."


def test_control_characters_are_stripped_from_every_field_of_a_json_record():
    article = parse_article_record({
        "category": "\x1bBusiness", "published": "2025-01-01T00:00:00Z", "source": "Wi\x9bre",
        "title": ESC_TITLE, "subtitle": "\x07Sub", "tags": ["Ra\x1btes", "\x85Bonds"],
        "body": "One\x1b[0m.\r\n\r\nTwo\x00.",
    })
    assert (article.category, article.source, article.title, article.subtitle) == (
        "Business", "Wire", "]0;pwned[2J[31mRed alert[0m", "Sub")
    assert article.tags == ("Rates", "Bonds")
    assert article.body == "One[0m.\n\nTwo."


def test_a_field_of_only_control_characters_is_empty():
    with pytest.raises(ArticleFormatError, match=r"line 3 \(title\) is empty") as caught:
        parse_article_text(article_text(title="\x1b\x07", subtitle="Sub"), "t.txt")
    assert caught.value.line == 3


def test_cleaning_keeps_the_id_derived_from_the_title_as_written():
    # Upgrading must not re-key articles stored before control characters were stripped.
    written = parse_article_text(article_text(title="Red\x1b alert"))
    when = datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert written.id == derive_article_id("Port Amsel Courier", "Red\x1b alert", when)
    assert written.title == "Red alert"


# -- dates at the ends of datetime's range (issue 9, case 7) ----------------------------------

EXTREME_DATES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00",
                 "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+00:00"]


@pytest.mark.parametrize("published", EXTREME_DATES)
def test_a_date_no_timezone_can_show_is_a_format_error_in_a_text_file(published):
    with pytest.raises(ArticleFormatError) as caught:
        parse_article_text(article_text(published=published), "old.txt")
    assert (caught.value.path, caught.value.line) == ("old.txt", 1)
    assert caught.value.reason == (
        f"datetime {published!r} is out of range: it must fall between 0001-01-02 and "
        "9999-12-30 in UTC")


@pytest.mark.parametrize("with_id", [True, False])
@pytest.mark.parametrize("published", EXTREME_DATES[:2])
def test_a_date_no_timezone_can_show_is_a_format_error_in_a_json_record(published, with_id):
    record = {"category": "C", "published": published, "source": "S", "title": "T",
              "body": "B."} | ({"id": "x1"} if with_id else {})
    with pytest.raises(ArticleFormatError, match="is out of range") as caught:
        parse_article_record(record, "feed.jsonl", 7)
    assert caught.value.line == 7


def test_the_ends_of_the_range_are_accepted():
    for published in ("0001-01-02T00:00:00Z", "0001-01-02T05:00:00+05:00",
                      "9999-12-30T23:59:59.999999Z", "9999-12-30T18:59:59-05:00"):
        article = parse_article_text(article_text(published=published))
        assert article.published == datetime.fromisoformat(published)


def test_one_bad_date_fails_its_file_and_the_others_are_read(write_article, tmp_path):
    write_article("a.txt", title="Before")
    old = write_article("b.txt", title="Old", published="0001-01-01T00:00:00+05:00")
    (tmp_path / "c.jsonl").write_text(
        '{"category": "C", "published": "9999-12-31T23:00:00-05:00", "source": "S",'
        ' "title": "Future", "body": "B."}\n'
        '{"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",'
        ' "title": "After", "body": "B."}\n', encoding="utf-8")
    results = list(iter_articles([tmp_path]))
    assert [r.title for r in results if not isinstance(r, ArticleFormatError)] == [
        "Before", "After"]
    assert [(e.path, e.line) for e in results if isinstance(e, ArticleFormatError)] == [
        (str(old), 1), (str(tmp_path / "c.jsonl"), 1)]


# -- JSON that the parser itself refuses: siblings of case 7 ----------------------------------

def test_json_nested_too_deeply_or_with_a_huge_number_fails_only_its_line(tmp_path):
    good = ('{"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",'
            ' "title": "Fine", "body": "B."}')
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join([
        "[" * 100_000 + "]" * 100_000, good, '{"id": ' + "9" * 5000 + "}", good.replace(
            "Fine", "Also fine"),
    ]) + "\n", encoding="utf-8")
    results = list(iter_jsonl(path))
    assert [r.title for r in results if not isinstance(r, ArticleFormatError)] == [
        "Fine", "Also fine"]
    assert [(e.line, e.reason) for e in results if isinstance(e, ArticleFormatError)] == [
        (1, "invalid JSON: nested too deeply"),
        (3, "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits"),
    ]


# -- size limits: check before reading, never hold more than the limit (case 8) ---------------

def _peak_bytes(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_huge_text_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as out:
        out.write(article_text().encode())
        out.truncate(3 * 1024**3)  # sparse: 3 GiB that use no disk

    def read():
        with pytest.raises(ArticleFormatError) as caught:
            read_article_file(path, max_bytes=1024 * 1024)
        return caught.value

    error, peak = _peak_bytes(read)
    assert error.reason == "file is 3,221,225,472 bytes, over the limit of 1,048,576 bytes"
    assert peak < 256 * 1024


def test_a_huge_jsonl_line_is_skipped_in_bounded_memory_and_the_next_lines_read(tmp_path):
    line = ('{"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",'
            ' "title": "%s", "body": "B."}\n')
    path = tmp_path / "feed.jsonl"
    with path.open("wb") as out:
        out.write((line % "First").encode() + b'{"title": "')
        out.truncate(256 * 1024**2)  # sparse: line 2 is 256 MiB of NUL bytes
        out.seek(0, 2)
        out.write(b'"}\n' + (line % "Third").encode())
    results, peak = _peak_bytes(lambda: list(iter_jsonl(path, max_bytes=64 * 1024)))
    assert [r.title for r in results if not isinstance(r, ArticleFormatError)] == [
        "First", "Third"]
    [error] = [r for r in results if isinstance(r, ArticleFormatError)]
    # 256 MiB, less the 102-byte first line, plus the closing '"}\n'
    assert (error.line, error.reason) == (
        2, "line is 268,435,357 bytes, over the limit of 65,536 bytes")
    assert peak < 1024**2  # the chunks it skips by and the limit, not the line


def test_a_jsonl_line_exactly_at_the_limit_is_read(tmp_path):
    record = (b'{"category": "C", "published": "2025-01-01T00:00:00Z", "source": "S",'
              b' "title": "T", "body": "B."}\n')
    path = tmp_path / "feed.jsonl"
    path.write_bytes(record + record)
    assert len(list(iter_jsonl(path, max_bytes=len(record)))) == 2
    [error] = list(iter_jsonl(path, max_bytes=len(record) - 1))[:1]
    assert error.reason == f"line is {len(record)} bytes, over the limit of {len(record) - 1} bytes"


# -- what a directory walk meets (case 9 and its siblings) ------------------------------------

def _deep_directory(root, levels: int = 20):
    """A directory nested past PATH_MAX (4,096 bytes), which even root cannot list by path."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d" * 250, dir_fd=fd)
            inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


def test_a_directory_that_cannot_be_listed_is_reported_and_the_rest_read(
        write_article, tmp_path):
    write_article("a.txt", title="A")
    deep = tmp_path / "deep"
    deep.mkdir()
    _deep_directory(deep)
    write_article("z.txt", title="Z")
    results = list(iter_articles([tmp_path]))
    assert [r.title for r in results if not isinstance(r, ArticleFormatError)] == ["A", "Z"]
    [error] = [r for r in results if isinstance(r, ArticleFormatError)]
    assert error.path.startswith(str(deep / ("d" * 250)))
    assert error.reason == "cannot read directory: File name too long"


def test_fifos_and_broken_links_with_article_names_are_failures_not_silence(
        write_article, tmp_path):
    write_article("a.txt", title="A")
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    results = list(iter_articles([tmp_path]))
    assert [r.title for r in results if not isinstance(r, ArticleFormatError)] == ["A"]
    assert sorted((Path(e.path).name, e.reason) for e in results
                  if isinstance(e, ArticleFormatError)) == [
        ("gone.txt", "cannot read file: No such file or directory"),
        ("pipe.jsonl", "not a regular file"),
        ("pipe.txt", "not a regular file"),
    ]


def test_a_fifo_named_on_its_own_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    [error] = list(iter_articles([tmp_path / "pipe.txt"]))
    assert error.reason == "not a regular file"


# -- the same id twice in one run (case 10 and its siblings) ----------------------------------

def test_a_jsonl_id_seen_twice_fails_the_second_naming_both_lines(tmp_path):
    path = tmp_path / "feed.jsonl"
    rows = [json.dumps({"id": f"w{n}", "category": "C", "published": "2025-01-01T00:00:00Z",
                        "source": "S", "title": f"T{n}", "body": "B."}) for n in range(8)]
    rows.insert(5, rows[2].replace('"T2"', '"T2, corrected"'))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    results = list(iter_articles([path]))
    assert [r.title for r in results if not isinstance(r, ArticleFormatError)] == [
        "T0", "T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    [error] = [r for r in results if isinstance(r, ArticleFormatError)]
    assert str(error) == f"{path}:6: duplicate id 'w2', first at {path}:3"


def test_two_text_files_with_the_same_derived_id_fail_the_second(write_article, tmp_path):
    first = write_article("a.txt", body="One version.")
    second = write_article("b.txt", body="Another version.")
    results = list(iter_articles([tmp_path]))
    assert [r.body for r in results if not isinstance(r, ArticleFormatError)] == [
        "One version."]
    [error] = [r for r in results if isinstance(r, ArticleFormatError)]
    assert (error.path, error.line) == (str(second), None)
    assert error.reason == f"duplicate id '{results[0].id}', first at {first}"


def test_a_file_named_twice_is_read_once(write_article, tmp_path):
    path = write_article("a.txt")
    assert len(list(iter_articles([tmp_path, path, tmp_path / "." / "a.txt"]))) == 1


def test_category_and_tag_keys_match_whatever_the_spacing_and_case():
    assert category_key("  World \t NEWS ") == category_key("world news") == "world news"
    assert tag_key(" Climate\n Change ") == "climate change"


def test_a_file_that_reports_no_size_is_still_read_only_to_the_limit():
    # /proc files say st_size 0 whatever they hold: the limit holds on what is read.
    with pytest.raises(ArticleFormatError) as caught:
        read_article_file("/proc/self/status", max_bytes=100)
    assert caught.value.reason == "file is over the limit of 100 bytes"
