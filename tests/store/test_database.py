import threading
from datetime import UTC, datetime

from bot.store import SCHEMA_VERSION, Store
from tests.store.conftest import make

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_two_imports_and_a_subscribe_at_once_all_complete(tmp_path):
    """Each writer has its own connection, as two processes would: the later ones wait for
    the write lock instead of failing with «database is locked»."""
    path = tmp_path / "news.db"
    Store(path).close()
    batches = {
        writer: [
            [make(f"Story {writer}-{b}-{n}", body=f"Word{writer}x{b}x{n} in the harbour.",
                  tags=f"Tag{n % 7}") for n in range(200)]
            for b in range(6)
        ]
        for writer in ("a", "b")
    }
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(work) -> None:
        try:
            with Store(path) as store:
                start.wait()
                work(store)
        except BaseException as exc:  # reported below, with the writer's traceback
            errors.append(exc)

    def importer(writer: str):
        def work(store: Store) -> None:
            for batch in batches[writer]:
                store.upsert_articles(batch)
        return work

    def subscriber(store: Store) -> None:
        for n in range(30):
            store.subscribe(n, [f"Tag{n % 7}"], NOW)

    threads = [threading.Thread(target=run, args=(work,))
               for work in (importer("a"), importer("b"), subscriber)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(path) as store:
        assert store.article_count() == 2 * 6 * 200
        assert store.stats().subscribers == 30
        assert store.subscriptions(29) == ["Tag1"]


def test_processes_opening_a_new_database_at_once_each_migrate_it_once(tmp_path):
    path = tmp_path / "new.db"
    start = threading.Barrier(4)
    errors: list[BaseException] = []
    versions: list[int] = []

    def open_store() -> None:
        start.wait()
        try:
            with Store(path) as store:
                versions.append(store.schema_version)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert versions == [SCHEMA_VERSION] * 4
