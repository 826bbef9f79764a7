"""Entry HTML → clean paragraphs; titles → plain text."""

from __future__ import annotations

import pytest

from bot.feeds.text import html_paragraphs, plain_title


def test_empty_and_blank():
    assert html_paragraphs("") == []
    assert html_paragraphs("  \n ") == []
    assert html_paragraphs("<p> </p><div><br></div>") == []


def test_blocks_become_paragraphs_and_breaks_lines():
    assert html_paragraphs("<h2>Heading</h2><p>First  line<br/>second\nline</p><ul><li>one"
                           "</li><li>two</li></ul>tail") == [
        "Heading", "First line\nsecond line", "one", "two", "tail"]


def test_scripts_styles_pixels_and_comments_vanish():
    markup = ('<p>Kept<script>track()</script> text<!-- a comment --> here.</p>'
              '<style>p{}</style><noscript><img src="http://t.example/p.gif"></noscript>'
              '<img src="http://t.example/pixel.gif" width="1" height="1" alt="">'
              '<iframe src="http://ads.example/"></iframe>')
    assert html_paragraphs(markup) == ["Kept text here."]


@pytest.mark.parametrize("boilerplate", [
    '<p><a href="/x">Read more</a></p>',
    '<p><a href="/x">Continue reading →</a></p>',
    "<p>The post <a href='/x'>Harbour reopens</a> appeared first on <a href='/'>Courier</a>.</p>",
    '<p><a href="/x">Читати далі</a></p>',
    '<p>Читать далее…</p>',
])
def test_read_more_boilerplate_is_dropped(boilerplate: str):
    assert html_paragraphs("<p>The harbour reopened.</p>" + boilerplate) == [
        "The harbour reopened."]


def test_inline_read_more_link_and_ellipsis_tail_are_dropped():
    assert html_paragraphs('Ships queued since Friday [&#8230;] <a href="/x">Read more</a>') == [
        "Ships queued since Friday"]


def test_entities_and_angle_brackets_in_text():
    assert html_paragraphs("<p>Tom &amp; Jerry &lt;3 &#x41A;иїв</p>") == ["Tom & Jerry <3 Київ"]
    assert html_paragraphs("Plain text with 2 < 3 & no tags\n\nSecond") == [
        "Plain text with 2 < 3 & no tags", "Second"]


@pytest.mark.parametrize(("raw", "plain"), [
    ("&#x0024;4300 &#8230; 1930ft<sup>2</sup>", "$4300 … 1930ft²"),
    ("$4300 … 1930ft&lt;sup&gt;2&lt;/sup&gt;", "$4300 … 1930ft²"),
    ("Harbour <em>reopens</em>\n  after   storm", "Harbour reopens after storm"),
    ("Tom &amp;amp; Jerry", "Tom & Jerry"),
    ("2 < 3, says maths teacher", "2 < 3, says maths teacher"),
    ("<script>x()</script>Title", "Title"),
    ("Line one<br>line two", "Line one line two"),
    ("", ""),
])
def test_plain_title(raw: str, plain: str):
    assert plain_title(raw) == plain
