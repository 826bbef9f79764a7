"""OPML: import from other readers, export that they import, round trip of newsbot's fields."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.feeds.errors import OpmlFormatError
from bot.feeds.model import FeedSettings
from bot.feeds.opml import export_opml, parse_opml
from tests.feeds.conftest import FIXTURES

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

FEEDS = [
    FeedSettings("https://courier.example/rss", name="Courier <Port Amsel> & Co",
                 tags=("Port Amsel", "Weather"), category="Local news",
                 interval=timedelta(minutes=30), full_text=True),
    FeedSettings("https://lisohrad.example/atom.xml", name="Лісоград сьогодні",
                 tags=("Лісоград",), category="Україна"),
    FeedSettings("https://quillon.example/feed.json", category="Local news"),
    FeedSettings("http://plain.example/rss.xml?x=1&y=2"),
]


def test_round_trip_keeps_every_setting():
    # Feeds come back folder by folder: the order within a category is kept.
    assert parse_opml(export_opml(FEEDS)) == [FEEDS[0], FEEDS[2], FEEDS[1], FEEDS[3]]


def test_export_is_plain_opml_other_readers_import():
    root = ET.fromstring(export_opml(FEEDS, now=datetime(2025, 6, 10, tzinfo=UTC)))
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/dateCreated") == "Tue, 10 Jun 2025 00:00:00 GMT"
    body = root.find("body")
    # Categories are folders, the way readers keep them; feeds carry text, type and xmlUrl.
    assert [o.get("text") for o in body.findall("outline")] == [
        "Local news", "Україна", "http://plain.example/rss.xml?x=1&y=2",
    ]
    local = body.findall("outline")[0].findall("outline")
    assert [(o.get("type"), o.get("text"), o.get("xmlUrl")) for o in local] == [
        ("rss", "Courier <Port Amsel> & Co", "https://courier.example/rss"),
        ("rss", "https://quillon.example/feed.json", "https://quillon.example/feed.json"),
    ]


def test_import_from_another_reader_takes_folders_as_categories():
    feeds = parse_opml((FIXTURES / "other-reader.opml").read_bytes(), "other-reader.opml")
    assert [(f.url, f.name, f.category) for f in feeds] == [
        ("https://quillon.example/feed.json", "Quillon Space Notes", "Tech"),
        ("https://harwick.example/atom.xml", "Harwick Engineering", "Tech"),
        ("http://deep.example/rss", "Deep feed", "Nested"),
        ("http://top.example/rss.xml", "Top-level feed", ""),
    ]
    assert all(f.tags == () and not f.full_text and f.interval == timedelta(minutes=15)
               for f in feeds)


def test_seed_feeds_are_real_public_feeds_in_english_and_ukrainian():
    feeds = parse_opml((SEEDS / "feeds.opml").read_bytes(), "seeds/feeds.opml")
    assert len(feeds) >= 6
    assert all(f.url.startswith("https://") for f in feeds)
    assert {f.category for f in feeds} == {"World news", "Україна"}
    assert "Українською" in {t for f in feeds for t in f.tags}


@pytest.mark.parametrize(("text", "reason", "line"), [
    ("<opml><body><outline", "not well-formed XML", 1),
    ("<?xml version='1.0'?>\n<rss/>", "root element is <rss>, expected <opml>", None),
    ("<opml version='2.0'><head/></opml>", "no <body> element", None),
    ("<opml><body><outline text='x' xmlUrl='file:///etc/passwd'/></body></opml>",
     "feed 'x': xmlUrl 'file:///etc/passwd' is not http(s)", None),
    ("<opml xmlns:newsbot='urn:x-newsbot:opml:1'><body><outline xmlUrl='http://a.example/'"
     " newsbot:interval='0'/></body></opml>", "newsbot:interval must be whole minutes", None),
])
def test_bad_opml_names_file_reason_and_line(text: str, reason: str, line: int | None):
    with pytest.raises(OpmlFormatError) as caught:
        parse_opml(text, "feeds.opml")
    assert caught.value.path == "feeds.opml"
    assert caught.value.reason.startswith(reason)
    assert caught.value.line == line
