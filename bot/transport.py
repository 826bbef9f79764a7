"""``AiohttpRequest``: python-telegram-bot's HTTP transport on aiohttp instead of httpx.

Most of the CPU a sent message costs the bot was httpx + httpcore's; aiohttp (an HTTP parser
in C, a pool that hands out a free connection without scanning the others) does the same work
for about a third: a bare ``send_message`` loop against the Bot API stand-in takes about
0.7 ms of CPU a message instead of about 2. python-telegram-bot does the rest as usual:
building the parameters, turning status codes into ``BadRequest``, ``Forbidden``,
``RetryAfter`` …, parsing the returned objects.

Errors, as HTTPXRequest raises them::

    TimeoutError (connect, read)   → telegram.error.TimedOut
    aiohttp.ClientError (the rest) → telegram.error.NetworkError

Their messages name the aiohttp exception with the token cut out of any URL in it, and they
do not chain the aiohttp exception, whose text can hold the whole URL: a logged traceback
never shows the token. aiohttp itself logs no URLs.

A proxy in the environment (``HTTPS_PROXY``, ``NO_PROXY`` …, as httpx honoured them) is looked
up once per Bot API host, not on every request as aiohttp's ``trust_env`` would (a thread
hop that doubled the CPU of a send).
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from urllib.parse import urlsplit

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

# Bot API URLs are <base>/bot<token>/<method>.
_TOKEN_IN_URL = re.compile(r"/bot[^/\s'\"]+/")
_JSON_HEADERS = {"Content-Type": "application/json"}


def redact(text: str) -> str:
    """``text`` with the token of any Bot API URL replaced by ``<token>``."""
    return _TOKEN_IN_URL.sub("/bot<token>/", text)


class AiohttpRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` over one aiohttp session of ``connections`` connections.

    Requests beyond ``connections`` wait for a free one in aiohttp's queue, first come, first
    served, for as long as it takes unless a ``pool_timeout`` is given. Timeouts mean what they
    mean for HTTPXRequest, except that aiohttp has no write timeout: ``write_timeout`` is
    accepted and not applied (newsbot uploads no files; a request's body goes out in one
    write). ``read_timeout`` bounds each wait for data once the request is sent, and
    ``getUpdates`` adds its long-polling timeout to it as usual.

    Plain requests go as JSON; requests with files as multipart/form-data.
    """

    __slots__ = ("_connections", "_defaults", "_proxies", "_session")

    def __init__(
        self,
        connections: int = 4,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = None,
    ) -> None:
        self._connections = connections
        self._defaults = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None
        # (scheme, host) → the environment's proxy for it and its credentials, or (None, None)
        self._proxies: dict[tuple[str, str], tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._defaults[0]

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown); it belongs to the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                # certifi's CA bundle, as httpx used: the same trust on every machine.
                connector=aiohttp.TCPConnector(
                    limit=self._connections,
                    ssl=ssl.create_default_context(cafile=certifi.where()),
                ),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized (or already shut down)")
        default_read, _, default_connect, default_pool = self._defaults
        read = default_read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = default_connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = default_pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            # aiohttp's "connect" is the wait for a pooled connection plus making a new one.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and request_data.contains_files:
            data = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                data.add_field(name, value)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                data.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None:
            # The parameters are JSON values already (PTB's json_parameters would encode each
            # one, then json_payload the lot again); one dumps serves the Bot API's JSON body.
            data = json.dumps(request_data.parameters).encode()
            headers = _JSON_HEADERS
        try:
            proxy, proxy_auth = await self._proxy_for(url)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout,
                proxy=proxy, proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(f"Timed out: {_describe(exc)}") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(_describe(exc)) from None

    async def _proxy_for(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxies:
            try:  # the environment, and ~/.netrc for the proxy's credentials: off the loop
                found = await asyncio.to_thread(get_env_proxy_for_url, URL(f"{key[0]}://{key[1]}"))
            except LookupError:  # none set, or NO_PROXY names the host
                found = (None, None)
            self._proxies[key] = found
        return self._proxies[key]


def _describe(exc: BaseException) -> str:
    # e.g. "aiohttp.ConnectionTimeoutError: Connection timeout to host http://…/bot<token>/getMe"
    module = "aiohttp" if type(exc).__module__.startswith("aiohttp") else type(exc).__module__
    return redact(f"{module}.{type(exc).__name__}: {exc}")
