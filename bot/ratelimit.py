"""Telegram's flood limits: ``FloodLimiter`` (python-telegram-bot's AIORateLimiter with an overall
limit that holds for certain) and ``retry_after_seconds``.

429s (``RetryAfter``) are retried here, by AIORateLimiter's ``max_retries``, and nowhere else.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

JSONDict = dict[str, Any]

MESSAGES_PER_SECOND = 30  # Telegram's ceiling for messages to different chats
FLOOD_WINDOW = 1.001  # Telegram's second, and a millisecond for timer granularity
RETRY_AFTER_ATTEMPTS = 5


def retry_after_seconds(error: RetryAfter) -> float:
    """The pause a 429 asks for, in seconds."""
    # PTB 22 warns that retry_after will become a timedelta; accept either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        delay = error.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


class FloodLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (group limits, 429 retries) with an overall limit that holds for
    certain rather than on average.

    Telegram answers 429 once a bot sends more than 30 messages within a second, counted as
    they arrive. AIORateLimiter's overall limit spaces the starts of sends: a busy event loop or
    network jitter bunches arrivals up by more than the few milliseconds a spacing just under
    30 a second leaves, and after a 429 every send that queued during the pause leaves at once.
    So the overall limit is replaced here: each message holds one of 30 permits from the moment
    it starts until a second after its answer came back (it reached Telegram between those two
    instants, so no second on Telegram's clock holds more than 30), starts are spaced 1/30 s
    apart, and after a 429 the queue keeps taking turns. Over a real network the rate is about
    30 / (1 s + one round trip).

    Everything else is AIORateLimiter's: 20 messages a minute per group, and a 429 pauses
    sends for its retry_after and the send retries, up to ``max_retries`` times.
    """

    def __init__(
        self,
        per_second: int = MESSAGES_PER_SECOND,
        *,
        window: float = FLOOD_WINDOW,
        group_per_minute: int = 20,
        max_retries: int = RETRY_AFTER_ATTEMPTS,
    ) -> None:
        super().__init__(
            overall_max_rate=0,  # ours, below
            group_max_rate=group_per_minute,
            group_time_period=60,
            max_retries=max_retries,
        )
        self._window = window
        self._spacing = window / per_second
        self._permits = asyncio.Semaphore(per_second)
        self._turn = asyncio.Lock()
        self._next_start = 0.0
        self._resume_at = 0.0  # after a 429, nothing starts before this (loop time)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if data.get("chat_id") is None:  # not a message: not counted, not paced
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def paced(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            return await self._paced(callback, call_args, call_kwargs)

        return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
    ) -> bool | JSONDict | list[JSONDict]:
        loop = asyncio.get_running_loop()
        async with self._turn:  # first come, first served
            await self._permits.acquire()
            try:
                while (delay := max(self._next_start, self._resume_at) - loop.time()) > 0:
                    await asyncio.sleep(delay)
            except BaseException:
                self._permits.release()
                raise
            # A late start does not push the next one back (up to one slot of catching up).
            self._next_start = max(self._next_start, loop.time() - self._spacing) + self._spacing
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            # Sends already past AIORateLimiter's pause must wait for it too.
            pause = retry_after_seconds(exc) + 0.1
            self._resume_at = max(self._resume_at, loop.time() + pause)
            raise
        finally:
            loop.call_later(self._window, self._permits.release)


def build_rate_limiter() -> FloodLimiter:
    """Telegram's flood limits: 30 messages a second overall, 20 a minute per group."""
    return FloodLimiter()
