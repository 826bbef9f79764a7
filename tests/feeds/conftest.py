"""A real HTTP server on 127.0.0.1 (aiohttp, on the test's own event loop) serving fixture
feeds and pages, and a Fetcher allowed to reach it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web

from bot.feeds.fetch import Fetcher, FetchLimits

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FeedServer:
    """Routes by path; every request's path and headers are recorded in ``requests``."""

    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # Set at teardown so handlers that stall on purpose end.
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def file(self, path: str, name: str, content_type: str = "application/rss+xml",
             headers: dict[str, str] | None = None) -> str:
        data = (FIXTURES / name).read_bytes()

        async def serve(request: web.Request) -> web.Response:
            return web.Response(body=data, headers={"Content-Type": content_type,
                                                    **(headers or {})})

        return self.route(path, serve)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path_qs, dict(request.headers)))
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no such fixture")
        return await handler(request)


@pytest.fixture
async def feed_server(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEWSBOT_ALLOW_PRIVATE_URLS", "1")
    server = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.dispatch)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    server.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield server
    server.release.set()
    await runner.cleanup()


@pytest.fixture
async def fetcher(feed_server: FeedServer):
    async with Fetcher(FetchLimits(total_timeout=5.0, connect_timeout=2.0)) as client:
        yield client
