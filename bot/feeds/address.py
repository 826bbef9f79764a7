"""URLs: the canonical form article ids come from, and the rules for which addresses newsbot
may fetch. Pure except ``check_host``, which resolves a name through an injected resolver."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bot.feeds.errors import AddressRefused

ALLOW_PRIVATE_ENV = "NEWSBOT_ALLOW_PRIVATE_URLS"
_TRACKING_PARAMS = frozenset({"fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], Awaitable[list[str]]]


def allow_private_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``NEWSBOT_ALLOW_PRIVATE_URLS=1`` lifts the private-address rule (tests, LANs)."""
    value = (os.environ if environ is None else environ).get(ALLOW_PRIVATE_ENV, "")
    return value.strip().lower() in {"1", "true", "yes"}


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
    except ValueError:  # "http://[::1": an unbalanced IPv6 host
        return False


def resolve_link(base: str, link: str) -> str:
    """``link`` resolved against ``base`` (the feed's or page's URL); '' stays '', and so
    does a link no URL parser can read (an entry without a link beats a failed poll)."""
    link = (link or "").strip()
    try:
        return urljoin(base, link) if link else ""
    except ValueError:
        return ""


def canonical_url(url: str) -> str:
    """The form two feeds' links to one page share: scheme and host lower-case, default port
    and #fragment dropped, ``utm_*``, ``fbclid`` and ``gclid`` parameters removed, the rest of
    the query kept in order."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved and unspecified
    addresses (IPv4-mapped IPv6 judged as the IPv4 inside)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, through the event loop's getaddrinfo."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    )
    return sorted({str(info[4][0]) for info in infos})


async def check_url(
    url: str,
    *,
    allow_private: bool,
    resolver: Resolver = system_resolver,
    is_allowed: Callable[[str], bool] = is_public_address,
) -> list[str]:
    """The addresses ``url``'s host may be reached at: every address it resolves to, when
    ``is_allowed`` accepts them all ([] when ``allow_private`` lifts the rule, and the name is
    left to the HTTP client). Raises ``AddressRefused`` for a scheme other than http(s), a
    name that does not resolve, or any address refused."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise AddressRefused(url, "scheme", parts.scheme or "none")
    host = parts.hostname
    if not host:
        raise AddressRefused(url, "no_host")
    if allow_private:
        return []
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme.lower()]
    except ValueError:
        raise AddressRefused(url, "no_host", "bad port") from None
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await resolver(host, port)
        except OSError as exc:
            raise AddressRefused(url, "dns", str(exc)) from None
    if not addresses:
        raise AddressRefused(url, "dns", "no addresses")
    refused = [a for a in addresses if not is_allowed(a)]
    if refused:
        raise AddressRefused(url, "private_address", ", ".join(refused))
    return addresses


def pinned_url(url: str, address: str) -> str:
    """``url`` with its host replaced by ``address``, so the connection goes to the address
    that was checked, not to whatever a second DNS answer says (DNS rebinding)."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
