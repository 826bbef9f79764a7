import threading
from datetime import UTC, datetime, timedelta

from bot.store import Store

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
