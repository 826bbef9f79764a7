"""Feed documents → entries: formats, encodings, titles, bodies, links, dates and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.feeds.entry import keep_first_seen
from bot.feeds.errors import FeedFormatError
from bot.feeds.model import FeedSettings
from bot.feeds.parsing import parse_feed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FIRST_SEEN = datetime(2025, 6, 11, 12, 0, tzinfo=UTC)
RSS_URL = "http://courier.example/feeds/main.rss"


def parse(name: str, url: str = RSS_URL, content_type: str = "application/rss+xml", **kw):
    return parse_feed((FIXTURES / name).read_bytes(), url,
                      headers={"Content-Type": content_type}, first_seen=FIRST_SEEN, **kw)


def test_rss_entry_maps_to_an_article():
    feed = parse("rss2.xml")
    assert feed.format == "rss20"
    assert feed.warning is None
    article = feed.entries[0].article
    assert article.title == "Harbour reopens after storm"
    assert article.url == "http://courier.example/news/harbour-reopens?page=2"
    assert article.published == datetime(2025, 6, 10, 9, 30, tzinfo=timezone(timedelta(hours=3)))
    assert article.published.utcoffset() == timedelta(hours=3)
    assert article.source == "Port Amsel Courier"
    assert article.category == "Port Amsel"
    assert article.tags == ("Port Amsel", "Weather")
    assert article.body == (
        "The harbour reopened on Monday after three days of gales.\n\n"
        "Ships that queued outside since Friday were let in one by one."
    )
    assert article.subtitle == ""  # the description is the body's first words


def test_title_entities_and_markup_become_plain_text():
    article = parse("rss2.xml").entries[1].article
    assert article.title == "$4300 … 1930ft² flat in the old town"
    assert article.url == "http://courier.example/homes/4300"


def test_title_without_text_is_a_title_only_entry():
    entry = parse("rss2.xml").entries[1]
    assert entry.title_only
    assert entry.article.body == ""
    assert entry.published_known


def test_entry_without_title_is_skipped_with_reason():
    feed = parse("rss2.xml")
    assert [(s.position, s.guid, s.reason) for s in feed.skipped] == [
        (2, "courier-1003", "no title")
    ]
    assert len(feed.entries) == 3


def test_missing_date_falls_back_to_first_seen_and_says_so():
    entry = parse("rss2.xml").entries[2]
    assert entry.article.title == "Ferry timetable changes"
    assert entry.article.published == FIRST_SEEN
    assert not entry.published_known


def test_admin_name_category_and_tags_win_and_merge():
    settings = FeedSettings(url=RSS_URL, name="Courier", category="Local",
                            tags=("weather", "Amsel"))
    article = parse("rss2.xml", settings=settings).entries[0].article
    assert article.source == "Courier"
    assert article.category == "Local"
    assert article.tags == ("Port Amsel", "Weather", "Amsel")


def test_article_id_is_stable_and_comes_from_url_else_feed_and_guid():
    first = parse("rss2.xml")
    again = parse("rss2.xml")
    assert [e.article.id for e in first.entries] == [e.article.id for e in again.entries]
    # The same absolute link in another feed: same id (relative ones resolve elsewhere).
    other = parse("rss2.xml", url="http://mirror.example/courier.rss")
    assert other.entries[1].article.id == first.entries[1].article.id
    assert other.entries[0].article.url == "http://mirror.example/news/harbour-reopens?page=2"
    # GUID-only entry: the feed's identity is part of the id.
    assert other.entries[2].article.id != first.entries[2].article.id
    moved = parse("rss2.xml", url="http://mirror.example/courier.rss",
                  settings=FeedSettings(url="http://mirror.example/courier.rss", key=RSS_URL))
    assert moved.entries[2].article.id == first.entries[2].article.id


def test_atom_relative_links_html_titles_and_subtitle():
    feed = parse("atom.xml", url="http://lisohrad.example/feed.atom",
                 content_type="application/atom+xml")
    assert feed.format == "atom10"
    article = feed.entries[0].article
    assert article.title == "Нічний тролейбус «14» виходить на маршрут"
    assert article.url == "http://lisohrad.example/articles/nichnyi-troleibus"
    assert article.published == datetime(2025, 6, 10, 7, 45, tzinfo=timezone(timedelta(hours=3)))
    assert article.body == (
        "Перший нічний тролейбус вирушить у п'ятницю о 23:40.\n\n"
        "Маршрут з'єднає вокзал і нові квартали."
    )
    assert article.subtitle == "Перший нічний рейс вирушить у п'ятницю."
    assert article.category == "Транспорт"
    assert article.source == "Лісоград сьогодні"


def test_xml_declared_iso_8859_1():
    article = parse("latin1.xml", content_type="application/rss+xml").entries[0].article
    assert article.title == "Crème brûlée wins the Caldessa fair"
    assert article.body == "The jury in São Bento tasted 40 desserts."
    assert article.source == "Café Gazette"


def test_http_declared_charset():
    feed = parse("cp1251.xml", content_type="application/rss+xml; charset=windows-1251")
    assert feed.title == "Новини Сонцеділа"
    assert feed.entries[0].article.title == "Хлібозавод"
    assert feed.entries[0].article.body == "Текст"


def test_malformed_feed_that_yields_entries_is_accepted_with_warning():
    feed = parse("malformed.xml")
    assert [e.article.title for e in feed.entries] == [
        "Sea wall repairs start & cost more", "Council meets on Thursday",
    ]
    assert feed.warning is not None and "SAXParseException" in feed.warning


def test_json_feed():
    feed = parse("feed.json", url="https://quillon.example/feed.json",
                 content_type="application/feed+json")
    assert feed.format == "json"
    assert feed.title == "Quillon Space Notes"
    first, second = (e.article for e in feed.entries)
    assert first.title == "Satellite launch slips to August"
    assert first.url == "https://quillon.example/launch-delay"
    assert first.published.utcoffset() == timedelta(hours=-4)
    assert first.tags == ("Space", "Quillon")
    assert first.subtitle == "A valve fault delays the launch by a month."
    assert first.body == ("The Quillon-2 satellite will launch in August, not July.\n\n"
                          "Engineers found a fault in a valve.")
    assert second.title == "Ground station finished"
    assert second.body == ("The ground station now tracks two satellites at once.\n\n"
                           "It cost 2 & a half million.")
    assert [(s.position, s.reason) for s in feed.skipped] == [(2, "no title"), (3, "not an object")]


@pytest.mark.parametrize("body", [b"", b"<html><body>hello</body></html>", b"{\"a\": 1}", b"{"])
def test_not_a_feed_raises_with_url(body: bytes):
    with pytest.raises(FeedFormatError) as caught:
        parse_feed(body, "http://x.example/page")
    assert caught.value.url == "http://x.example/page"


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedFormatError):
        parse("not-a-feed.html", content_type="text/html")


def test_undated_entry_polled_again_keeps_its_first_seen_date():
    earlier = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    first = parse("rss2.xml").entries
    again = parse_feed((FIXTURES / "rss2.xml").read_bytes(), RSS_URL,
                       first_seen=FIRST_SEEN + timedelta(minutes=15)).entries
    assert keep_first_seen(again[2], earlier).article.published == earlier
    assert keep_first_seen(again[2], FIRST_SEEN).article == first[2].article
    assert keep_first_seen(again[0], earlier) is again[0]  # dated: as it is
    assert keep_first_seen(again[2], None) is again[2]  # new: as it is


HOSTILE_JSON = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "Odd", "items": ['
                b'{"id": "1", "url": "http://[::1", "title": "Broken link",'
                b' "content_text": "Ships queued.", "date_published": "9999-12-31T23:59:59-05:00"},'
                b'{"id": "2", "url": "https://odd.example/2", "title": "Fine",'
                b' "content_text": "Dockers worked late.",'
                b' "date_published": "2025-06-10T09:30:00Z"}'
                b']}')
HOSTILE_RSS = (b"<rss version='2.0'><channel><title>Odd</title><item><title>Far future</title>"
               b"<link>http://odd.example/far</link>"
               b"<pubDate>Fri, 31 Dec 9999 23:59:59 -0500</pubDate>"
               b"<description>Ships queued.</description></item></channel></rss>")


@pytest.mark.parametrize(("body", "content_type"), [
    (HOSTILE_JSON, "application/feed+json"), (HOSTILE_RSS, "application/rss+xml"),
    # In range for UTC and for feedparser's own date, but not for an offset east of UTC.
    (HOSTILE_RSS.replace(b"23:59:59 -0500", b"12:00:00 +0000"), "application/rss+xml")])
def test_an_unreadable_link_or_an_unshowable_date_costs_the_entry_that_field_only(
        body, content_type):
    feed = parse_feed(body, RSS_URL, headers={"Content-Type": content_type},
                      first_seen=FIRST_SEEN)
    first = feed.entries[0]
    # 9999-12-31 at -05:00 is past what UTC can show: the entry is dated when first seen.
    assert (first.article.published, first.published_known) == (FIRST_SEEN, False)
    first.article.published.astimezone(timezone(timedelta(hours=-12)))  # showable anywhere
    if content_type == "application/feed+json":
        assert first.article.title == "Broken link" and first.article.url == ""
        assert feed.entries[1].article.url == "https://odd.example/2"
