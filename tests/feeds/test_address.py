"""Canonical URLs and which addresses are public."""

from __future__ import annotations

import pytest

from bot.feeds.address import (
    allow_private_from_env,
    canonical_url,
    is_http_url,
    is_public_address,
    pinned_url,
    resolve_link,
)


@pytest.mark.parametrize(("raw", "canonical"), [
    ("HTTP://News.Example:80/a?utm_source=x&id=3&UTM_Medium=y#top", "http://news.example/a?id=3"),
    ("https://news.example:443", "https://news.example/"),
    ("https://news.example:8443/a?fbclid=1&gclid=2", "https://news.example:8443/a"),
    ("https://news.example/a?b=&c=%D0%BA", "https://news.example/a?b=&c=%D0%BA"),
    ("https://news.example/київ", "https://news.example/київ"),
])
def test_canonical_url(raw: str, canonical: str):
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2001:4860:4860::8888", True),
    ("127.0.0.1", False), ("10.0.0.5", False), ("172.16.3.4", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("::1", False), ("fe80::1%eth0", False), ("fc00::1", False),
    ("::ffff:127.0.0.1", False), ("0.0.0.0", False), ("100.64.0.1", False), ("224.0.0.1", False),
])
def test_is_public_address(address: str, public: bool):
    assert is_public_address(address) is public


def test_allow_private_from_env():
    assert allow_private_from_env({"NEWSBOT_ALLOW_PRIVATE_URLS": "1"})
    assert not allow_private_from_env({"NEWSBOT_ALLOW_PRIVATE_URLS": "0"})
    assert not allow_private_from_env({})


def test_pinned_url_swaps_the_host_for_the_checked_address():
    assert pinned_url("https://news.example/a?b=1#x", "2001:db8::1") == "https://[2001:db8::1]/a?b=1"
    assert pinned_url("http://news.example:8080/feed", "192.0.2.7") == "http://192.0.2.7:8080/feed"


def test_a_link_no_parser_can_read_is_no_link():
    assert resolve_link("http://courier.example/feed", "http://[::1") == ""
    assert is_http_url("http://[::1") is False
    assert resolve_link("http://courier.example/feed", "/news/1") == (
        "http://courier.example/news/1")
