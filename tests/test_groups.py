"""Groups and supergroups end to end, through the Bot API stand-in: who may change a group's
settings, replies addressed to the asking message, commands for other bots, a group that
becomes a supergroup, and a bot removed from a group."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import build_bot
from bot.config import Settings
from bot.digests import DigestSender
from bot.handlers.chat_admins import ChatAdmins
from bot.service import NewsService
from tests.botapi import BotAPIStandIn
from tests.conftest import article_text, fake_summarise
from tests.test_bot import ADMIN, OTHER, USER, running_newsbot, say

GROUP, SUPERGROUP = -4001, -1004001
OWNER, MODERATOR, MEMBER = 501, 502, 503
REFUSAL = "Only this chat's administrators can change what it follows and how news arrives."


class Clock:
    """Seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for n in range(3):
        (folder / f"harbour{n}.txt").write_text(article_text(
            f"Harbour story {n}", tags="Port Amsel, Economy",
            published=f"2025-02-0{n + 1}T08:00:00+02:00",
            body=f"The harbour moved {n} ships. Dockers worked late."))
    return folder


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def newsbot(api: BotAPIStandIn, seeds: Path, tmp_path: Path, clock: Clock):
    api.add_group(GROUP, members={OWNER: "creator", MODERATOR: "administrator"})
    async with running_newsbot(api, seeds, tmp_path / "news.db", digest_check_every=None,
                               chat_admins=ChatAdmins(ttl=300, clock=clock)) as application:
        yield application


def service_of(application) -> NewsService:
    return application.bot_data.service


async def add_article(application, seeds: Path, title: str, tags: str) -> None:
    (seeds / f"{title}.txt").write_text(article_text(title, tags=tags,
                                                     body=f"{title} today. More follows."))
    await asyncio.to_thread(service_of(application).import_seeds)


async def test_members_read_but_only_administrators_change_what_a_group_follows(api, newsbot):
    [latest] = await say(api, GROUP, "/latest 1", user_id=MEMBER)
    assert latest.text.startswith("Latest news")
    assert latest.reply_to == api.last_said[GROUP]  # addressed to the asking message
    [results] = await say(api, GROUP, "/search harbour", user_id=MEMBER)
    assert results.text.startswith("Results for “harbour”")
    assert results.reply_to == api.last_said[GROUP]
    before = len(api.messages_to(GROUP))
    api.press(latest, "Full text 1", user_id=MEMBER)
    [article] = await api.replies(GROUP, 1, after=before)
    assert article.text.startswith("Harbour story 2")
    assert article.reply_to == latest.message_id  # under the list whose button was pressed
    assert api.chat_member_lookups(GROUP) == 0  # reading needs no check

    for command in ("/subscribe Economy", "/unsubscribe Economy", "/digest_time 07:00",
                    "/timezone Europe/Kyiv", "/digest_off", "/digest_on", "/digest"):
        [refused] = await say(api, GROUP, command, user_id=MEMBER)
        assert refused.text == REFUSAL, command
        assert refused.reply_to == api.last_said[GROUP]
    [followed] = await say(api, GROUP, "/subscribe Economy", user_id=MODERATOR)
    assert followed.text.startswith("Now following: Economy.")
    [timing] = await say(api, GROUP, "/digest_time 07:30", user_id=OWNER)
    assert timing.text.startswith("Your digest arrives daily at 07:30 (UTC)")

    [listing] = await say(api, GROUP, "/subscriptions", user_id=MEMBER)  # reading is for all
    assert listing.text.splitlines()[1:] == ["• Economy"]
    answer = await api.callback_answer(api.press(listing, "Unfollow Economy", user_id=MEMBER))
    assert (answer["text"], answer["show_alert"]) == (REFUSAL, "true")  # form data
    [card] = await say(api, GROUP, "/latest 1", user_id=MEMBER)
    answer = await api.callback_answer(api.press(card, "Follow Port Amsel", user_id=MEMBER))
    assert answer["text"] == REFUSAL
    [listing] = await say(api, GROUP, "/subscriptions", user_id=MEMBER)
    assert listing.text.splitlines()[1:] == ["• Economy"]
    answer = await api.callback_answer(api.press(listing, "Unfollow Economy", user_id=OWNER))
    assert answer["text"] == "Stopped following Economy."

    [private] = await say(api, USER, "/subscribe Economy")  # a private chat: no check
    assert private.text.startswith("Now following: Economy.")
    assert private.reply_to is None  # and no quoting
    assert api.chat_member_lookups(USER) == 0


async def test_an_administrators_answer_is_cached_and_a_refusal_asks_again(api, newsbot, clock):
    await say(api, GROUP, "/subscribe Economy", user_id=MODERATOR)
    await say(api, GROUP, "/subscribe Weather", user_id=MODERATOR)
    assert api.chat_member_lookups(GROUP) == 1  # the second answer came from the cache
    clock.now += 301
    await say(api, GROUP, "/subscribe Climate", user_id=MODERATOR)
    assert api.chat_member_lookups(GROUP) == 2  # expired: asked again

    [refused] = await say(api, GROUP, "/digest_off", user_id=MEMBER)
    assert refused.text == REFUSAL
    api.set_member(GROUP, MEMBER, "administrator")  # promoted a moment after being refused
    [off] = await say(api, GROUP, "/digest_off", user_id=MEMBER)
    assert off.text.startswith("Daily digests are off.")
    assert api.chat_member_lookups(GROUP) == 4  # a "no" is never taken from the cache

    api.set_member(GROUP, MEMBER, "member")  # demoted: the cached "yes" holds until it expires
    [on] = await say(api, GROUP, "/digest_on", user_id=MEMBER)
    assert on.text.startswith("Your digest arrives daily")
    clock.now += 301
    [refused] = await say(api, GROUP, "/digest_off", user_id=MEMBER)
    assert refused.text == REFUSAL


async def test_a_demotion_telegram_reports_takes_effect_at_once(api, newsbot):
    [followed] = await say(api, GROUP, "/subscribe Economy", user_id=MODERATOR)
    assert followed.text.startswith("Now following: Economy.")
    api.set_member(GROUP, MODERATOR, "member", update=True)  # a chat_member update
    await api.until(lambda: api.acknowledged(api.last_update_id))
    [refused] = await say(api, GROUP, "/subscribe Weather", user_id=MODERATOR)
    assert refused.text == REFUSAL


async def test_an_anonymous_administrator_writing_as_the_group_counts_as_one(api, newsbot):
    api.push_message(GROUP, "/subscribe Economy", anonymous_admin=True)
    [followed] = await api.replies(GROUP, 1)
    assert followed.text.startswith("Now following: Economy.")
    assert followed.reply_to == api.last_said[GROUP]
    assert api.chat_member_lookups(GROUP) == 0


async def test_commands_for_another_bot_are_ignored(api, newsbot):
    api.push_message(GROUP, "/latest@OtherBot 1", user_id=MEMBER)
    api.push_message(GROUP, "/subscribe@OtherBot Economy", user_id=OWNER)
    # Fetched (the bot's next poll acknowledged them), then a command for this bot answered.
    await api.until(lambda: api.acknowledged(api.last_update_id))
    [answer] = await say(api, GROUP, "/subscriptions@newsbot_test_bot", user_id=MEMBER)
    assert answer.text.startswith("You follow no tags yet.")
    [welcome] = await say(api, GROUP, "/start@NewsBot_Test_Bot", user_id=MEMBER)
    assert welcome.text.startswith("Welcome to newsbot!")
    assert [m.text.split("\n")[0] for m in api.messages_to(GROUP)] == [
        answer.text.split("\n")[0], welcome.text.split("\n")[0]]
    assert api.chat_member_lookups(GROUP) == 0


async def test_the_bots_own_admins_are_answered_only_in_private(api, newsbot):
    [help_text] = await say(api, GROUP, "/help", user_id=ADMIN)
    assert "/reimport" not in help_text.text and "/stats" not in help_text.text
    [refused] = await say(api, GROUP, "/stats", user_id=ADMIN)
    assert refused.text == "Send me this command in a private chat."
    [refused] = await say(api, GROUP, "/stats", user_id=OTHER)
    assert refused.text == "This command is for administrators."
    [stats] = await say(api, ADMIN, "/stats")
    assert stats.text.splitlines()[1] == "Articles: 3"


async def test_a_group_that_becomes_a_supergroup_keeps_its_tags_and_history(api, newsbot,
                                                                             seeds):
    service = service_of(newsbot)
    await say(api, GROUP, "/subscribe Lighthouses", user_id=OWNER, language_code="uk")
    await say(api, GROUP, "/digest_time 06:45", user_id=OWNER)
    await add_article(newsbot, seeds, "Lighthouse keepers return", "Lighthouses")
    [digest] = await say(api, GROUP, "/digest", user_id=OWNER)
    assert digest.text.startswith("Ваш дайджест новин — 1 нова стаття")

    api.push_migration(GROUP, SUPERGROUP, user_id=OWNER)
    await api.until(lambda: service.subscriptions(SUPERGROUP) == ["Lighthouses"])
    assert service.subscriptions(GROUP) == []
    assert [c.chat_id for c in service.digest_chats()] == [SUPERGROUP]

    [nothing] = await say(api, SUPERGROUP, "/digest", user_id=OWNER)  # nothing is sent twice
    assert nothing.text.startswith("Від останнього дайджесту за вашими тегами нічого нового.")
    [timing] = await say(api, SUPERGROUP, "/digest_time", user_id=OWNER)
    assert "06:45" in timing.text
    [refused] = await say(api, SUPERGROUP, "/digest_off", user_id=MEMBER)  # admins moved too
    assert refused.text.startswith("Змінювати, за чим стежить цей чат")
    await add_article(newsbot, seeds, "Lighthouse lamp repaired", "Lighthouses")
    [digest] = await say(api, SUPERGROUP, "/digest", user_id=OWNER)
    assert "Lighthouse lamp repaired" in digest.text
    assert "Lighthouse keepers return" not in digest.text
    assert not [r for r in api.rejected if r[0] != "getUpdates"]


async def test_a_digest_sent_to_a_migrated_group_moves_it_and_goes_to_the_supergroup(
        api, store, write_article, tmp_path):
    service = NewsService(store, summarise=fake_summarise)
    write_article("old/light.txt", title="Lighthouse keepers return", tags="Lighthouses")
    service.import_paths([tmp_path / "old"])
    service.subscribe(GROUP, "Lighthouses")
    [old_id] = [a.id for a in service.latest(5)]
    service.record_deliveries([(GROUP, [old_id], None)])  # delivered before the upgrade
    write_article("new/lamp.txt", title="Lighthouse lamp repaired", tags="Lighthouses")
    service.import_paths([tmp_path / "new"])
    api.push_migration(GROUP, SUPERGROUP, user_id=OWNER)  # nobody reads the updates
    async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
        run = await DigestSender(bot, service, chat_interval=0).send_all()
    assert run.migrated == [(GROUP, SUPERGROUP)]
    assert run.served == [SUPERGROUP] and run.failed == []
    assert api.messages_to(GROUP) == []
    [digest] = api.messages_to(SUPERGROUP)
    assert "Lighthouse lamp repaired" in digest.text
    assert "Lighthouse keepers return" not in digest.text
    assert [c.chat_id for c in service.digest_chats()] == [SUPERGROUP]
    assert len(service.delivered_ids(SUPERGROUP)) == 2


async def test_a_bot_removed_from_a_group_stops_its_digests(api, newsbot):
    service = service_of(newsbot)
    await say(api, GROUP, "/subscribe Economy", user_id=OWNER)
    assert [c.chat_id for c in service.digest_chats()] == [GROUP]
    api.kick_bot(GROUP, user_id=OWNER)  # Telegram's my_chat_member update
    await api.until(lambda: service.digest_chats() == [])
    assert service.subscriptions(GROUP) == ["Economy"]  # kept, for when it comes back
    api.add_bot(GROUP, user_id=OWNER)
    await api.until(lambda: [c.chat_id for c in service.digest_chats()] == [GROUP])


async def test_a_digest_answered_bot_was_kicked_marks_the_group_inactive(
        api, store, write_article, tmp_path, caplog):
    service = NewsService(store, summarise=fake_summarise)
    api.add_group(SUPERGROUP, supergroup=True)
    for chat_id in (GROUP, SUPERGROUP, USER):
        service.subscribe(chat_id, "Economy")
    write_article("new/rates.txt", title="Rates rise", tags="Economy")
    service.import_paths([tmp_path / "new"])
    for chat_id in (GROUP, SUPERGROUP):
        api.kick_bot(chat_id, user_id=OWNER, update=False)  # no update: found out by sending
    async with build_bot(Settings(token=api.token, base_url=api.base_url)) as bot:
        run = await DigestSender(bot, service, chat_interval=0).send_all()
    assert sorted(run.unreachable) == [SUPERGROUP, GROUP]
    assert run.served == [USER]
    assert "Forbidden: bot was kicked from the group chat" in caplog.text
    assert "Forbidden: bot was kicked from the supergroup chat" in caplog.text
    assert [c.chat_id for c in service.digest_chats()] == [USER]
