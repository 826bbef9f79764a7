"""Fetcher against a real HTTP server on 127.0.0.1: status codes, validators, limits, rules."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.feeds.fetch import Fetcher, FetchLimits, parse_retry_after
from bot.feeds.model import FetchOutcome, Validators
from bot.feeds.parsing import parse_feed
from tests.feeds.conftest import FIXTURES, FeedServer


async def test_ok_returns_body_validators_and_sends_user_agent(feed_server: FeedServer,
                                                                 fetcher: Fetcher):
    validators = {"ETag": '"v1"', "Last-Modified": "Tue, 10 Jun 2025 06:30:00 GMT"}
    url = feed_server.file("/feed.rss", "rss2.xml", headers=validators)
    result = await fetcher.fetch(url)
    assert result.outcome is FetchOutcome.OK
    assert result.body == (FIXTURES / "rss2.xml").read_bytes()
    assert result.validators == Validators('"v1"', "Tue, 10 Jun 2025 06:30:00 GMT")
    assert result.headers["content-type"] == "application/rss+xml"
    sent = feed_server.requests[0][1]
    assert sent["User-Agent"].startswith("newsbot/0.1.0")
    assert "gzip" in sent["Accept-Encoding"]


async def test_conditional_request_gets_304(feed_server: FeedServer, fetcher: Fetcher):
    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(body=b"<rss/>", headers={"ETag": '"v1"'})

    url = feed_server.route("/feed.rss", conditional)
    first = await fetcher.fetch(url)
    second = await fetcher.fetch(url, first.validators)
    assert first.outcome is FetchOutcome.OK
    assert second.outcome is FetchOutcome.NOT_MODIFIED
    assert second.body == b""
    assert feed_server.requests[1][1]["If-None-Match"] == '"v1"'


async def test_if_modified_since_is_sent(feed_server: FeedServer, fetcher: Fetcher):
    url = feed_server.file("/feed.rss", "rss2.xml")
    await fetcher.fetch(url, Validators(last_modified="Tue, 10 Jun 2025 06:30:00 GMT"))
    assert feed_server.requests[0][1]["If-Modified-Since"] == "Tue, 10 Jun 2025 06:30:00 GMT"
    assert "If-None-Match" not in feed_server.requests[0][1]


def redirect(status: int, to: str):
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": to})
    return handler


async def test_permanent_redirects_give_the_url_to_store(feed_server: FeedServer,
                                                        fetcher: Fetcher):
    final = feed_server.file("/new.rss", "rss2.xml")
    feed_server.route("/moved-308", redirect(308, "/new.rss"))
    old = feed_server.route("/old.rss", redirect(301, "/moved-308"))
    result = await fetcher.fetch(old)
    assert result.outcome is FetchOutcome.OK
    assert result.moved_to == final
    assert result.final_url == final


async def test_temporary_hop_means_nothing_to_store(feed_server: FeedServer, fetcher: Fetcher):
    feed_server.file("/new.rss", "rss2.xml")
    feed_server.route("/temp", redirect(302, "/new.rss"))
    old = feed_server.route("/old.rss", redirect(301, "/temp"))
    result = await fetcher.fetch(old)
    assert result.outcome is FetchOutcome.OK
    assert result.moved_to is None
    assert result.final_url == feed_server.url("/new.rss")


async def test_redirect_loop_fails(feed_server: FeedServer, fetcher: Fetcher):
    url = feed_server.route("/loop", redirect(302, "/loop"))
    result = await fetcher.fetch(url)
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "too_many_redirects")
    assert len(feed_server.requests) == 6


async def test_410_is_gone(feed_server: FeedServer, fetcher: Fetcher):
    url = feed_server.route("/gone", lambda r: _status(410))
    result = await fetcher.fetch(url)
    assert (result.outcome, result.status) == (FetchOutcome.GONE, 410)


async def _status(status: int, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, headers=headers or {})


async def test_429_with_retry_after_seconds(feed_server: FeedServer, fetcher: Fetcher):
    url = feed_server.route("/busy", lambda r: _status(429, {"Retry-After": "120"}))
    result = await fetcher.fetch(url)
    assert result.outcome is FetchOutcome.RETRY_LATER
    assert result.error == "http_429"
    assert result.retry_after == timedelta(seconds=120)


async def test_503_without_retry_after(feed_server: FeedServer, fetcher: Fetcher):
    url = feed_server.route("/down", lambda r: _status(503))
    result = await fetcher.fetch(url)
    assert (result.outcome, result.retry_after) == (FetchOutcome.RETRY_LATER, None)


async def test_other_errors_fail_with_status(feed_server: FeedServer, fetcher: Fetcher):
    result = await fetcher.fetch(feed_server.url("/missing"))
    assert (result.outcome, result.error, result.status) == (FetchOutcome.FAILED, "http_404", 404)


def test_retry_after_http_date():
    now = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Tue, 10 Jun 2025 12:05:00 GMT", now) == timedelta(minutes=5)
    assert parse_retry_after("Tue, 10 Jun 2025 11:00:00 GMT", now) == timedelta(0)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


async def test_gzip_body_is_decoded_and_parses(feed_server: FeedServer, fetcher: Fetcher):
    data = (FIXTURES / "rss2.xml").read_bytes()

    async def gzipped(request: web.Request) -> web.Response:
        assert "gzip" in request.headers["Accept-Encoding"]
        return web.Response(body=gzip.compress(data), headers={
            "Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})

    url = feed_server.route("/feed.rss", gzipped)
    result = await fetcher.fetch(url)
    assert result.body == data
    feed = parse_feed(result.body, result.final_url, headers=result.headers)
    assert feed.entries[0].article.title == "Harbour reopens after storm"


async def test_response_over_the_cap_is_cut_off(feed_server: FeedServer):
    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(10):
            await response.write(b"x" * 1000)
        await response.write_eof()
        return response

    url = feed_server.route("/big", streamed)
    async with Fetcher(FetchLimits(max_bytes=4096)) as small:
        result = await small.fetch(url)
        exact = await small.fetch(feed_server.route(
            "/exact", lambda r: web_response(b"y" * 4096)))
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "too_large")
    assert exact.outcome is FetchOutcome.OK and len(exact.body) == 4096


async def web_response(body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=body, headers=headers or {})


async def test_gzip_bomb_is_capped_on_decoded_size(feed_server: FeedServer):
    bomb = gzip.compress(b"\0" * 1_000_000)
    url = feed_server.route("/bomb", lambda r: web_response(bomb, {"Content-Encoding": "gzip"}))
    async with Fetcher(FetchLimits(max_bytes=100_000)) as small:
        result = await small.fetch(url)
    assert len(bomb) < 100_000
    assert result.error == "too_large"


async def test_stalling_server_times_out(feed_server: FeedServer):
    async def stall_headers(request: web.Request) -> web.Response:
        await feed_server.release.wait()
        return web.Response(text="late")

    async def stall_body(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"<rss version='2.0'><channel>")
        await feed_server.release.wait()
        return response

    async with Fetcher(FetchLimits(total_timeout=0.3)) as impatient:
        before_headers = await impatient.fetch(feed_server.route("/stall", stall_headers))
        mid_body = await impatient.fetch(feed_server.route("/trickle", stall_body))
    assert (before_headers.outcome, before_headers.error) == (FetchOutcome.FAILED, "timeout")
    assert (mid_body.outcome, mid_body.error) == (FetchOutcome.FAILED, "timeout")


async def test_connection_refused_is_a_failure(fetcher: Fetcher):
    with socket_closed_port() as port:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert (result.outcome, result.error) == (FetchOutcome.FAILED, "connect")


def socket_closed_port():
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()  # nothing listens there now
        yield port

    return closed()


async def test_private_addresses_are_refused_without_the_setting(feed_server: FeedServer,
                                                                 monkeypatch):
    monkeypatch.delenv("NEWSBOT_ALLOW_PRIVATE_URLS")
    url = feed_server.file("/feed.rss", "rss2.xml")
    async with Fetcher() as strict:
        result = await strict.fetch(url)
    assert (result.outcome, result.error, result.detail) == (
        FetchOutcome.REFUSED, "private_address", "127.0.0.1")
    assert feed_server.requests == []


async def only_loopback_one(host: str, port: int) -> list[str]:
    """A resolver for names that exist only in these tests."""
    return ["127.0.0.1"]


def loopback_one_is_public(address: str) -> bool:
    """An address rule under which 127.0.0.1 stands for a public address, and no other."""
    return address == "127.0.0.1"


async def test_connection_goes_to_the_checked_address(feed_server: FeedServer):
    # "feeds.test" has no real DNS entry: the fetch works only through the pinned address.
    feed_server.file("/feed.rss", "rss2.xml")
    port = feed_server.base.rsplit(":", 1)[1]
    async with Fetcher(allow_private=False, resolver=only_loopback_one,
                       is_allowed=loopback_one_is_public) as strict:
        result = await strict.fetch(f"http://feeds.test:{port}/feed.rss")
    assert result.outcome is FetchOutcome.OK
    assert result.final_url == f"http://feeds.test:{port}/feed.rss"
    assert feed_server.requests[0][1]["Host"] == f"feeds.test:{port}"


async def test_every_redirect_hop_is_checked(feed_server: FeedServer):
    port = feed_server.base.rsplit(":", 1)[1]
    secret = f"http://127.0.0.2:{port}/secret"
    feed_server.file("/secret", "rss2.xml")
    feed_server.route("/hop", redirect(302, secret))
    async with Fetcher(allow_private=False, resolver=only_loopback_one,
                       is_allowed=loopback_one_is_public) as strict:
        result = await strict.fetch(f"http://feeds.test:{port}/hop")
    assert (result.outcome, result.error, result.detail) == (
        FetchOutcome.REFUSED, "private_address", "127.0.0.2")
    assert result.final_url == secret
    assert feed_server.paths() == ["/hop"]


async def test_any_private_address_of_a_name_refuses_it():
    async def mixed(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "10.1.2.3"]

    async with Fetcher(allow_private=False, resolver=mixed) as strict:
        result = await strict.fetch("http://news.example/feed")
    assert (result.outcome, result.error, result.detail) == (
        FetchOutcome.REFUSED, "private_address", "10.1.2.3")


async def test_only_http_and_https(fetcher: Fetcher):
    for url in ("file:///etc/passwd", "ftp://x.example/feed", "gopher://x.example/"):
        result = await fetcher.fetch(url)
        assert (result.outcome, result.error) == (FetchOutcome.REFUSED, "scheme")


async def test_at_most_two_fetches_per_host(feed_server: FeedServer):
    in_flight: dict[str, int] = {"127.0.0.1": 0, "localhost": 0}
    peak = dict(in_flight)
    four = asyncio.Event()
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        host = request.host.split(":")[0]
        in_flight[host] += 1
        peak[host] = max(peak[host], in_flight[host])
        if sum(in_flight.values()) == 4:
            four.set()
        await release.wait()
        in_flight[host] -= 1
        return web.Response(body=b"ok")

    feed_server.route("/slow", slow)
    port = feed_server.base.rsplit(":", 1)[1]
    urls = [f"http://{h}:{port}/slow" for h in ("127.0.0.1", "localhost") for _ in range(3)]
    async with Fetcher(FetchLimits(total_timeout=5)) as client:
        tasks = [asyncio.create_task(client.fetch(u)) for u in urls]
        await asyncio.wait_for(four.wait(), 5)
        release.set()
        results = await asyncio.gather(*tasks)
    assert [r.outcome for r in results] == [FetchOutcome.OK] * 6
    assert peak == {"127.0.0.1": 2, "localhost": 2}


async def test_overall_limit_holds_across_hosts(feed_server: FeedServer):
    in_flight = peak = 0
    three = asyncio.Event()
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 3:
            three.set()
        await release.wait()
        in_flight -= 1
        return web.Response(body=b"ok")

    feed_server.route("/slow", slow)
    port = feed_server.base.rsplit(":", 1)[1]
    urls = [f"http://{h}:{port}/slow" for h in ("127.0.0.1", "localhost") for _ in range(2)]
    async with Fetcher(FetchLimits(max_concurrent=3, total_timeout=5)) as client:
        tasks = [asyncio.create_task(client.fetch(u)) for u in urls]
        await asyncio.wait_for(three.wait(), 5)
        release.set()
        results = await asyncio.gather(*tasks)
    assert [r.outcome for r in results] == [FetchOutcome.OK] * 4
    assert peak == 3
