"""Delivery modes, quiet hours and silent news: with a fake bot and clock, then over HTTP."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidQuery
from bot.service import NewsService
from tests.conftest import USER_ARTICLE, Clock, articles_adder, fake_summarise
from tests.test_bot import USER, running_newsbot, say
from tests.test_digests import FakeBot, sender_for

CHAT = 1001
KYIV = ZoneInfo("Europe/Kyiv")


class SoundBot(FakeBot):
    """Also records whether each accepted message was sent silently."""

    def __init__(self) -> None:
        super().__init__()
        self.silent: list[bool] = []

    async def send_message(self, chat_id: int, text: str, **kwargs) -> None:
        await super().send_message(chat_id, text, **kwargs)
        self.silent.append(kwargs["disable_notification"])


@pytest.fixture
def clock() -> Clock:
    # Articles are stamped with the real import time: the clock starts there.
    return Clock(datetime.now(UTC))


@pytest.fixture
def service(store, clock) -> NewsService:
    return NewsService(store, summarise=fake_summarise, clock=clock)


def due(service: NewsService, clock: Clock) -> list[int]:
    return [chat.chat_id for chat in service.due_chats(clock.now)]


def test_modes_and_quiet_hours_are_checked(service):
    assert service.chat_settings(CHAT).delivery == "daily"
    assert service.set_delivery(CHAT, " Instant ").delivery == "instant"
    with pytest.raises(InvalidQuery):
        service.set_delivery(CHAT, "weekly")
    chat = service.set_quiet_hours(CHAT, "23:00-7:00")
    assert (chat.quiet_start, chat.quiet_end) == ("23:00", "07:00")
    for bad in ("23:00", "25:00-07:00", "07:00-07:00", "late-early"):
        with pytest.raises(InvalidQuery):
            service.set_quiet_hours(CHAT, bad)
    chat = service.set_quiet_hours(CHAT, "off")
    assert (chat.quiet_start, chat.quiet_end) == (None, None)
    assert service.set_silent(CHAT, True).silent


async def test_instant_news_waits_a_minute_then_goes_as_one_message(service, add_articles,
                                                                    clock):
    service.subscribe(CHAT, "Economy")
    service.set_delivery(CHAT, "instant")
    service.add_alert(CHAT, "harbour")
    add_articles(("Rates rise", "Economy"), ("Harbour reopens", "Weather"),
                 ("Budget agreed", "Economy"), ("Football final", "Sport"))
    clock.now += timedelta(seconds=30)
    assert due(service, clock) == []  # more may arrive within the minute
    clock.now += timedelta(seconds=31)
    assert due(service, clock) == [CHAT]
    bot = SoundBot()
    run = await sender_for(service, bot, clock).send_due()
    assert run.served == [CHAT]
    [(_, text)] = bot.accepted
    assert text.startswith("<b>Your news digest</b> — 3 new articles")
    assert text.index("Budget agreed") < text.index("Harbour reopens") < text.index("Rates rise")
    assert bot.silent == [False]
    assert due(service, clock) == []
    again = SoundBot()
    await sender_for(service, again, clock).send_due()
    assert again.accepted == []


async def test_hourly_news_goes_at_most_once_an_hour_and_silently_when_asked(
        service, add_articles, clock):
    service.subscribe(CHAT, "Economy")
    service.set_delivery(CHAT, "hourly")
    service.set_silent(CHAT, True)
    add_articles(("Rates rise", "Economy"))
    clock.now += timedelta(minutes=59)  # following began the first hour
    assert due(service, clock) == []
    clock.now += timedelta(minutes=1)
    bot = SoundBot()
    await sender_for(service, bot, clock).send_due()
    assert len(bot.accepted) == 1 and bot.silent == [True]
    add_articles(("Budget agreed", "Economy"))
    clock.now += timedelta(minutes=59)
    assert due(service, clock) == []
    clock.now += timedelta(minutes=1)
    assert due(service, clock) == [CHAT]
    await sender_for(service, bot, clock).send_due()
    assert "Budget agreed" in bot.accepted[1][1] and "Rates rise" not in bot.accepted[1][1]


async def test_quiet_hours_hold_instant_news_until_their_end_in_the_chats_timezone(
        service, add_articles, clock):
    service.subscribe(CHAT, "Economy")
    service.set_delivery(CHAT, "instant")
    service.set_timezone(CHAT, "Europe/Kyiv")
    service.set_quiet_hours(CHAT, "23:00-07:00")
    add_articles(("Rates rise", "Economy"), ("Budget agreed", "Economy"))
    tomorrow = (clock.now + timedelta(days=1)).astimezone(KYIV).date()
    clock.now = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 6, 59, tzinfo=KYIV)
    assert due(service, clock) == []
    clock.now = clock.now.replace(hour=7, minute=0)
    assert due(service, clock) == [CHAT]
    bot = SoundBot()
    await sender_for(service, bot, clock).send_due()
    [(_, text)] = bot.accepted
    assert "Rates rise" in text and "Budget agreed" in text


async def test_quiet_hours_leave_the_daily_digest_at_its_time(service, add_articles, clock):
    service.subscribe(CHAT, "Economy")
    service.set_timezone(CHAT, "Europe/Kyiv")
    service.set_digest_time(CHAT, "06:00")
    service.set_quiet_hours(CHAT, "23:00-07:00")
    add_articles(("Rates rise", "Economy"))
    tomorrow = (clock.now + timedelta(days=1)).astimezone(KYIV).date()
    clock.now = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 6, 1, tzinfo=KYIV)
    assert due(service, clock) == [CHAT]


def test_a_group_that_became_a_supergroup_keeps_how_news_arrives(service):
    group, supergroup = -100, -1001
    service.set_delivery(group, "hourly")
    service.set_quiet_hours(group, "22:30-06:15")
    service.set_silent(group, True)
    assert service.migrate_chat(group, supergroup)
    chat = service.chat_settings(supergroup)
    assert (chat.delivery, chat.quiet_start, chat.quiet_end, chat.silent) == (
        "hourly", "22:30", "06:15", True)


# -- through the bot ------------------------------------------------------------------------


@pytest.fixture
def seeds(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(USER_ARTICLE, folder)
    return folder


async def test_delivery_buttons_quiet_and_silent_commands(api, seeds, tmp_path):
    async with running_newsbot(api, seeds, tmp_path / "news.db", digest_check_every=None):
        [shown] = await say(api, USER, "/delivery")
        assert shown.text.splitlines() == [
            "News arrives — Daily: one digest at your digest time.",
            "No quiet hours. Set them with /quiet 23:00-07:00.",
            "News arrives with a notification (/silent on to mute it)."]
        assert [b["text"] for b in shown.buttons] == ["Instant", "Hourly", "Daily"]
        answer = await api.callback_answer(api.press(shown, "Instant"))
        assert answer["text"] == "News now arrives: instant."
        await api.until(lambda: "Instant:" in shown.text)
        assert shown.text.startswith("News arrives — Instant: new articles within two minutes")
        [quiet] = await say(api, USER, "/quiet 23:00-07:00")
        assert quiet.text.splitlines()[1] == (
            "Quiet hours: 23:00–07:00 (UTC); instant and hourly news waits and arrives as one "
            "message at the end.")
        [bad] = await say(api, USER, "/quiet 23:00")
        assert bad.text.startswith("Usage: /quiet HH:MM-HH:MM")
        [silent] = await say(api, USER, "/silent on")
        assert silent.text.splitlines()[2] == "News arrives silently (/silent off for a sound)."
        [usage] = await say(api, USER, "/silent maybe")
        assert usage.text == "Usage: /silent on or /silent off"


async def test_instant_news_arrives_from_the_running_bot_without_cron(api, seeds, tmp_path,
                                                                      write_article):
    clock = Clock(datetime.now(UTC))
    async with running_newsbot(api, seeds, tmp_path / "news.db", clock=clock,
                               digest_check_every=0.05, digest_first_check=0) as application:
        service = application.bot_data.service
        await say(api, USER, "/alert harbour")
        [shown] = await say(api, USER, "/delivery")
        api.press(shown, "Instant")
        await api.until(lambda: "Instant:" in shown.text)
        before = len(api.messages_to(USER))
        articles_adder(service, write_article, tmp_path)(
            ("Harbour reopens", "Weather"), ("Harbour strike ends", "Ports"))
        clock.now += timedelta(seconds=61)
        [news] = await api.replies(USER, 1, after=before)
        assert news.text.startswith("Your news digest — 2 new articles")
        assert "Saved search: “harbour”" in news.text


async def test_in_a_group_only_admins_save_alerts_or_change_delivery(api, seeds, tmp_path):
    group, owner, member = -4001, 501, 503
    api.add_group(group, members={owner: "creator", member: "member"})
    refusal = "Only this chat's administrators can change what it follows and how news arrives."
    async with running_newsbot(api, seeds, tmp_path / "news.db", digest_check_every=None):
        [refused] = await say(api, group, "/alert harbour", user_id=member)
        assert refused.text == refusal
        [refused] = await say(api, group, "/quiet 23:00-07:00", user_id=member)
        assert refused.text == refusal
        [saved] = await say(api, group, "/alert harbour", user_id=owner)
        assert saved.text.startswith("Saved the search “harbour”")
        [listing] = await say(api, group, "/alerts", user_id=member)  # anyone may look
        answer = await api.callback_answer(api.press(listing, "Remove 1", user_id=member))
        assert answer["text"] == refusal
        [shown] = await say(api, group, "/delivery", user_id=member)
        answer = await api.callback_answer(api.press(shown, "Hourly", user_id=member))
        assert answer["text"] == refusal
        answer = await api.callback_answer(api.press(shown, "Hourly", user_id=owner))
        assert answer["text"] == "News now arrives: hourly."


async def test_quiet_hours_and_silent_news_from_the_running_bot(api, seeds, tmp_path,
                                                                write_article):
    now = datetime.now(UTC)
    clock = Clock(now)
    quiet_from = (now - timedelta(hours=1)).strftime("%H:%M")
    quiet_to = (now + timedelta(hours=1)).strftime("%H:%M")
    async with running_newsbot(api, seeds, tmp_path / "news.db", clock=clock,
                               digest_check_every=0.05, digest_first_check=0) as application:
        service = application.bot_data.service
        await say(api, USER, "/alert harbour")
        await say(api, USER, f"/quiet {quiet_from}-{quiet_to}")
        await say(api, USER, "/silent on")
        [shown] = await say(api, USER, "/delivery")
        api.press(shown, "Instant")
        await api.until(lambda: "Instant:" in shown.text)
        before = len(api.messages_to(USER))
        adder = articles_adder(service, write_article, tmp_path)
        adder(("Harbour reopens", "Weather"))
        clock.now += timedelta(minutes=30)
        adder(("Harbour strike ends", "Ports"))
        clock.now += timedelta(minutes=2)
        assert service.due_chats(clock.now) == []  # quiet hours: the news waits
        clock.now = now + timedelta(hours=1, minutes=1)
        [news] = await api.replies(USER, 1, after=before)
        assert news.text.startswith("Your news digest — 2 new articles")
        [params] = [p for method, p in api.requests
                    if method == "sendMessage" and "Your news digest" in str(p.get("text"))]
        assert params["disable_notification"] in (True, "true", "True")
