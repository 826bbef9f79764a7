"""``Fetcher``: polite, bounded HTTP GETs of feeds and pages over one httpx client.

Every outcome comes back as a ``FetchResult`` (nothing is raised for a failed fetch):

    200            → OK, with the body, the final URL and the new validators
    304            → NOT_MODIFIED
    410            → GONE (disable the feed)
    429, 503       → RETRY_LATER, with Retry-After when the server gave one
    301, 308       → followed; ``moved_to`` is the URL to store when every hop was permanent
    302, 303, 307  → followed, nothing to store
    other, network → FAILED with a short ``error`` code
    address rules  → REFUSED (scheme not http(s); a loopback, private or link-local address
                     for the URL or any redirect hop, unless ``allow_private``)

Limits: ``max_concurrent`` fetches at once overall and ``max_per_host`` per host, a connect
timeout, a total timeout over the whole fetch (redirects and body included, so a server that
stalls mid-body is cut off), and ``max_bytes`` of decoded body: the stream stops at the
first byte past it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from bot import __version__
from bot.feeds.address import (
    Resolver,
    allow_private_from_env,
    check_url,
    is_public_address,
    pinned_url,
    system_resolver,
)
from bot.feeds.errors import AddressRefused
from bot.feeds.model import FetchOutcome, FetchResult, Validators

logger = logging.getLogger(__name__)

USER_AGENT = f"newsbot/{__version__} (self-hosted news bot; feed reader)"
_PERMANENT = frozenset({301, 308})
_REDIRECT = frozenset({301, 302, 303, 307, 308})
_RETRY_LATER = frozenset({429, 503})
# Headers feedparser uses to choose the encoding and resolve relative links.
_KEPT_HEADERS = ("content-type", "content-location", "content-language")


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_concurrent: int = 16
    max_per_host: int = 2
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as a delay: delta-seconds or an HTTP date; None when absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


class _TooLarge(Exception):
    pass


class Fetcher:
    """Fetches URLs within ``limits``; use as ``async with Fetcher() as fetcher``.

    ``allow_private`` None reads ``NEWSBOT_ALLOW_PRIVATE_URLS``. Unless it is set, every
    address of each hop's host must pass ``is_allowed``, and plain-HTTP hops connect to the
    address that was checked (the Host header stays the URL's). ``resolver``, ``is_allowed``
    and ``transport`` are injection points for tests and the benchmark.
    """

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        allow_private: bool | None = None,
        resolver: Resolver = system_resolver,
        is_allowed: Callable[[str], bool] = is_public_address,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.limits = limits or FetchLimits()
        self.allow_private = allow_private_from_env() if allow_private is None else allow_private
        self._resolver = resolver
        self._is_allowed = is_allowed
        self._overall = asyncio.Semaphore(self.limits.max_concurrent)
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.limits.max_per_host)
        )
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(self.limits.total_timeout, connect=self.limits.connect_timeout),
            limits=httpx.Limits(
                max_connections=self.limits.max_concurrent,
                max_keepalive_connections=self.limits.max_concurrent,
            ),
            follow_redirects=False,
            # Proxies from the environment would resolve names where the address rules
            # cannot see them.
            trust_env=False,
            transport=transport,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        accept: str = "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
    ) -> FetchResult:
        """GET ``url`` (conditionally, given ``validators``) and say what came of it."""
        host = (urlsplit(url).hostname or "").lower()
        async with self._overall, self._per_host[host]:
            try:
                async with asyncio.timeout(self.limits.total_timeout):
                    return await self._fetch(url, validators or Validators(), accept)
            except TimeoutError:
                return FetchResult(url, FetchOutcome.FAILED, error="timeout",
                                   detail=f"no complete answer in {self.limits.total_timeout:g} s")

    async def _fetch(self, url: str, validators: Validators, accept: str) -> FetchResult:
        current = url
        all_permanent = True
        headers = {"Accept": accept}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        for _hop in range(self.limits.max_redirects + 1):
            try:
                addresses = await check_url(current, allow_private=self.allow_private,
                                            resolver=self._resolver, is_allowed=self._is_allowed)
            except AddressRefused as exc:
                return FetchResult(url, FetchOutcome.REFUSED, final_url=current,
                                   error=exc.reason, detail=exc.detail)
            try:
                result = await self._get(url, current, headers, addresses)
            except httpx.TimeoutException as exc:
                return FetchResult(url, FetchOutcome.FAILED, final_url=current,
                                   error="timeout", detail=type(exc).__name__)
            except httpx.HTTPError as exc:
                return FetchResult(url, FetchOutcome.FAILED, final_url=current,
                                   error="connect" if isinstance(exc, httpx.ConnectError)
                                   else "network", detail=f"{type(exc).__name__}: {exc}")
            if isinstance(result, FetchResult):
                if all_permanent and current != url:
                    # Remember the move only for a final answer that is not a failure.
                    moved = current if result.outcome in (
                        FetchOutcome.OK, FetchOutcome.NOT_MODIFIED) else None
                    return replace(result, moved_to=moved)
                return result
            status, location = result
            all_permanent = all_permanent and status in _PERMANENT
            current = urljoin(current, location)
        return FetchResult(url, FetchOutcome.FAILED, final_url=current,
                           error="too_many_redirects",
                           detail=f"more than {self.limits.max_redirects}")

    async def _get(self, url: str, current: str, headers: Mapping[str, str],
                   addresses: list[str]) -> FetchResult | tuple[int, str]:
        """One request: a final FetchResult, or (status, Location) of a redirect."""
        target = current
        parts = urlsplit(current)
        if addresses and parts.scheme.lower() == "http":
            # Plain HTTP goes to the checked address. HTTPS needs no pin: a rebinding name
            # cannot present the internal service's certificate, and pinning would let the
            # pool reuse one host's TLS connection for another on the same address.
            target = pinned_url(current, addresses[0])
            headers = {**headers, "Host": parts.netloc.rsplit("@", 1)[-1]}
        async with self._client.stream("GET", target, headers=headers) as response:
            status = response.status_code
            if status in _REDIRECT and response.headers.get("location"):
                return status, response.headers["location"]
            now = datetime.now(UTC)
            kept = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
            if status == 304:
                return FetchResult(url, FetchOutcome.NOT_MODIFIED, status, current,
                                   headers=kept, validators=_validators(response))
            if status == 410:
                return FetchResult(url, FetchOutcome.GONE, status, current, error="http_410")
            if status in _RETRY_LATER:
                return FetchResult(
                    url, FetchOutcome.RETRY_LATER, status, current, error=f"http_{status}",
                    retry_after=parse_retry_after(response.headers.get("retry-after"), now),
                )
            if not 200 <= status < 300:
                return FetchResult(url, FetchOutcome.FAILED, status, current,
                                   error=f"http_{status}", detail=response.reason_phrase)
            try:
                body = await self._read_capped(response)
            except _TooLarge:
                return FetchResult(url, FetchOutcome.FAILED, status, current, error="too_large",
                                   detail=f"over {self.limits.max_bytes:,} bytes")
            return FetchResult(url, FetchOutcome.OK, status, current, body=body, headers=kept,
                               validators=_validators(response))

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and "content-encoding" not in response.headers \
                and int(declared) > cap:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def _validators(response: httpx.Response) -> Validators:
    return Validators(response.headers.get("etag"), response.headers.get("last-modified"))
