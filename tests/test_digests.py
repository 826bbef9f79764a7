"""Digest content and delivery guarantees: with a fake bot and clock, then over HTTP."""

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot import render
from bot.app import build_bot
from bot.config import Settings
from bot.digests import DigestSender
from bot.errors import StoreError
from bot.models import Summary
from bot.service import NewsService
from bot.store import Store
from tests.botapi import BotAPIStandIn
from tests.conftest import Clock, article_text, articles_adder, fake_summarise

CHAT = 1001


class FakeBot:
    """Records accepted messages; ``failures`` maps a send number to the error it raises."""

    def __init__(self, failures: dict[int, Exception] | None = None) -> None:
        self.failures = failures or {}
        self.attempts = 0
        self.accepted: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs) -> None:
        self.attempts += 1
        error = self.failures.pop(self.attempts, None)
        if error is not None:
            raise error
        assert render.telegram_length(text) <= render.MESSAGE_LIMIT
        assert kwargs["parse_mode"] == "HTML"
        self.accepted.append((chat_id, text))


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 6, 1, 4, 0, tzinfo=UTC))


@pytest.fixture
def service(store, clock) -> NewsService:
    return NewsService(store, summarise=fake_summarise, clock=clock)


def long_summary(text, sentences=3, method="default", language=None, title=""):
    return Summary((title + ": " + "Long sentence & more words. " * 80,), method, "english")


def sender_for(service, bot, clock) -> DigestSender:
    assert service.clock is clock
    return DigestSender(bot, service, chat_interval=0)


def texts(bot: FakeBot) -> str:
    return "\n".join(text for _, text in bot.accepted)


async def test_digest_holds_new_articles_for_followed_tags_once_each(service, add_articles,
                                                                     clock):
    add_articles(("Old economy news", "Economy"))
    service.subscribe(CHAT, "economy, climate")
    add_articles(("Rates rise", "Economy"), ("Floods and prices", "Climate, Economy"),
                 ("Football final", "Sport"))
    bot = FakeBot()
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert (run.messages, run.served) == (1, [CHAT])
    [(chat_id, text)] = bot.accepted
    assert chat_id == CHAT
    assert text.startswith("<b>Your news digest</b> — 2 new articles")
    assert text.index("Floods and prices") < text.index("Rates rise")  # newest first
    assert "Matched: Climate, Economy" in text or "Matched: Economy, Climate" in text
    assert "Old economy news" not in text and "Football" not in text
    assert text.count("<b>1. Floods and prices</b>") == 1

    again = FakeBot()
    run = await sender_for(service, again, clock).send_digest(CHAT)
    assert (again.accepted, run.empty) == ([], [CHAT])


async def test_at_most_ten_items_then_a_pointer_to_latest(service, add_articles, clock):
    service.subscribe(CHAT, "Economy")
    add_articles(*[(f"Story {n:02d}", "Economy") for n in range(13)])
    bot = FakeBot()
    await sender_for(service, bot, clock).send_digest(CHAT)
    text = texts(bot)
    assert text.count("Matched: Economy") == 10
    assert text.rstrip().endswith("…and 3 more — /latest Economy")
    assert "Story 12" in text and "Story 02" not in text


async def test_long_digests_split_into_messages_each_with_their_buttons(store, clock,
                                                                       write_article, tmp_path):
    service = NewsService(store, summarise=long_summary, clock=clock)
    add_articles = articles_adder(service, write_article, tmp_path)
    service.subscribe(CHAT, "Economy")
    add_articles(*[(f"Story {n}", "Economy") for n in range(10)])
    bot = FakeBot()
    await sender_for(service, bot, clock).send_digest(CHAT)
    assert len(bot.accepted) > 1
    assert sum(t.count("Matched: Economy") for _, t in bot.accepted) == 10


async def test_blocked_chat_is_marked_inactive_until_it_writes_again(service, add_articles,
                                                                    clock):
    service.subscribe(CHAT, "Economy")
    add_articles(("Rates rise", "Economy"))
    bot = FakeBot({1: Forbidden("Forbidden: bot was blocked by the user")})
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert run.unreachable == [CHAT]
    assert service.digest_chats() == []
    assert service.delivered_ids(CHAT) == []
    service.touch_chat(CHAT)
    assert [c.chat_id for c in service.digest_chats()] == [CHAT]


async def test_chat_not_found_is_unreachable_too(service, add_articles, clock):
    service.subscribe(CHAT, "Economy")
    add_articles(("Rates rise", "Economy"))
    bot = FakeBot({1: BadRequest("Chat not found")})
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert run.unreachable == [CHAT]


async def test_a_429_left_over_by_the_rate_limiter_fails_the_chat_for_this_run(
        service, add_articles, clock):
    # 429s are retried by the rate limiter alone (see test_429s_delay_sends_but_…); one that
    # still reaches the sender fails the chat, records nothing, and the next run sends it.
    service.subscribe(CHAT, "Economy")
    add_articles(("Rates rise", "Economy"))
    bot = FakeBot({1: RetryAfter(timedelta(seconds=30))})
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert (run.failed, bot.accepted, bot.attempts) == ([CHAT], [], 1)
    assert service.delivered_ids(CHAT) == []
    again = FakeBot()
    run = await sender_for(service, again, clock).send_digest(CHAT)
    assert run.served == [CHAT] and len(again.accepted) == 1


async def test_failure_half_way_resumes_without_repeating(store, clock, write_article, tmp_path):
    service = NewsService(store, summarise=long_summary, clock=clock)
    add_articles = articles_adder(service, write_article, tmp_path)
    service.subscribe(CHAT, "Economy")
    ids = add_articles(*[(f"Story {n}", "Economy") for n in range(6)])
    bot = FakeBot({2: NetworkError("connection reset")})
    run = await sender_for(service, bot, clock).send_digest(CHAT)
    assert run.failed == [CHAT]
    delivered = service.delivered_ids(CHAT)
    assert 0 < len(delivered) < 6
    first_text = texts(bot)

    retry = FakeBot()
    run = await sender_for(service, retry, clock).send_digest(CHAT)
    assert run.served == [CHAT]
    assert sorted(service.delivered_ids(CHAT)) == sorted(ids)
    for n in range(6):
        assert (first_text + texts(retry)).count(f"<b>{n + 1}. Story") <= 2
        assert (first_text + texts(retry)).count(f"Story {n}</b>") == 1


async def test_due_chats_follow_local_time_and_the_previous_digest(service, clock):
    service.subscribe(CHAT, "Economy")
    service.set_timezone(CHAT, "Europe/Kyiv")
    service.set_digest_time(CHAT, "08:00")
    service.finish_digest(CHAT, 0, clock.now)  # 07:00 in Kyiv
    assert service.due_chats(clock.now) == []
    assert service.due_chats(clock.now + timedelta(minutes=59)) == []
    assert [c.chat_id for c in service.due_chats(clock.now + timedelta(hours=1))] == [CHAT]
    service.set_digest_enabled(CHAT, False)
    assert service.due_chats(clock.now + timedelta(hours=1)) == []


async def test_send_due_sends_only_due_chats_and_only_once(service, add_articles, clock):
    service.subscribe(CHAT, "Economy")
    service.subscribe(CHAT + 1, "Economy")
    service.set_digest_time(CHAT + 1, "23:00")
    add_articles(("Rates rise", "Economy"))
    clock.now = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)  # after 08:00 UTC, before 23:00
    bot = FakeBot()
    sender = sender_for(service, bot, clock)
    run = await sender.send_due()
    assert run.served == [CHAT]
    run = await sender.send_due()
    assert (run.served, len(bot.accepted)) == ([], 1)
    run = await sender.send_all()
    assert run.served == [CHAT + 1]


# -- against the Bot API stand-in, over HTTP --------------------------------------------------

CHATS = [2001, 2002, 2003, 2004, 2005, 2006]


def subscribe_all_and_import(service: NewsService, folder: Path, titles: list[str]) -> None:
    for chat_id in CHATS:
        service.subscribe(chat_id, "Economy")
    for n, title in enumerate(titles):
        (folder / f"{n}.txt").write_text(article_text(title, tags="Economy"))
    assert service.import_paths([folder]).added == len(titles)


def digests_per_chat(api: BotAPIStandIn) -> dict[int, list[str]]:
    return {chat_id: [m.text for m in api.messages_to(chat_id)] for chat_id in CHATS}


async def test_429s_delay_sends_but_every_digest_arrives_once(api, store, tmp_path):
    service = NewsService(store, summarise=fake_summarise)
    subscribe_all_and_import(service, tmp_path, ["Rates rise", "Rates fall"])
    api.answer_next_sends_with_429(3, retry_after=1)
    settings = Settings(token=api.token, base_url=api.base_url)
    async with build_bot(settings) as bot:
        run = await DigestSender(bot, service, chat_interval=0).send_all()
    assert sorted(run.served) == CHATS
    assert api.too_many_requests == 3
    for chat_id, texts_ in digests_per_chat(api).items():
        assert len(texts_) == 1, chat_id
        assert texts_[0].count("Rates rise") == 1 and texts_[0].count("Rates fall") == 1


async def test_a_chat_that_blocked_the_bot_is_marked_inactive(api, store, tmp_path, caplog):
    service = NewsService(store, summarise=fake_summarise)
    subscribe_all_and_import(service, tmp_path, ["Rates rise"])
    api.block_chat(2002)
    api.block_chat(2003, 400, "Bad Request: chat not found")
    async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
        run = await DigestSender(bot, service, chat_interval=0).send_all()
    assert sorted(run.unreachable) == [2002, 2003]
    assert "Chat 2002 is unreachable" in caplog.text
    assert [c.chat_id for c in service.digest_chats()] == [2001, 2004, 2005, 2006]
    assert service.delivered_ids(2002) == []


def test_send_digests_killed_half_way_resumes_without_repeats(api, tmp_path):
    db_path = tmp_path / "news.db"
    with Store(db_path) as store:
        service = NewsService(store, summarise=fake_summarise)
        subscribe_all_and_import(service, tmp_path, ["Rates rise", "Rates fall", "Banks merge"])
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
           "NEWSBOT_DB": str(db_path)}
    command = [sys.executable, "-m", "bot", "send-digests", "--all", "--json"]

    api.hang_after(3)
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        api.wait_until(lambda: process.poll() is not None or (len(api.sent) == 3 and sum(
            1 for method, _ in api.requests if method == "sendMessage") > 3), timeout=60)
        assert process.poll() is None, process.communicate()
    finally:
        process.kill()
        process.communicate()
    api.release()
    served_before = {chat for chat, texts_ in digests_per_chat(api).items() if texts_}
    assert len(served_before) == 3

    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)["served"]) == sorted(set(CHATS) - served_before)
    for chat_id, texts_ in digests_per_chat(api).items():
        assert len(texts_) == 1, chat_id
        for title in ["Rates rise", "Rates fall", "Banks merge"]:
            assert texts_[0].count(f". {title}\n") == 1


async def test_paced_as_in_production_no_429_even_for_long_digests(store, tmp_path):
    # The stand-in answers 429 like Telegram: over 30 messages a second, or two to one chat
    # within a second. Each chat's digest here takes several messages.
    service = NewsService(store, summarise=long_summary)
    for chat_id in CHATS[:2]:
        service.subscribe(chat_id, "Economy")
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(article_text(f"Story {n}", tags="Economy"))
    service.import_paths([tmp_path])
    with BotAPIStandIn(enforce_flood_limits=True, per_chat_limit=True) as api:
        async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
            run = await DigestSender(bot, service).send_all()
        assert api.too_many_requests == 0
        assert sorted(run.served) == CHATS[:2]
        for chat_id in CHATS[:2]:
            texts_ = [m.text for m in api.messages_to(chat_id)]
            assert len(texts_) > 1
            for n in range(3):
                assert "\n".join(texts_).count(f". Story {n}\n") == 1


def test_send_digests_no_rate_limit_sends_without_pacing(api, tmp_path):
    db_path = tmp_path / "news.db"
    with Store(db_path) as store:
        service = NewsService(store, summarise=long_summary)
        subscribe_all_and_import(service, tmp_path, [f"Story {n}" for n in range(6)])
        # Stored now, so the command's own summariser leaves them be: long digests.
        service.precompute_summaries([a.id for a in service.latest(6)])
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
           "NEWSBOT_DB": str(db_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "send-digests", "--all", "--no-rate-limit", "--json"],
        env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)["served"]) == CHATS
    for chat_id in CHATS:
        sent = api.messages_to(chat_id)
        assert len(sent) > 1
        # Not one a second per chat: the flag is for benchmarks against a local Bot API.
        assert sent[-1].at - sent[0].at < 1.0


async def test_a_failed_delivery_commit_fails_only_the_chats_waiting_on_it(service, add_articles,
                                                                          clock):
    chats = [CHAT + n for n in range(5)]
    for chat_id in chats:
        service.subscribe(chat_id, "Economy")
    add_articles(("Rates rise", "Economy"))
    record = service.record_deliveries
    batches: list[list[int]] = []

    def first_commit_fails(records):
        batches.append([chat_id for chat_id, _, _ in records])
        if len(batches) == 1:
            raise StoreError("disk I/O error")
        record(records)

    service.record_deliveries = first_commit_fails
    run = await sender_for(service, FakeBot(), clock).send_chats(chats)
    assert sorted(run.failed) == sorted(batches[0])
    assert sorted(run.served + run.failed) == chats
    assert sum(len(batch) for batch in batches) == len(chats)

    # Their messages were accepted but not recorded: the next run sends those chats again.
    service.record_deliveries = record
    again = await sender_for(service, FakeBot(), clock).send_chats(chats)
    assert sorted(again.served) == sorted(run.failed)
    assert sorted(again.empty) == sorted(run.served)


class GatedBot(FakeBot):
    """A FakeBot whose sends wait at ``gate`` until every sender has built its digest."""

    def __init__(self, gate: asyncio.Event, arrived: list[int], senders: int) -> None:
        super().__init__()
        self.gate, self.arrived, self.senders = gate, arrived, senders

    async def send_message(self, chat_id: int, text: str, **kwargs) -> None:
        self.arrived.append(chat_id)
        if len(self.arrived) >= self.senders:
            self.gate.set()
        await self.gate.wait()
        await super().send_message(chat_id, text, **kwargs)


async def test_two_senders_at_once_deliver_each_article_once(service, add_articles, clock):
    # Two senders on one store stand for two processes (cron's send-digests and the bot's job).
    service.subscribe(CHAT, "Economy")
    add_articles(("Rates rise", "Economy"), ("Banks merge", "Economy"))
    gate, arrived = asyncio.Event(), []
    bots = [GatedBot(gate, arrived, senders=2) for _ in range(2)]

    async def send(bot: GatedBot) -> None:
        try:
            await sender_for(service, bot, clock).send_digest(CHAT)
        finally:
            gate.set()  # a sender that stood back (the chat claimed) lets the other go

    await asyncio.gather(*(send(bot) for bot in bots))
    text = texts(bots[0]) + texts(bots[1])
    assert text.count("Rates rise</b>") == 1 and text.count("Banks merge</b>") == 1
