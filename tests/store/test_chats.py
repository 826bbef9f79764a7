from datetime import UTC, datetime

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_subscriptions_are_case_insensitive(store):
    assert store.subscribe(7, ["Economy", "Climate"], NOW) == ["Economy", "Climate"]
    assert store.subscribe(7, ["ECONOMY"], NOW) == []
    assert store.subscriptions(7) == ["Climate", "Economy"]
    assert store.unsubscribe(7, "economy") == "Economy"
    assert store.unsubscribe(7, "economy") is None
    assert store.subscriptions(7) == ["Climate"]
    assert store.stats().subscribers == 1
