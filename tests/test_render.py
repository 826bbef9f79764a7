import html
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import render
from bot.errors import (
    CHANNEL_REFUSALS,
    ArgumentOutOfRange,
    ArticleNotFound,
    ChannelRefused,
    EmptyArgument,
    InvalidDigestTime,
    StoreError,
    TooBroadSearch,
    TooManySearches,
    UnknownTimezone,
)
from bot.models import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Article,
    Channel,
    Digest,
    DigestItem,
    ImportFailure,
    ImportReport,
    SearchHit,
    SearchPage,
    Summary,
    TagCount,
)
from bot.render import CALLBACK_LIMIT, MESSAGE_LIMIT, telegram_length

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
    assert render.pack([exact]) == [exact]
    over = "a" * (MESSAGE_LIMIT + 1)
    parts = render.pack([over])
    assert [len(p) for p in parts] == [MESSAGE_LIMIT, 1]


def test_split_prefers_paragraphs_then_sentences_and_never_cuts_entities():
    paragraph = "Sentence one & two. " * 150  # escaped: about 3,600 characters
    blocks = [render.escape(paragraph.strip())] * 3
    parts = render.pack(blocks)
    assert len(parts) == 3
    assert all(p == blocks[0] for p in parts)
    huge = render.escape(("Word & word. " * 800).strip())
    pieces = render.pack([huge])
    assert all(telegram_length(p) <= MESSAGE_LIMIT for p in pieces)
    assert all(p.endswith("word.") for p in pieces)
    assert all("&amp;" in p and not p.endswith("&") for p in pieces)
    assert " ".join(pieces).replace("\n\n", " ") == huge


def test_utf16_length_counts_emoji_twice():
    assert telegram_length("😀") == 2
    emoji_block = "😀" * 2100  # 4,200 UTF-16 units
    parts = render.pack([emoji_block])
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


# -- every message fits Telegram, whatever the input -------------------------------------------

TELEGRAM_ENTITIES = {"lt", "gt", "amp", "quot"}


class _TelegramHTML(HTMLParser):
    """Checks what Telegram's HTML parse mode would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in {"b", "i", "code"} and not attrs, tag
        self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        raise AssertionError(f"self-closing <{tag}/>")

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()

    def handle_data(self, data):
        assert not set(data) & set("<>&"), data
        self.visible.append(data)

    def handle_entityref(self, name):
        assert name in TELEGRAM_ENTITIES, name
        self.visible.append("x")

    def handle_charref(self, name):
        raise AssertionError(f"render writes no numeric entities: &#{name};")

    def handle_comment(self, data):
        raise AssertionError("comment")

    def handle_decl(self, decl):
        raise AssertionError("declaration")

    def handle_pi(self, data):
        raise AssertionError("processing instruction")

    def unknown_decl(self, data):
        raise AssertionError("declaration")


def assert_sendable(text: str) -> None:
    """≤ 4,096 UTF-16 units, well-formed HTML with Telegram's tags and entities, not blank."""
    assert telegram_length(text) <= MESSAGE_LIMIT, telegram_length(text)
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    assert parser.open == [], parser.open
    assert "".join(parser.visible).strip()


def short_or_huge(min_size: int = 0) -> st.SearchStrategy[str]:
    """Any text: short, or a short text repeated into tens of thousands of characters."""
    return st.one_of(
        st.text(min_size=min_size, max_size=40),
        st.builds(lambda part, times: part * times,
                  st.text(min_size=1, max_size=12), st.integers(300, 50_000)),
    )


titles = short_or_huge(min_size=1).filter(str.strip)
tag_lists = st.one_of(
    st.lists(short_or_huge(min_size=1), max_size=5),
    st.builds(lambda tag, count: [f"{tag}{n}" for n in range(count)],
              st.text(min_size=1, max_size=8), st.integers(100, 20_000)),
)
summaries = st.builds(lambda sentences: Summary(tuple(sentences), "default", "english"),
                      st.lists(short_or_huge(), max_size=3))
articles = st.builds(
    lambda title, tags, body, source, subtitle: replace(
        ARTICLE, title=title, tags=tuple(tags), body=body or "x", source=source,
        subtitle=subtitle),
    titles, tag_lists, short_or_huge(), short_or_huge(), short_or_huge(),
)
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
languages = st.sampled_from(render.languages())  # every language's wording must fit too


@PROPERTY
@given(articles, summaries, st.text(max_size=50), languages)
def test_any_card_and_full_article_is_sendable(article, summary, note, language):
    assert_sendable(render.render_card(article, summary, render.escape(note), language))
    messages = render.render_full_article(article, language)
    assert messages
    for message in messages:
        assert_sendable(message)


@PROPERTY
@given(st.lists(st.tuples(articles, summaries), min_size=1, max_size=4),
       st.one_of(st.none(), short_or_huge(min_size=1).filter(str.strip)), languages)
def test_any_latest_list_and_digest_is_sendable_with_every_item_and_button(briefs, tag,
                                                                           language):
    briefs = [(replace(a, id=f"id{n}"), s) for n, (a, s) in enumerate(briefs)]
    messages = render.render_latest(briefs, tag, language)
    assert [i for m in messages for i in m.article_ids] == [a.id for a, _ in briefs]
    digest = Digest(1, [DigestItem(a, a.tags[:3] or ("x",), s) for a, s in briefs],
                    more=3, more_tag=tag, upto_seq=9)
    messages += render.render_digest(digest, language)
    for message in messages:
        assert_sendable(message.text)
        for button in message.buttons:
            assert 1 <= len(button.data.encode()) <= CALLBACK_LIMIT


@PROPERTY
@given(st.lists(st.tuples(articles, st.text(max_size=300)), min_size=1, max_size=5),
       short_or_huge(min_size=1), languages)
def test_any_search_page_is_sendable(hits, query, language):
    page = SearchPage(query, [SearchHit(replace(a, id=f"id{n}"), s, 0.0)
                              for n, (a, s) in enumerate(hits)], 0, 5, True)
    assert_sendable(render.render_search_page(page, {}, language))
    assert_sendable(render.render_no_results(query, language))


@PROPERTY
@given(st.lists(short_or_huge(min_size=1), max_size=30), short_or_huge(min_size=1),
       languages)
def test_any_command_argument_gives_a_sendable_answer(tags, argument, language):
    many = tags * 40
    assert_sendable(render.render_subscribed(tags, many, tags, language))
    assert_sendable(render.render_subscriptions(many, language))
    assert_sendable(render.render_tags([TagCount(t, 3) for t in many], language))
    assert_sendable(render.render_unsubscribed(None, argument, language))
    assert_sendable(render.render_unsubscribed(argument, argument, language))
    assert_sendable(render.render_no_latest(argument, language))
    for error in (ArticleNotFound(argument), UnknownTimezone(argument),
                  InvalidDigestTime(argument), ArgumentOutOfRange("count", argument, 1, 20),
                  EmptyArgument("tags")):
        for command in (None, *render.USAGES):
            assert_sendable(render.render_error(error, command, language))
        assert 0 < len(render.error_alert(error, language)) <= 200
    assert len(render.follow_alert(True, argument, language)) <= 200
    assert len(render.unfollow_alert(None, argument, language)) <= 200
    for button in render.tag_buttons([argument, *tags], "tag", render.FOLLOW_TAG, language):
        assert len(button.data.encode()) <= CALLBACK_LIMIT


channels = st.builds(lambda n, title, username: Channel(-1006000 - n, title, username),
                     st.integers(0, 10**6), titles,
                     st.one_of(st.none(), st.from_regex(r"[A-Za-z][A-Za-z0-9_]{3,31}",
                                                         fullmatch=True)))


@PROPERTY
@given(st.lists(channels, min_size=1, max_size=30), st.lists(short_or_huge(min_size=1),
                                                             max_size=30), languages)
def test_any_channel_answer_is_sendable_and_its_buttons_fit(managed, tags, language):
    channel = managed[0]
    answer = render.render_subscriptions(tags * 40, language)
    headed = render.for_target(answer, channel)
    assert_sendable(headed)
    assert headed.startswith("📣 <b>")
    assert render.for_target(answer, None) == answer  # a chat's own answers have no heading
    for text in (render.render_channel_selected(channel, language),
                 render.render_channel_status(channel, language),
                 render.render_channel_status(None, language),
                 render.render_channel_off(channel, language),
                 render.render_channels(managed * 20, channel, language),
                 render.render_channels([], None, language)):
        assert_sendable(text)
    for reason in CHANNEL_REFUSALS:
        refused = ChannelRefused(reason, channel.title)
        assert_sendable(render.render_error(refused, "channel", language))
        assert 0 < len(render.error_alert(refused, language)) <= 200
    assert len(render.render_not_channel_admin(channel, language)) <= 200
    for tag in tags:
        followed = render.alert_for_target(render.follow_alert(True, tag, language), channel)
        assert followed.startswith("📣 ") and len(followed) <= 200
    for button in render.channel_buttons(managed, channel, language):
        assert 1 <= len(button.data.encode()) <= CALLBACK_LIMIT


@PROPERTY
@given(st.lists(st.tuples(articles, summaries), min_size=1, max_size=4),
       st.text(alphabet="abcXYZ019_-.:/ ", min_size=1, max_size=80), languages)
def test_a_channels_digest_links_full_text_to_the_bots_private_chat(briefs, article_id,
                                                                    language):
    briefs = [(replace(a, id=f"{article_id}{n}"), s) for n, (a, s) in enumerate(briefs)]
    digest = Digest(1, [DigestItem(a, ("x",), s) for a, s in briefs], more=0, more_tag=None,
                    upto_seq=9)
    payloads = []
    for message in render.render_digest(digest, language, bot_username="newsbot_test_bot"):
        assert_sendable(message.text)
        for button in message.buttons:  # links only: a press never posts into the channel
            assert button.data is None
            payloads.append(button.url.removeprefix("https://t.me/newsbot_test_bot?start="))
    # Every id Telegram accepts as a start parameter gets its link, and no other.
    assert payloads == [a.id for a, _ in briefs
                        if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", a.id)]


@PROPERTY
@given(st.lists(st.sampled_from(["<b>", "</b>", "<i>", "</i>", "&amp;", "&lt;", " ", ". ",
                                 "word", "Ї", "😀", "\n"]), max_size=400),
       st.integers(1, 300))
def test_shorten_and_split_keep_any_balanced_fragment_well_formed(pieces, limit):
    fragment, depth = "", []
    for piece in pieces:  # drop closing tags that would not balance
        if piece in ("</b>", "</i>"):
            if not depth or depth[-1] != piece[2]:
                continue
            depth.pop()
        elif piece in ("<b>", "<i>"):
            if piece[1] in depth:
                continue
            depth.append(piece[1])
        fragment += piece
    fragment += "".join(f"</{t}>" for t in reversed(depth))
    short = render.shorten(fragment, limit)
    assert telegram_length(short) <= limit
    if short.strip():
        _balanced(short)
    for part in render.split(fragment, limit):
        assert telegram_length(part) <= limit
        _balanced(part)


@PROPERTY
@given(st.sampled_from(["", "<b>", "<b><i>", "<i>"]), st.integers(1, 6000), st.integers(1, 300))
def test_one_long_word_in_tags_is_cut_inside_the_word_not_dropped(tags, length, over):
    closing = "".join(f"</{t[1]}>" for t in reversed(tags.split(">")[:-1]))
    fragment = f"{tags}{'0' * length}{closing}"
    # ``over`` characters too long, with room left for one character and «…» at least.
    limit = max(len(tags) + len(closing) + 2, len(fragment) - over)
    short = render.shorten(fragment, limit)
    assert telegram_length(short) <= limit
    assert short.startswith(tags + "0") and short.endswith(closing)
    _balanced(short)


def test_a_card_whose_title_fills_the_message_keeps_its_title():
    card = render.render_card(replace(ARTICLE, title="00" * 2045, tags=(), subtitle=""),
                              Summary((), "default", "english"))
    assert_sendable(card)
    assert card.startswith("<b>0000") and card.endswith("…</b>")


def _balanced(text: str) -> None:
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    assert parser.open == []


# -- the cases that went over 4,096 -------------------------------------------------------------


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def test_an_item_longer_than_a_message_keeps_its_title_and_sheds_tags_then_summary():
    huge_tags = replace(ARTICLE, id="t", title="Tags galore", tags=tuple(
        f"tag{n}" for n in range(20_000)))
    big_tag = replace(ARTICLE, id="b", title="One big tag", tags=("x" * 500_000,))
    no_stop = Summary(("word " * 2_000,), "default", "english")
    briefs = [(ARTICLE, SUMMARY), (huge_tags, SUMMARY), (big_tag, no_stop)]
    messages = render.render_latest(briefs)
    for message in messages:
        assert_sendable(message.text)
    text = "\n".join(m.text for m in messages)
    assert "<b>2. Tags galore</b>" in text and "<b>3. One big tag</b>" in text
    assert "Tags: tag0, tag1, tag2" in text and "…" in text
    assert "<b>3." not in visible(text)  # the HTML was shown as text before
    long_title = replace(ARTICLE, title="Title " * 2_000)
    [card] = [render.render_card(long_title, SUMMARY)]
    assert_sendable(card)
    assert card.startswith("<b>Title Title") and card.endswith("…</b>")


def test_a_full_article_header_is_html_not_text():
    article = replace(ARTICLE, tags=tuple(f"tag{n}" for n in range(20_000)),
                      body="no sentence end " * 2_000)
    messages = render.render_full_article(article)
    for message in messages:
        assert_sendable(message)
    assert messages[0].startswith("<b>Profits &amp; losses")
    assert "<b>" not in visible(messages[0])


def test_a_digest_links_each_article_with_a_page_to_its_source():
    def rows(items):
        [message] = render.render_digest(Digest(1, items, more=0, more_tag=None, upto_seq=5))
        return [[(b.text, b.url) for b in row] for row in message.rows]

    plain = [DigestItem(replace(ARTICLE, id=f"d{n}"), ("Economy",), SUMMARY) for n in range(4)]
    assert rows(plain) == [  # no pages: «Full text N», three to a row
        [("Full text 1", None), ("Full text 2", None), ("Full text 3", None)],
        [("Full text 4", None)]]
    paged = replace(ARTICLE, id="d9", url="https://courier.example/news/9")
    assert rows([DigestItem(paged, ("Economy",), SUMMARY), *plain[:2]]) == [  # a row each
        [("Full text 1", None), ("Read at source 1", "https://courier.example/news/9")],
        [("Full text 2", None)], [("Full text 3", None)]]


def test_a_digest_whose_first_item_nearly_fills_a_message_still_fits():
    summary = Summary(("A long sentence goes on. " * 160,), "default", "english")  # 4,000
    items = [DigestItem(replace(ARTICLE, id=f"d{n}"), ("Economy",), summary) for n in range(3)]
    messages = render.render_digest(Digest(1, items, more=2, more_tag="Economy", upto_seq=5))
    for message in messages:
        assert_sendable(message.text)
    assert [i for m in messages for i in m.article_ids] == ["d0", "d1", "d2"]
    assert messages[-1].text.endswith("…and 2 more — /latest Economy")


def test_subscribe_and_unsubscribe_answers_with_huge_tags_fit():
    for added, unknown in [(["x" * 4_000], ["x" * 4_000]),
                           ([f"tag {n}" for n in range(1_000)],) * 2]:
        text = render.render_subscribed(added, [], unknown)
        assert_sendable(text)
        assert text.startswith("Now following: ") and text.endswith("See /subscriptions.")
    assert_sendable(render.render_unsubscribed(None, "x" * 4_100))


def test_article_not_found_with_a_4080_character_id_fits():
    text = render.render_error(ArticleNotFound("x" * 4_080), "article")
    assert_sendable(text)
    assert text.startswith("No article with id 'xxx") and text.endswith("…'.")


def test_errors_are_worded_here_with_the_commands_usage():
    assert render.render_error(UnknownTimezone("Mars/Base"), "timezone") == (
        "Unknown timezone “Mars/Base”.\n" + render.TIMEZONE_USAGE)
    assert render.render_error(InvalidDigestTime("7:0٥"), "digest_time") == (
        render.DIGEST_TIME_USAGE)
    assert render.render_error(ArgumentOutOfRange("count", "²", 1, 20), "latest") == (
        render.LATEST_USAGE)
    assert render.render_error(EmptyArgument("tags"), "subscribe") == render.SUBSCRIBE_USAGE
    assert render.render_error(ArgumentOutOfRange("offset", 10**20, 0, 10**8)) == (
        "That page is past the last result.")
    assert render.error_alert(ArticleNotFound("x")) == "That article is no longer available."
    assert render.render_error(StoreError("/secret/path.db locked")) == (
        "The news store is not available right now; please try again later.")


def test_a_tag_with_a_comma_is_one_button_carrying_the_whole_tag():
    [button] = render.tag_buttons(["Rates, Bonds"], "tag", render.FOLLOW_TAG)
    assert (button.text, button.data) == ("Follow Rates, Bonds", "tag:Rates, Bonds")
    comma_first = replace(ARTICLE, tags=("Rates, Bonds", "Economy"))
    assert [b.data for b in render.article_buttons(comma_first)] == [
        "full:abc123", "follow:abc123"]


def test_costly_and_concurrent_searches_are_worded_for_chat_alert_and_inline():
    prefixes = TooBroadSearch(9, 8)
    over_budget = TooBroadSearch(0, 8, budget=0.25)
    busy = TooManySearches(2)
    assert render.render_error(prefixes, "search") == (
        "That search is too broad — try fewer prefix* terms.")
    assert render.render_error(TooBroadSearch(3, 8, budget=0.25), "search") == (
        "That search is too broad — try fewer prefix* terms.")
    assert render.render_error(over_budget, "search") == (
        "That search is too broad — try fewer or more specific words.")
    assert render.render_error(busy, "search") == (
        "One moment — you already have searches running.")
    assert render.error_alert(busy) == "One moment — you already have searches running."
    assert render.inline_notice(prefixes) == "That search is too broad — try fewer prefix* terms."
    for error in (prefixes, over_budget, busy):
        assert 0 < len(render.inline_notice(error)) <= 64


def test_an_article_with_a_page_gets_a_source_button_and_an_escaped_link():
    linked = replace(ARTICLE, url='https://news.example/a?x=1&y="2"')
    [_header, link, *_] = render.render_full_article(linked)[0].split("\n\n")
    assert link == '<a href="https://news.example/a?x=1&amp;y=&quot;2&quot;">Read at source</a>'
    assert [(b.text, b.data, b.url) for b in render.article_buttons(linked, 2)][-1] == (
        "Read at source 2", None, 'https://news.example/a?x=1&y="2"')
    [listing] = render.render_latest([(linked, SUMMARY)])
    assert [b.text for b in listing.rows[0]] == ["Full text 1", "Follow M&A", "Read at source 1"]


def test_no_source_link_for_articles_without_an_http_page():
    for url in ("", "javascript:alert(1)", "data:text/html,x", "https://x.example/" + "a" * 2100):
        article = replace(ARTICLE, url=url)
        assert "Read at source" not in "".join(render.render_full_article(article))
        assert render.source_button(article) is None
        assert [b.text for b in render.article_buttons(article)] == ["Full text", "Follow M&A"]


def test_other_outlets_of_a_story_are_named_under_its_meta_line():
    story = replace(ARTICLE, also=("Reuters", "B<B>C"))
    assert render.render_card(story, SUMMARY).splitlines()[1:3] == [
        "<i>1 Mar 2025, 09:30 · Port &lt;Amsel&gt; &amp; Co · World news</i>",
        "also: Reuters, B&lt;B&gt;C"]
    [listing] = render.render_latest([(story, SUMMARY)])
    assert "\nalso: Reuters, B&lt;B&gt;C\n" in listing.text
    many = replace(ARTICLE, also=tuple(f"Outlet {n}" for n in range(8)))
    assert "also: Outlet 0, Outlet 1, Outlet 2, Outlet 3, Outlet 4 and 3 more" in (
        render.render_card(many, SUMMARY))
    digest = Digest(1, [DigestItem(story, ("M&A",), SUMMARY)], 0, None, 1)
    assert "also: Reuters, B&lt;B&gt;C" in render.render_digest(digest)[0].text
    page = SearchPage("q", [SearchHit(story, "", 0.0)], 0, 5, False)
    assert "also: Reuters, B&lt;B&gt;C" in render.render_search_page(page, {})
