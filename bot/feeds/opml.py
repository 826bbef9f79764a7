"""OPML 2.0 import and export of followed feeds. Pure: text in, ``FeedSettings`` out.

Import reads what other readers write: every ``<outline>`` with an ``xmlUrl`` is a feed, its
name from ``title`` or ``text``, its category from the enclosing folder outline (how Feedly,
Inoreader, Miniflux and FreshRSS keep categories). Export writes feeds in one folder per
category, so those readers keep the category too, and newsbot's own settings as attributes in
the ``newsbot`` namespace, which readers ignore and newsbot reads back::

    <outline type="rss" text="Courier" xmlUrl="..." newsbot:tags="Port Amsel,Weather"
             newsbot:category="Local" newsbot:interval="30" newsbot:fullText="true"/>

XML comes through the standard library's expat, which reads no external entities and (since
expat 2.4) refuses entity-expansion bombs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from bot.articles import normalise_tags
from bot.feeds.address import is_http_url
from bot.feeds.errors import OpmlFormatError
from bot.feeds.model import DEFAULT_INTERVAL, MIN_INTERVAL, FeedSettings

NEWSBOT_NS = "urn:x-newsbot:opml:1"
_ATTR = "{" + NEWSBOT_NS + "}"


def _attr(outline: ET.Element, name: str) -> str:
    return (outline.get(_ATTR + name) or "").strip()


def _interval(raw: str, path: str) -> timedelta:
    if not raw:
        return DEFAULT_INTERVAL
    if not raw.isdigit() or int(raw) < 1:
        raise OpmlFormatError(path, f"newsbot:interval must be whole minutes ≥ 1, got {raw!r}")
    return max(timedelta(minutes=int(raw)), MIN_INTERVAL)


def parse_opml(text: str | bytes, path: str = "<opml>") -> list[FeedSettings]:
    """The feeds an OPML document lists, in document order, each URL once.

    Raises OpmlFormatError (with the line for XML errors) for malformed XML, a root that is
    not ``<opml>``, a missing ``<body>`` or a feed URL that is not http(s).
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise OpmlFormatError(path, f"not well-formed XML: {exc.msg}", exc.position[0]) from None
    if root.tag != "opml":
        raise OpmlFormatError(path, f"root element is <{root.tag}>, expected <opml>")
    body = root.find("body")
    if body is None:
        raise OpmlFormatError(path, "no <body> element")
    feeds: list[FeedSettings] = []
    seen: set[str] = set()

    def walk(parent: ET.Element, folder: str) -> None:
        for outline in parent.findall("outline"):
            url = (outline.get("xmlUrl") or "").strip()
            title = (outline.get("title") or outline.get("text") or "").strip()
            if not url:
                walk(outline, title or folder)
                continue
            if not is_http_url(url):
                raise OpmlFormatError(path, f"feed {title or url!r}: xmlUrl {url!r} is not http(s)")
            if url in seen:
                continue
            seen.add(url)
            feeds.append(FeedSettings(
                url=url,
                name="" if title == url else title,
                tags=normalise_tags(_attr(outline, "tags").split(",")),
                category=_attr(outline, "category") or folder,
                interval=_interval(_attr(outline, "interval"), path),
                full_text=_attr(outline, "fullText").lower() in {"true", "1", "yes"},
            ))

    walk(body, "")
    return feeds


def export_opml(feeds: Iterable[FeedSettings], title: str = "newsbot feeds",
                now: datetime | None = None) -> str:
    """An OPML 2.0 document of ``feeds``: one folder outline per category (in order of first
    appearance; uncategorised feeds at the top level), newsbot's settings as attributes."""
    ET.register_namespace("newsbot", NEWSBOT_NS)
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.category:
            parent = folders.get(feed.category)
            if parent is None:
                parent = ET.SubElement(body, "outline",
                                       {"text": feed.category, "title": feed.category})
                folders[feed.category] = parent
        name = feed.name or feed.url
        attributes = {"type": "rss", "text": name, "title": name, "xmlUrl": feed.url}
        if feed.tags:
            attributes[_ATTR + "tags"] = ",".join(feed.tags)
        if feed.category:
            attributes[_ATTR + "category"] = feed.category
        if feed.interval != DEFAULT_INTERVAL:
            attributes[_ATTR + "interval"] = str(int(feed.interval.total_seconds() // 60))
        if feed.full_text:
            attributes[_ATTR + "fullText"] = "true"
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
