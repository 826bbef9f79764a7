from bot.models import Summary


def test_summaries_are_keyed_by_text_method_and_length(store):
    summary = Summary(("One.", "Two."), "default", "english")
    store.save_summaries([("hash1", 2, summary)])
    assert store.get_summary("hash1", "default", 2) == summary
    assert store.get_summary("hash1", "default", 3) is None
    assert store.get_summary("hash1", "lead", 2) is None
    assert store.get_summary("hash2", "default", 2) is None
