"""The flood limiter: Telegram's 30 messages a second, kept whatever the jitter, and 429s."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.app import build_bot
from bot.config import Settings
from bot.ratelimit import FloodLimiter
from tests.botapi import BotAPIStandIn


def send_to(limiter: FloodLimiter, chat_id: int | str, callback) -> asyncio.Future:
    return asyncio.ensure_future(limiter.process_request(
        callback, (), {}, "sendMessage", {"chat_id": chat_id, "text": "hi"}, None))


async def test_no_window_holds_more_than_the_limit_however_arrivals_jitter():
    # Ten a tenth of a second, so the test is quick; each request reaches the "server" up to
    # 30 ms after it starts (three times the spacing), and its answer takes up to 30 ms more.
    limiter = FloodLimiter(10, window=0.101)
    loop = asyncio.get_running_loop()
    rng = random.Random(7)
    arrivals: list[float] = []

    async def send() -> bool:
        await asyncio.sleep(rng.uniform(0, 0.03))
        arrivals.append(loop.time())
        await asyncio.sleep(rng.uniform(0, 0.03))
        return True

    started = loop.time()
    await asyncio.gather(*(send_to(limiter, 1000 + n, send) for n in range(60)))
    elapsed = loop.time() - started
    arrivals.sort()
    assert len(arrivals) == 60
    # Any eleven arrivals span at least the window: no window holds more than ten.
    assert min(arrivals[n + 10] - arrivals[n] for n in range(50)) >= 0.1
    assert elapsed < 3.0  # about 0.7 s: each permit cycles in the window plus a round trip


async def test_requests_without_a_chat_are_not_paced():
    limiter = FloodLimiter(1, window=10)
    calls: list[str] = []

    async def call() -> bool:
        calls.append("getMe")
        return True

    for _ in range(5):
        await asyncio.wait_for(
            limiter.process_request(call, (), {}, "getMe", {}, None), timeout=1)
    assert calls == ["getMe"] * 5


async def test_groups_wait_for_their_per_minute_limit_while_private_chats_go_on():
    limiter = FloodLimiter(30, group_per_minute=1)
    sent: list[int | str] = []

    def recorder(chat_id: int | str):
        async def send() -> bool:
            sent.append(chat_id)
            return True
        return send

    await send_to(limiter, -100, recorder(-100))
    second_to_group = send_to(limiter, "-100", recorder("-100"))
    to_channel = send_to(limiter, "@news", recorder("@news"))
    await asyncio.gather(*(send_to(limiter, chat, recorder(chat)) for chat in (1, 2, 3)))
    await to_channel
    assert sent == [-100, "@news", 1, 2, 3] or sent == [-100, 1, 2, 3, "@news"]
    assert not second_to_group.done()
    second_to_group.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second_to_group


async def test_a_429_pauses_sends_and_the_queue_does_not_burst_after_it():
    # Plain AIORateLimiter lets every send that queued during the pause go at once when it ends,
    # which draws more 429s; here the one injected 429 is the only one.
    with BotAPIStandIn(enforce_flood_limits=True) as api:
        api.answer_next_sends_with_429(1, retry_after=1)
        async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
            await asyncio.gather(*(bot.send_message(5000 + n, f"Message {n}")
                                   for n in range(45)))
        assert api.too_many_requests == 1
        assert sorted(m.chat_id for m in api.sent) == [5000 + n for n in range(45)]
