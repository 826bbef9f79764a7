"""Channels end to end, through the Bot API stand-in: chosen from a private chat with
/channel @name or a forwarded post once Telegram confirms who administers what; settings
commands then apply to the channel until /channel off; its news is posted there."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.handlers.chat_admins import ChatAdmins
from tests.botapi import BotAPIStandIn
from tests.test_bot import running_newsbot, say
from tests.test_groups import Clock, add_article, service_of

CHANNEL, QUIET_CHANNEL, MUTE_CHANNEL, STRANGERS = -1006001, -1006002, -1006003, -1006004
GROUP = -1007001
OWNER, EDITOR, READER = 701, 702, 703


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def newsbot(api: BotAPIStandIn, harbour_seeds: Path, tmp_path: Path, clock: Clock):
    api.add_channel(CHANNEL, "Amsel Daily", "amsel_daily",
                    members={OWNER: "creator", EDITOR: "administrator"})
    api.add_channel(QUIET_CHANNEL, "Not yet", "not_yet", members={OWNER: "creator"},
                    bot_status="left")
    api.add_channel(MUTE_CHANNEL, "Read only", "read_only", members={OWNER: "creator"},
                    bot_can_post=False)
    api.add_channel(STRANGERS, "Someone else's", "someone_else")
    api.add_group(GROUP, supergroup=True, members={OWNER: "creator"})
    async with running_newsbot(api, harbour_seeds, tmp_path / "news.db", digest_check_every=None,
                               chat_admins=ChatAdmins(ttl=300, clock=clock)) as application:
        yield application


async def test_an_administrator_manages_a_channel_from_a_private_chat(api, newsbot, harbour_seeds):
    service = service_of(newsbot)
    [chosen] = await say(api, OWNER, "/channel @amsel_daily")
    assert chosen.text.startswith("Now managing the channel Amsel Daily (@amsel_daily).")
    [followed] = await say(api, OWNER, "/subscribe Port Amsel")
    assert followed.text.splitlines()[0] == "📣 Amsel Daily (@amsel_daily)"
    assert "Now following: Port Amsel." in followed.text
    [saved] = await say(api, OWNER, "/alert ferry -strike")
    assert saved.text.startswith("📣 Amsel Daily")
    [timing] = await say(api, OWNER, "/digest_time 07:15")
    assert "07:15" in timing.text and timing.text.startswith("📣 Amsel Daily")
    assert service.subscriptions(CHANNEL) == ["Port Amsel"]
    assert [a.query for a in service.alerts(CHANNEL)] == ["ferry -strike"]
    assert service.subscriptions(OWNER) == []  # the private chat's own are untouched
    assert service.chat_settings(CHANNEL).digest_time == "07:15"

    [latest] = await say(api, OWNER, "/latest 1")  # reading stays in the private chat
    assert latest.text.startswith("Latest news")
    answer = await api.callback_answer(api.press(latest, "Follow Port Amsel"))
    assert answer["text"] == "📣 Amsel Daily: You already follow Port Amsel."

    await add_article(newsbot, harbour_seeds, "Ferry timetable changes", "Port Amsel")
    [posted] = await say(api, OWNER, "/digest")
    assert posted.text.startswith("📣 Amsel Daily") and "Posted the digest" in posted.text
    [post] = api.messages_to(CHANNEL)
    assert post.text.startswith("News digest — 1 new article")
    assert "Ferry timetable changes" in post.text
    # A reader's «Full text» opens the article in a private chat with the bot, not the channel.
    [full] = post.buttons
    article_id = service.latest(1)[0].id
    assert full["url"] == f"https://t.me/{api.username}?start={article_id}"
    [article] = await say(api, READER, f"/start {article_id}")
    assert article.text.startswith("Ferry timetable changes")

    [back] = await say(api, OWNER, "/channel off")
    assert back.text.startswith("No longer managing Amsel Daily")
    [mine] = await say(api, OWNER, "/subscriptions")
    assert mine.text.startswith("You follow no tags yet.")
    [status] = await say(api, OWNER, "/channel")
    assert status.text.startswith("Usage: /channel @name")


async def test_a_forwarded_post_chooses_the_channel_and_channels_lists_them(api, newsbot):
    service = service_of(newsbot)
    api.push_forward(EDITOR, CHANNEL)
    [chosen] = await api.replies(EDITOR, 1)
    assert chosen.text.startswith("Now managing the channel Amsel Daily")
    assert service.managed_channel(EDITOR).chat_id == CHANNEL
    [listing] = await say(api, EDITOR, "/channels")
    assert listing.text.splitlines()[1:] == ["📣 Amsel Daily (@amsel_daily) ✓"]
    before = len(api.messages_to(EDITOR))
    await api.callback_answer(api.press(listing, "This chat"))
    await api.replies(EDITOR, 1, after=before)
    assert service.managed_channel(EDITOR) is None
    before = len(api.messages_to(EDITOR))
    api.press(listing, "📣 Amsel Daily")
    [chosen] = await api.replies(EDITOR, 1, after=before)
    assert chosen.text.startswith("Now managing the channel Amsel Daily")
    assert service.managed_channel(EDITOR).chat_id == CHANNEL


@pytest.mark.parametrize(("command", "user", "answer"), [
    ("/channel @no_such_channel", OWNER, "I can't find the channel @no_such_channel."),
    ("/channel @not_yet", OWNER, "I'm not an administrator of Not yet."),
    ("/channel @read_only", OWNER, "I may not post in Read only."),
    ("/channel @someone_else", OWNER, "Only the channel's administrators can manage "
                                      "Someone else's."),
    ("/channel @amsel_daily", READER, "Only the channel's administrators can manage "
                                      "Amsel Daily."),
    ("/channel -1007001", OWNER, "Group -1007001 is not a channel."),
    ("/channel -1009999", OWNER, "I can't find the channel -1009999."),
    ("/channel <b>", OWNER, "Usage: /channel @name"),
])
async def test_a_channel_is_refused_unless_telegram_confirms_every_right(
        api, newsbot, command, user, answer):
    [refused] = await say(api, user, command)
    assert refused.text.startswith(answer)
    assert service_of(newsbot).managed_channel(user) is None
    [mine] = await say(api, user, "/subscribe Economy")  # settings still apply to the chat
    assert mine.text.startswith("Now following: Economy.")


async def test_a_group_is_not_a_channel_and_channel_is_for_private_chats(api, newsbot):
    api.push_forward(OWNER, CHANNEL)
    await api.replies(OWNER, 1)
    [refused] = await say(api, GROUP, "/channel @amsel_daily", user_id=OWNER)
    assert refused.text == "Send me this command in a private chat."
    [group_help] = await say(api, GROUP, "/help", user_id=OWNER)
    assert "/subscribe" in group_help.text and "/channel" not in group_help.text
    [private_help] = await say(api, OWNER, "/help")
    assert "/channel — Manage a channel from here" in private_help.text
    [listing] = await say(api, GROUP, "/subscriptions", user_id=OWNER)  # the group's own
    assert listing.text.startswith("You follow no tags yet.")


async def test_an_administrator_who_loses_the_channel_is_refused(api, newsbot, clock):
    await say(api, EDITOR, "/channel @amsel_daily")
    [followed] = await say(api, EDITOR, "/subscribe Economy")
    assert "Now following: Economy." in followed.text
    api.set_member(CHANNEL, EDITOR, "member")
    clock.now += 301  # the cached "yes" expires
    [refused] = await say(api, EDITOR, "/unsubscribe Economy")
    assert refused.text == ("You are no longer an administrator of Amsel Daily. "
                            "/channel off — back to this chat.")
    assert service_of(newsbot).subscriptions(CHANNEL) == ["Economy"]
    for command in ("/subscriptions", "/alerts", "/delivery"):  # nor read its settings
        [refused] = await say(api, EDITOR, command)
        assert refused.text.startswith("You are no longer an administrator of Amsel Daily."), \
            command
    [back] = await say(api, EDITOR, "/channel off")
    assert back.text.startswith("No longer managing Amsel Daily")


async def test_a_channel_that_removed_the_bot_stops_getting_news(api, newsbot, harbour_seeds):
    service = service_of(newsbot)
    await say(api, OWNER, "/channel @amsel_daily")
    await say(api, OWNER, "/subscribe Port Amsel")
    assert [c.chat_id for c in service.digest_chats()] == [CHANNEL]
    api.kick_bot(CHANNEL, user_id=OWNER, update=False)  # found out by posting
    await add_article(newsbot, harbour_seeds, "Ferry timetable changes", "Port Amsel")
    [told] = await say(api, OWNER, "/digest")
    assert told.text.startswith("I may not post in Amsel Daily.")
    assert service.digest_chats() == []
    assert api.messages_to(CHANNEL) == []


async def test_a_channel_that_took_the_right_to_post_stops_until_chosen_again(
        api, newsbot, harbour_seeds):
    service = service_of(newsbot)
    await say(api, OWNER, "/channel @amsel_daily")
    await say(api, OWNER, "/subscribe Port Amsel")
    api.block_chat(CHANNEL, 400, "Bad Request: need administrator rights in the channel chat")
    await add_article(newsbot, harbour_seeds, "Ferry timetable changes", "Port Amsel")
    [told] = await say(api, OWNER, "/digest")
    assert told.text.startswith("I may not post in Amsel Daily.")
    assert service.digest_chats() == []
    api.unblock_chat(CHANNEL)  # the right is given back
    [chosen] = await say(api, OWNER, "/channel @amsel_daily")
    assert chosen.text.startswith("Now managing the channel Amsel Daily")
    [posted] = await say(api, OWNER, "/digest")
    assert "Posted the digest" in posted.text
    [post] = api.messages_to(CHANNEL)
    assert "Ferry timetable changes" in post.text


async def test_telegram_saying_the_bot_may_no_longer_post_stops_the_channel_at_once(
        api, newsbot):
    service = service_of(newsbot)
    await say(api, OWNER, "/channel @amsel_daily")
    await say(api, OWNER, "/subscribe Port Amsel")
    api.set_bot_can_post(CHANNEL, False, user_id=OWNER)  # a my_chat_member update
    await api.until(lambda: service.digest_chats() == [])
    api.set_bot_can_post(CHANNEL, True, user_id=OWNER)
    await api.until(lambda: [c.chat_id for c in service.digest_chats()] == [CHANNEL])


async def test_a_channel_the_user_no_longer_administers_leaves_their_list(api, newsbot, clock):
    service = service_of(newsbot)
    await say(api, EDITOR, "/channel @amsel_daily")
    [listing] = await say(api, EDITOR, "/channels")
    api.set_member(CHANNEL, EDITOR, "member")
    clock.now += 301  # the cached "yes" expires
    answer = await api.callback_answer(api.press(listing, "📣 Amsel Daily"))
    assert answer["text"].startswith("Only the channel's administrators can manage Amsel Daily")
    assert service.channels_managed_by(EDITOR) == []
    assert service.managed_channel(EDITOR) is None
    [listing] = await say(api, EDITOR, "/channels")
    assert listing.text.startswith("You manage no channels yet.")
    assert service.channels_managed_by(OWNER) == []  # nobody else's list was touched
    await say(api, OWNER, "/channel @amsel_daily")
    assert [c.chat_id for c in service.channels_managed_by(OWNER)] == [CHANNEL]


async def test_titles_and_refusals_are_escaped(api, newsbot, clock):
    api.add_channel(-1006009, "<b>Rates & Bonds</b>", "rates_bonds",
                    members={EDITOR: "administrator"})
    [chosen] = await say(api, EDITOR, "/channel @rates_bonds")
    assert chosen.text.startswith("Now managing the channel <b>Rates & Bonds</b> (@rates_bonds).")
    api.set_member(-1006009, EDITOR, "left")
    clock.now += 301
    [refused] = await say(api, EDITOR, "/subscribe Economy")
    assert refused.text.startswith("You are no longer an administrator of <b>Rates & Bonds</b>.")


async def test_a_channel_posts_in_the_language_of_the_chat_that_chose_it(api, newsbot,
                                                                         harbour_seeds):
    [chosen] = await say(api, OWNER, "/channel @amsel_daily", language_code="uk")
    assert chosen.text.startswith("Тепер ви керуєте каналом Amsel Daily")
    await say(api, OWNER, "/subscribe Port Amsel")
    await add_article(newsbot, harbour_seeds, "Ferry timetable changes", "Port Amsel")
    [posted] = await say(api, OWNER, "/digest")
    assert posted.text.endswith("Дайджест опубліковано в каналі.")
    [post] = api.messages_to(CHANNEL)
    assert post.text.startswith("Дайджест новин — 1 нова стаття")  # readers are nobody's "you"
    assert post.buttons[0]["text"] == "Повний текст 1"
