"""Entry HTML → clean text: paragraphs for bodies, one plain line for titles.

Hand-written over lxml.html because feeds need only this: block elements become paragraph
breaks, scripts, styles, images (tracking pixels) and "read more" boilerplate vanish, and
entities are decoded. trafilatura is for whole pages (see ``fulltext``), not feed snippets.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

# Elements whose content is never text a reader should see.
_DROP = frozenset({
    "script", "style", "noscript", "iframe", "object", "embed", "form", "button", "svg",
    "img", "picture", "video", "audio", "source", "template", "head", "title", "meta", "link",
})
_BLOCK = frozenset({
    "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre", "ul",
    "ol", "li", "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
    "figcaption", "hr", "main", "nav", "address",
})
_BREAK = "\x00"  # paragraph boundary while walking; never in decoded text
_LINE = "\x01"  # a <br>: HTML source newlines are only spaces
_SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")

# Whole paragraphs (or links) that are boilerplate, not news: "Read more", "Continue reading
# →", WordPress's "The post … appeared first on …", and the Ukrainian and Russian equivalents.
_BOILERPLATE = re.compile(
    r"^\W*(read more|read the full (story|article)|continue reading|full story|more\W*$"
    r"|the post .* appeared first on|читати далі|читати більше|детальніше|читать далее"
    r"|подробнее)",
    re.IGNORECASE,
)
_ELLIPSIS_TAIL = re.compile(r"\s*(\[(…|\.\.\.|&hellip;)\]|\[\s*\])\s*$")
_MARKUP = re.compile(r"<[A-Za-z/!]")


def _walk(element: etree._Element, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.lower()
    if tag in _DROP or not isinstance(element.tag, str):
        # Comments and processing instructions: skip them, keep the text after them.
        if element.tail:
            out.append(element.tail)
        return
    if tag == "a" and _BOILERPLATE.match(element.text_content().strip()):
        if element.tail:
            out.append(element.tail)
        return
    block = tag in _BLOCK
    if block:
        out.append(_BREAK)
    if tag == "br":
        out.append(_LINE)
    if tag == "sup":
        text = element.text_content()
        out.append(text.translate(_SUPERSCRIPT) if text.isdigit() else text)
    else:
        if element.text:
            out.append(element.text)
        for child in element:
            _walk(child, out)
    if block:
        out.append(_BREAK)
    if element.tail:
        out.append(element.tail)


def _fragment(markup: str) -> etree._Element | None:
    try:
        return lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def html_paragraphs(markup: str) -> list[str]:
    """The text paragraphs of an HTML fragment, whitespace collapsed, boilerplate dropped.

    Plain text (no tags) is split on blank lines instead.
    """
    if not markup or not markup.strip():
        return []
    if not _MARKUP.search(markup):
        raw = html.unescape(markup).replace("\r\n", "\n").split("\n\n")
    else:
        root = _fragment(markup)
        if root is None:
            return []
        out: list[str] = []
        _walk(root, out)
        text = "".join(out).replace("\r", " ").replace("\n", " ").replace(_LINE, "\n")
        raw = text.split(_BREAK)
    paragraphs = []
    for chunk in raw:
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        text = "\n".join(line for line in lines if line)
        text = _ELLIPSIS_TAIL.sub("", text).strip()
        if text and not _BOILERPLATE.match(text):
            paragraphs.append(text)
    return paragraphs


def html_text(markup: str) -> str:
    """An HTML fragment as text: paragraphs separated by blank lines, as ``Article.body``."""
    return "\n\n".join(html_paragraphs(markup))


def plain_title(raw: str) -> str:
    """A title as one line of plain text: entities decoded (twice-escaped ones too), markup
    removed, whitespace collapsed. ``&#x0024;4300 … 1930ft<sup>2</sup>`` → ``$4300 … 1930ft²``.
    """
    text = html.unescape(raw or "")
    if _MARKUP.search(text):
        root = _fragment(text)
        if root is not None:
            out: list[str] = []
            _walk(root, out)
            text = "".join(out).replace(_BREAK, " ").replace(_LINE, " ")
    text = html.unescape(text) if "&" in text else text
    return " ".join(text.split())


def word_count(text: str) -> int:
    return len(text.split())
