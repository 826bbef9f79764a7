import threading
from datetime import UTC, datetime

from bot.models import Channel, ChatAddress
from bot.store import TOPIC_IDS_FROM, Store

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
FORUM = -1005001
TELEGRAM_ID_BOUND = 1 << 52  # Telegram chat ids have at most 52 significant bits


def test_each_topic_is_a_destination_of_its_own_that_no_chat_id_can_name(store):
    first = store.topic_destination(FORUM, 11)
    second = store.topic_destination(FORUM, 12)
    elsewhere = store.topic_destination(-1005002, 11)
    assert store.topic_destination(FORUM, 11) == first  # made once
    assert len({first, second, elsewhere}) == 3
    assert all(d >= TOPIC_IDS_FROM > TELEGRAM_ID_BOUND for d in (first, second, elsewhere))
    assert store.chat_address(first) == ChatAddress(FORUM, 11)
    assert store.chat_address(elsewhere) == ChatAddress(-1005002, 11)
    assert store.chat_address(FORUM) == ChatAddress(FORUM)

    store.subscribe(first, ["Harbour"], NOW)
    store.subscribe(second, ["Markets"], NOW)
    assert (store.subscriptions(first), store.subscriptions(second)) == (["Harbour"], ["Markets"])
    assert store.subscriptions(FORUM) == []


def test_a_new_topic_starts_with_its_forums_settings_and_speaks_its_language(store):
    store.update_chat(FORUM, delivery="hourly", timezone="Europe/Kyiv", silent=1,
                      language="uk")
    topic = store.topic_destination(FORUM, 11)
    settings = store.chat_settings(topic)
    assert (settings.delivery, settings.timezone, settings.silent) == ("hourly", "Europe/Kyiv",
                                                                       True)
    store.update_chat(topic, delivery="instant")
    assert store.chat_settings(FORUM).delivery == "hourly"  # and then its own
    assert store.chat_language(topic) == "uk"
    store.update_chat(FORUM, language="en")
    assert store.chat_language(topic) == "en"  # always the forum's


def test_a_forum_that_goes_away_takes_its_topics_and_a_gone_topic_goes_alone(store):
    topics = [store.topic_destination(FORUM, thread) for thread in (11, 12)]
    for destination in (FORUM, *topics):
        store.subscribe(destination, ["Harbour"], NOW)

    def active() -> list[int]:
        return sorted(chat.chat_id for chat in store.digest_chats())

    store.deactivate_chat(topics[0])
    assert active() == sorted([FORUM, topics[1]])
    store.deactivate_chat(FORUM)
    assert active() == []
    store.touch_chat(FORUM)  # someone writes in the forum
    assert active() == sorted([FORUM, *topics])


def test_a_managed_channel_is_selected_listed_and_forgotten(store):
    channel = Channel(-1006001, "Amsel Daily", "amsel_daily")
    other = Channel(-1006002, "Backwater", None)
    assert store.managed_channel(701) is None
    store.manage_channel(701, other, "en")
    store.manage_channel(701, channel, "en")
    store.manage_channel(701, channel, "uk")  # chosen again from a Ukrainian chat
    assert store.managed_channel(701) == channel  # the last chosen
    assert store.channels_managed_by(701) == [channel, other]  # by title
    assert store.channels_managed_by(702) == []
    assert store.chat_address(channel.chat_id) == ChatAddress(channel.chat_id, None, True)
    assert store.chat_language(channel.chat_id) == "uk"
    renamed = Channel(channel.chat_id, "Amsel Evening", "amsel_daily")
    store.manage_channel(702, renamed, None)
    assert store.channels_managed_by(701)[0].title == "Amsel Evening"  # one channel, renamed
    assert store.chat_language(channel.chat_id) == "uk"  # no language given: kept

    assert store.stop_managing(701) == renamed
    assert store.managed_channel(701) is None
    assert store.stop_managing(701) is None
    store.manage_channel(701, channel, None)
    store.forget_channel(701, channel.chat_id)
    assert store.managed_channel(701) is None
    assert store.channels_managed_by(701) == [other]
    assert store.managed_channel(702).chat_id == channel.chat_id  # another manager keeps it


def test_topics_first_seen_at_once_from_several_connections_get_one_id_each(tmp_path):
    path = tmp_path / "news.db"
    Store(path).close()
    start = threading.Barrier(8)
    found: list[tuple[int, int]] = []

    def first_message(thread: int) -> None:
        with Store(path) as store:
            start.wait()
            found.append((thread, store.topic_destination(FORUM, thread)))

    threads = [threading.Thread(target=first_message, args=(11 + n % 2,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_topic = {thread: {d for t, d in found if t == thread} for thread in (11, 12)}
    assert [len(ids) for ids in by_topic.values()] == [1, 1]  # one id per topic
    assert by_topic[11] != by_topic[12]
    with Store(path) as store:
        assert store.db.execute("SELECT count(*) FROM topics").fetchone()[0] == 2
