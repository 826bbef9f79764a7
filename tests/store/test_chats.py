import threading
from datetime import UTC, datetime, timedelta

from bot.store import Store
from tests.store.conftest import make

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_subscriptions_are_case_insensitive(store):
    assert store.subscribe(7, ["Economy", "Climate"], NOW) == ["Economy", "Climate"]
    assert store.subscribe(7, ["ECONOMY"], NOW) == []
    assert store.subscriptions(7) == ["Climate", "Economy"]
    assert store.unsubscribe(7, "economy") == "Economy"
    assert store.unsubscribe(7, "economy") is None
    assert store.subscriptions(7) == ["Climate"]
    assert store.stats().subscribers == 1


def test_a_chat_claim_has_one_holder_until_released(store):
    assert store.claim_chat(7, "bot", NOW, ttl_seconds=300) is True
    assert store.claim_chat(7, "cron", NOW, ttl_seconds=300) is False
    assert store.claim_chat(8, "cron", NOW, ttl_seconds=300) is True  # claims are per chat
    store.release_chat(7, "cron")  # not cron's to release
    assert store.claim_chat(7, "cron", NOW, ttl_seconds=300) is False
    store.release_chat(7, "bot")
    assert store.claim_chat(7, "cron", NOW, ttl_seconds=300) is True


def test_a_crashed_holders_claim_expires(store):
    assert store.claim_chat(7, "crashed", NOW, ttl_seconds=300) is True
    assert store.claim_chat(7, "next", NOW + timedelta(seconds=299), ttl_seconds=300) is False
    assert store.claim_chat(7, "next", NOW + timedelta(seconds=300), ttl_seconds=300) is True
    assert store.claim_chat(7, "crashed", NOW + timedelta(seconds=301), ttl_seconds=300) is False


def test_claiming_again_extends_ones_own_claim(store):
    assert store.claim_chat(7, "bot", NOW, ttl_seconds=60) is True
    assert store.claim_chat(7, "bot", NOW + timedelta(seconds=50), ttl_seconds=60) is True
    assert store.claim_chat(7, "cron", NOW + timedelta(seconds=100), ttl_seconds=60) is False


def test_two_processes_claiming_at_once_get_one_claim(tmp_path):
    path = tmp_path / "news.db"
    Store(path).close()
    start = threading.Barrier(8)
    won: list[str] = []

    def claim(holder: str) -> None:
        with Store(path) as store:
            start.wait()
            if store.claim_chat(7, holder, NOW, ttl_seconds=300):
                won.append(holder)

    threads = [threading.Thread(target=claim, args=(f"sender{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_migrating_a_group_moves_settings_subscriptions_and_deliveries(store):
    store.upsert_articles([make("Harbour reopens", tags="Economy"),
                           make("Storm season", tags="Weather")])
    group, supergroup = -100, -1001000000100
    store.touch_chat(group, "uk")
    store.subscribe(group, ["Economy", "Weather"], NOW)
    store.update_chat(group, digest_time="07:30", timezone="Europe/Kyiv", digest_enabled=0)
    [harbour] = [a.id for a in store.latest(10) if a.title == "Harbour reopens"]
    store.record_deliveries([(group, [harbour], (2, NOW))])
    store.claim_chat(group, "bot", NOW, ttl_seconds=300)
    store.touch_chat(supergroup, "en")  # the supergroup's first message, seen before the move

    assert store.migrate_chat(group, supergroup) is True

    assert store.subscriptions(supergroup) == ["Economy", "Weather"]
    assert store.delivered_ids(supergroup) == [harbour]
    moved = store.chat_settings(supergroup)
    assert (moved.active, moved.digest_enabled, moved.digest_time, moved.timezone,
            moved.last_digest_seq, moved.last_digest_at) == (
        True, False, "07:30", "Europe/Kyiv", 2, NOW)
    assert store.chat_language(supergroup) == "uk"
    assert store.subscriptions(group) == [] and store.delivered_ids(group) == []
    assert store.chat_language(group) is None  # no row left behind
    assert store.chat_claim_holder(group) is None
    assert store.stats().subscribers == 1
    assert store.migrate_chat(group, supergroup) is False  # the second service message


def test_migrating_a_group_that_never_used_the_bot_changes_nothing(store):
    store.touch_chat(-1001000000200, None)
    assert store.migrate_chat(-200, -1001000000200) is False
    assert store.chat_settings(-1001000000200).digest_time == "08:00"
