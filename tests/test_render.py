from dataclasses import replace
from datetime import datetime, timedelta, timezone

from bot import render
from bot.models import HIGHLIGHT_END, HIGHLIGHT_START, Article, ImportFailure, ImportReport, Summary
from bot.render import MESSAGE_LIMIT, telegram_length

KYIV = timezone(timedelta(hours=3))
ARTICLE = Article(
    id="abc123",
    category="World news",
    published=datetime(2025, 3, 1, 9, 30, tzinfo=KYIV),
    source="Port <Amsel> & Co",
    title='Profits & losses: "<Q3>" results',
    subtitle="Sub & title",
    tags=("M&A", "<script>", "Économie"),
    body="First <b>not bold</b> paragraph.\n\nSecond & last paragraph.",
)
SUMMARY = Summary(("Shares rose <5%> & fell.", "Then 'quotes'."), "default", "english")


def test_escape_handles_the_three_html_specials_and_leaves_quotes():
    assert render.escape('<a href="x">&</a> \'q\'') == '&lt;a href="x"&gt;&amp;&lt;/a&gt; \'q\''


def test_card_escapes_every_article_field():
    card = render.render_card(ARTICLE, SUMMARY)
    assert card == (
        "<b>Profits &amp; losses: \"&lt;Q3&gt;\" results</b>\n"
        "<i>1 Mar 2025, 09:30 · Port &lt;Amsel&gt; &amp; Co · World news</i>\n"
        "Tags: M&amp;A, &lt;script&gt;, Économie\n\n"
        "Shares rose &lt;5%&gt; &amp; fell. Then 'quotes'."
    )


def test_card_with_empty_summary_still_has_the_header():
    card = render.render_card(ARTICLE, Summary((), "default", "english"))
    assert card.endswith("Économie")


def test_snippet_highlight_is_escaped_and_balanced():
    snippet = f"a < b & {HIGHLIGHT_START}Belarus{HIGHLIGHT_END} {HIGHLIGHT_START}open"
    assert render.highlight(snippet) == "a &lt; b &amp; <b>Belarus</b> <b>open</b>"


def test_callback_data_fits_64_bytes_or_is_refused():
    assert render.callback_data("full", "a" * 59) == "full:" + "a" * 59
    assert render.callback_data("full", "a" * 60) is None
    assert render.callback_data("tag", "Ї" * 30) == "tag:" + "Ї" * 30  # 2 bytes each: 64
    assert render.callback_data("tag", "Ї" * 31) is None
    assert render.parse_callback("page:tok:10") == ("page", ["tok", "10"])
    assert render.parse_callback("tag:a:b") == ("tag", ["a", "b"])
    assert render.parse_callback(None) == ("", [])


def test_every_button_fits_telegram_limits():
    long_id = replace(ARTICLE, id="x" * 48, tags=("A very long tag name indeed " * 4,))
    for button in render.article_buttons(long_id):
        assert len(button.data.encode()) <= 64
    buttons = render.tag_buttons(["Economy", "Ж" * 40], "tag", "Follow")
    assert [b.data for b in buttons] == ["tag:Economy"]


def test_split_exactly_at_the_limit():
    exact = "a" * MESSAGE_LIMIT
    assert render.split_blocks([exact]) == [exact]
    over = "a" * (MESSAGE_LIMIT + 1)
    parts = render.split_blocks([over])
    assert [len(p) for p in parts] == [MESSAGE_LIMIT, 1]


def test_split_prefers_paragraphs_then_sentences_and_never_cuts_entities():
    paragraph = "Sentence one & two. " * 150  # escaped: about 3,600 characters
    blocks = [render.escape(paragraph.strip())] * 3
    parts = render.split_blocks(blocks)
    assert len(parts) == 3
    assert all(p == blocks[0] for p in parts)
    huge = render.escape(("Word & word. " * 800).strip())
    pieces = render.split_blocks([huge])
    assert all(telegram_length(p) <= MESSAGE_LIMIT for p in pieces)
    assert all(p.endswith("word.") for p in pieces)
    assert all("&amp;" in p and not p.endswith("&") for p in pieces)
    assert " ".join(pieces).replace("\n\n", " ") == huge


def test_utf16_length_counts_emoji_twice():
    assert telegram_length("😀") == 2
    emoji_block = "😀" * 2100  # 4,200 UTF-16 units
    parts = render.split_blocks([emoji_block])
    assert [telegram_length(p) for p in parts] == [4096, 104]


def test_full_article_over_the_limit_is_numbered_and_each_part_fits():
    paragraphs = [f"Paragraph {n} says <this> & that. " * 12 for n in range(40)]
    article = replace(ARTICLE, body="\n\n".join(p.strip() for p in paragraphs))
    messages = render.render_full_article(article)
    assert len(messages) > 1
    assert all(telegram_length(m) <= MESSAGE_LIMIT for m in messages)
    assert messages[0].startswith("<b>Profits &amp; losses")
    assert messages[-1].endswith(f"<i>({len(messages)}/{len(messages)})</i>")
    joined = "\n\n".join(m.rsplit("\n\n<i>(", 1)[0] for m in messages)
    assert joined.count("Paragraph 39 says &lt;this&gt; &amp; that.") == 12


def test_short_article_is_one_message_with_subtitle():
    [message] = render.render_full_article(ARTICLE)
    assert "<i>Sub &amp; title</i>" in message
    assert message.endswith("Second &amp; last paragraph.")


def test_import_report_lists_failures_escaped():
    report = ImportReport(added=2, updated=1, unchanged=3,
                          failed=[ImportFailure("seeds/<bad>.txt", 4, "line 4 must be blank")])
    text = render.render_import_report(report)
    assert text.splitlines()[1:5] == ["Added: 2", "Updated: 1", "Unchanged: 3", "Failed: 1"]
    assert "<code>seeds/&lt;bad&gt;.txt:4</code> — line 4 must be blank" in text


def test_long_lists_still_fit_one_message():
    report = ImportReport(failed=[ImportFailure("x" * 300, 1, "y" * 300)] * 50)
    assert telegram_length(render.render_import_report(report)) <= MESSAGE_LIMIT


def test_latest_is_one_escaped_numbered_list_with_a_button_row_per_item():
    second = replace(ARTICLE, id="def456", title="Plain title", tags=())
    [message] = render.render_latest([(ARTICLE, SUMMARY), (second, SUMMARY)], tag="M&A")
    assert message.text.startswith("<b>Latest news</b> tagged “M&amp;A”\n\n"
                                   "<b>1. Profits &amp; losses: \"&lt;Q3&gt;\" results</b>\n")
    assert "<b>2. Plain title</b>" in message.text
    assert "Shares rose &lt;5%&gt; &amp; fell." in message.text
    assert [[(b.text, b.data) for b in row] for row in message.rows] == [
        [("Full text 1", "full:abc123"), ("Follow M&A", "follow:abc123")],
        [("Full text 2", "full:def456")],
    ]
    assert message.article_ids == ["abc123", "def456"]


def test_a_long_latest_list_splits_between_items_and_keeps_their_buttons():
    long_summary = Summary(tuple(f"Sentence {n} says a great deal & more." * 8
                                 for n in range(3)), "default", "english")
    briefs = [(replace(ARTICLE, id=f"id{n}", title=f"Story {n}"), long_summary)
              for n in range(20)]
    messages = render.render_latest(briefs)
    assert len(messages) > 1
    assert all(telegram_length(m.text) <= MESSAGE_LIMIT for m in messages)
    assert [i for m in messages for i in m.article_ids] == [f"id{n}" for n in range(20)]
    for message in messages:
        numbers = [int(row[0].text.split()[-1]) for row in message.rows]
        assert [f"<b>{n}. Story {n - 1}</b>" in message.text for n in numbers] == [True] * len(
            numbers)
        assert len(numbers) == message.text.count("</b>\n<i>")
