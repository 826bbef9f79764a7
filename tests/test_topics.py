"""Forum topics end to end, through the Bot API stand-in: each topic follows its own tags and
gets its news in that topic; replies stay in the topic they answer; a deleted topic stops
alone; a forum the bot leaves stops with all its topics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_bot
from bot.config import Settings
from bot.digests import DigestSender
from bot.handlers.chat_admins import ChatAdmins
from bot.service import NewsService
from tests.botapi import BotAPIStandIn
from tests.conftest import Clock as DigestClock
from tests.conftest import articles_adder, fake_summarise
from tests.test_bot import running_newsbot
from tests.test_groups import REFUSAL, Clock, add_article, service_of

FORUM = -1005001
OWNER, MEMBER = 601, 602
HARBOUR, MARKETS = 11, 12  # two topics' message_thread_id


@pytest.fixture
async def newsbot(api: BotAPIStandIn, harbour_seeds: Path, tmp_path: Path):
    api.add_group(FORUM, forum=True, members={OWNER: "creator"})
    async with running_newsbot(api, harbour_seeds, tmp_path / "news.db", digest_check_every=None,
                               chat_admins=ChatAdmins(ttl=300, clock=Clock())) as application:
        yield application


async def say_in(api: BotAPIStandIn, thread_id: int | None, text: str, *,
                 user_id: int = OWNER, replies: int = 1):
    """A user writes in one topic of the forum (None: its General topic); the bot's replies."""
    before = len(api.messages_to(FORUM))
    api.push_message(FORUM, text, user_id=user_id, thread_id=thread_id)
    return await api.replies(FORUM, replies, after=before)


async def test_each_topic_follows_its_own_tags_and_gets_its_news_there(api, newsbot, harbour_seeds):
    [followed] = await say_in(api, HARBOUR, "/subscribe Port Amsel")
    assert followed.text.startswith("Now following: Port Amsel.")
    assert followed.thread_id == HARBOUR  # the answer stays in the topic
    assert followed.reply_to == api.last_said[FORUM]
    [followed] = await say_in(api, MARKETS, "/subscribe Economy")
    assert followed.thread_id == MARKETS

    [listing] = await say_in(api, HARBOUR, "/subscriptions", user_id=MEMBER)
    assert listing.text.splitlines()[1:] == ["• Port Amsel"]
    [listing] = await say_in(api, MARKETS, "/subscriptions", user_id=MEMBER)
    assert listing.text.splitlines()[1:] == ["• Economy"]
    [listing] = await say_in(api, None, "/subscriptions", user_id=MEMBER)  # General: the forum
    assert listing.text.startswith("You follow no tags yet.")
    assert listing.thread_id is None

    await add_article(newsbot, harbour_seeds, "Ferry timetable changes", "Port Amsel")
    await add_article(newsbot, harbour_seeds, "Rates rise again", "Economy")
    [digest] = await say_in(api, HARBOUR, "/digest")
    assert digest.thread_id == HARBOUR
    assert "Ferry timetable changes" in digest.text and "Rates rise" not in digest.text
    [digest] = await say_in(api, MARKETS, "/digest")
    assert digest.thread_id == MARKETS
    assert "Rates rise again" in digest.text and "Ferry" not in digest.text

    # The forum's scheduled run: each topic's news into its own topic, nothing twice.
    await add_article(newsbot, harbour_seeds, "Pilot boats on strike", "Port Amsel, Economy")
    before = len(api.messages_to(FORUM))
    run = await newsbot.bot_data.digests.send_all()
    sent = api.messages_to(FORUM)[before:]
    assert sorted(m.thread_id for m in sent) == [HARBOUR, MARKETS]
    assert all("Pilot boats on strike" in m.text for m in sent)
    assert all("Ferry" not in m.text and "Rates" not in m.text for m in sent)
    assert len(run.served) == 2


async def test_only_the_forums_administrators_change_a_topic_and_buttons_stay_in_it(
        api, newsbot):
    [refused] = await say_in(api, HARBOUR, "/subscribe Port Amsel", user_id=MEMBER)
    assert refused.text == REFUSAL and refused.thread_id == HARBOUR
    await say_in(api, HARBOUR, "/subscribe Port Amsel, Weather")
    [listing] = await say_in(api, HARBOUR, "/subscriptions", user_id=MEMBER)
    answer = await api.callback_answer(api.press(listing, "Unfollow Weather", user_id=MEMBER))
    assert answer["text"] == REFUSAL
    answer = await api.callback_answer(api.press(listing, "Unfollow Weather", user_id=OWNER))
    assert answer["text"] == "Stopped following Weather."
    service = service_of(newsbot)
    topic = service.topic_destination(FORUM, HARBOUR)
    assert service.subscriptions(topic) == ["Port Amsel"]
    assert service.subscriptions(FORUM) == []
    [delivery] = await say_in(api, MARKETS, "/delivery instant")
    assert delivery.thread_id == MARKETS
    api.press(delivery, "Instant", user_id=OWNER)
    await api.until(lambda: service.chat_settings(
        service.topic_destination(FORUM, MARKETS)).delivery == "instant")
    assert service.chat_settings(topic).delivery == "daily"  # the other topic is unchanged


async def test_a_deleted_topic_stops_alone_and_a_forum_the_bot_left_stops_whole(
        api, store, write_article, tmp_path):
    service = NewsService(store, summarise=fake_summarise)
    harbour = service.topic_destination(FORUM, HARBOUR)
    markets = service.topic_destination(FORUM, MARKETS)
    for destination, tag in ((harbour, "Port Amsel"), (markets, "Economy"), (FORUM, "Economy")):
        service.subscribe(destination, tag)
    api.add_group(FORUM, forum=True)
    write_article("new/a.txt", title="Ferry timetable changes", tags="Port Amsel, Economy")
    service.import_paths([tmp_path / "new"])
    api.delete_topic(FORUM, HARBOUR)
    async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
        run = await DigestSender(bot, service, chat_interval=0).send_all()
    assert run.unreachable == [harbour]
    assert sorted(run.served) == sorted([markets, FORUM])
    assert sorted(m.thread_id or 0 for m in api.messages_to(FORUM)) == [0, MARKETS]
    assert sorted(c.chat_id for c in service.digest_chats()) == sorted([FORUM, markets])

    service.touch_chat(FORUM)  # someone writes in the forum: its topics are tried again
    write_article("newer/b.txt", title="Rates rise again", tags="Economy")
    service.import_paths([tmp_path / "newer"])
    api.kick_bot(FORUM, user_id=OWNER, update=False)
    async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
        run = await DigestSender(bot, service, chat_interval=0).send_all()
    assert run.served == [] and len(run.unreachable) >= 1
    assert service.digest_chats() == []  # the forum and every topic stop
    assert service.subscriptions(markets) == ["Economy"]  # kept, for when it comes back


async def job_runs(application, count: int, timeout: float = 10) -> None:
    """Wait until the digest job has been started ``count`` more times (its next run time
    moves on with each), yielding to the event loop it runs on."""
    [job] = application.job_queue.get_jobs_by_name("send_due_digests")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen, runs = job.next_t, 0
    while runs < count:
        assert loop.time() < deadline, "the digest job did not run"
        await asyncio.sleep(0)
        if job.next_t != seen:
            seen, runs = job.next_t, runs + 1


async def test_a_topics_instant_news_and_quiet_hours_are_its_own(api, harbour_seeds, tmp_path,
                                                               write_article):
    """Through the running bot's job, with an injected clock: one topic gets its saved
    search's matches a minute after import; the other, in its quiet hours, gets them as one
    message when they end."""
    api.add_group(FORUM, forum=True, members={OWNER: "creator"})
    start = datetime.now(UTC)
    clock = DigestClock(start)
    quiet_from = (start - timedelta(hours=1)).strftime("%H:%M")
    quiet_until = (start + timedelta(hours=1)).strftime("%H:%M")
    async with running_newsbot(api, harbour_seeds, tmp_path / "news.db", clock=clock,
                               digest_check_every=0.05, digest_first_check=0) as application:
        for thread in (HARBOUR, MARKETS):
            await say_in(api, thread, "/alert harbour")
            [shown] = await say_in(api, thread, "/delivery")
            api.press(shown, "Instant", user_id=OWNER)
            await api.until(lambda shown=shown: "Instant:" in shown.text)
        [quiet] = await say_in(api, MARKETS, f"/quiet {quiet_from}-{quiet_until}")
        assert "Quiet hours" in quiet.text
        before = len(api.messages_to(FORUM))
        articles_adder(service_of(application), write_article, tmp_path)(
            ("Harbour reopens", "Weather"), ("Harbour strike ends", "Ports"))
        clock.now = datetime.now(UTC) + timedelta(seconds=61)  # the batch's minute is over
        [news] = await api.replies(FORUM, 1, after=before)
        assert news.thread_id == HARBOUR
        assert news.text.startswith("Your news digest — 2 new articles")
        clock.now += timedelta(minutes=30)  # still quiet in the other topic
        await job_runs(application, 3)
        assert len(api.messages_to(FORUM)) == before + 1
        clock.now = start + timedelta(minutes=62)  # its quiet hours are over
        [waited] = await api.replies(FORUM, 1, after=before + 1)
        assert waited.thread_id == MARKETS
        assert waited.text.startswith("Your news digest — 2 new articles")
