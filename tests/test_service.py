import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.app import build_application, prepare
from bot.config import Settings
from bot.errors import (
    ArgumentOutOfRange,
    ArticleNotFound,
    EmptyArgument,
    ImportInProgress,
)
from bot.service import IMPORT_BATCH, NewsService
from bot.store import Store
from tests.botapi import BotAPIStandIn
from tests.conftest import SEEDS, USER_ARTICLE, article_text, fake_summarise


def test_import_reports_every_failure_and_imports_the_good_files(service, write_article,
                                                                 tmp_path):
    write_article("good/one.txt", title="One")
    write_article("good/two.txt", title="Two")
    write_article("bad/empty.txt", "")
    write_article("bad/no_offset.txt", title="T", published="2025-01-01T10:00:00")
    write_article("bad/latin1.txt", article_text(title="Café").encode("latin-1"))
    report = service.import_paths([tmp_path / "good", tmp_path / "bad", tmp_path / "missing"])
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    failures = sorted((Path(f.path).name, f.line, f.error.split(";")[0]) for f in report.failed)
    assert failures == [
        ("empty.txt", None, "file is empty"),
        ("latin1.txt", 3, "not valid UTF-8 (byte 0xe9 at offset 59)"),
        ("missing", None, "no such file or directory"),
        ("no_offset.txt", 1, "datetime '2025-01-01T10:00:00' has no UTC offset"),
    ]
    assert sorted(a.title for a in service.latest(10)) == ["One", "Two"]


def test_reimport_is_unchanged_and_one_edit_is_one_update(service, write_article, tmp_path):
    for n in range(3):
        write_article(f"a{n}.txt", title=f"Title {n}")
    assert service.import_paths([tmp_path]).as_dict() == {
        "added": 3, "updated": 0, "unchanged": 0, "failed": []}
    assert service.import_paths([tmp_path]).as_dict() == {
        "added": 0, "updated": 0, "unchanged": 3, "failed": []}
    write_article("a1.txt", title="Title 1", body="A corrected body.")
    assert service.import_paths([tmp_path]).as_dict() == {
        "added": 0, "updated": 1, "unchanged": 2, "failed": []}
    assert len(service.latest(10)) == 3


def test_moved_or_renamed_file_is_the_same_article(service, write_article, tmp_path):
    first = write_article("inbox/story.txt")
    service.import_paths([first])
    moved = tmp_path / "archive" / "2025" / "renamed.txt"
    moved.parent.mkdir(parents=True)
    first.rename(moved)
    report = service.import_paths([tmp_path])
    assert (report.added, report.unchanged) == (0, 1)


def test_a_second_import_while_one_runs_is_refused(store, write_article, tmp_path):
    write_article("one.txt")
    started, release = threading.Event(), threading.Event()

    def slow_summarise(*args, **kwargs):
        raise AssertionError("not called")

    service = NewsService(store, summarise=slow_summarise)

    def progress(_count: int) -> None:
        started.set()
        release.wait(5)

    worker = threading.Thread(target=service.import_paths, args=([tmp_path],),
                              kwargs={"progress": progress})
    worker.start()
    assert started.wait(5)
    assert service.import_running
    with pytest.raises(ImportInProgress, match="already running"):
        service.import_paths([tmp_path])
    release.set()
    worker.join(5)
    assert not service.import_running


def test_latest_and_search_validate_paging_with_data_not_wording(service):
    with pytest.raises(ArgumentOutOfRange) as caught:
        service.latest(0)
    assert (caught.value.argument, caught.value.value, caught.value.low, caught.value.high) == (
        "count", 0, 1, 100)
    with pytest.raises(ArgumentOutOfRange):
        service.search("x", limit=101)
    with pytest.raises(ArgumentOutOfRange) as caught:
        service.search("x", offset=-5)
    assert caught.value.argument == "offset"
    # Past SQLite's integers, which raised OverflowError before.
    with pytest.raises(ArgumentOutOfRange):
        service.search("x", offset=99999999999999999999)


def test_search_pages_know_whether_more_exist(service, write_article, tmp_path):
    for n in range(7):
        write_article(f"h{n}.txt", title=f"Harbour story {n}",
                      published=f"2025-01-0{n + 1}T00:00:00Z")
    service.import_paths([tmp_path])
    first = service.search("harbour", limit=5)
    second = service.search("harbour", limit=5, offset=5)
    assert (len(first.hits), first.has_more) == (5, True)
    assert (len(second.hits), second.has_more) == (2, False)
    assert not {h.article.id for h in first.hits} & {h.article.id for h in second.hits}
    empty = service.search("   ")
    assert (empty.hits, empty.has_more) == ([], False)


def test_article_lookup(service):
    service.import_paths([USER_ARTICLE])
    article = service.article(" 1a5b572a34d5b3ee ")
    assert article.source == "Ukrainian news"
    with pytest.raises(ArticleNotFound):
        service.article("0000000000000000")


def test_summaries_are_computed_once_and_recomputed_after_an_edit(store, write_article):
    calls = []

    def counting(text, **kwargs):
        calls.append(text)
        return fake_summarise(text, **kwargs)

    service = NewsService(store, summarise=counting)
    path = write_article(body="First point. More.\n\nSecond point.")
    service.import_paths([path])
    article = service.latest(1)[0]
    assert service.summary(article).sentences == ("First point.", "Second point.")
    assert service.summary(service.article(article.id)).sentences == (
        "First point.", "Second point.")
    assert len(calls) == 1
    write_article(body="Changed point.")
    service.import_paths([path])
    assert service.summary(service.article(article.id)).sentences == ("Changed point.",)
    assert len(calls) == 2
    service.summary(service.article(article.id), sentences=1)
    assert len(calls) == 3


def test_import_with_summarise_stores_summaries_made_on_a_process_pool(store, write_article,
                                                                       tmp_path):
    in_process = []

    def not_here(text, **kwargs):
        in_process.append(text)
        return fake_summarise(text, **kwargs)

    service = NewsService(store, summarise=not_here)
    bodies = {
        "A": "The harbour reopened on Monday. Ships had queued since Friday. Dockers cheered.\n\n"
             "Trade is expected to recover. The mayor thanked the crews.",
        "B": "Rain fell all week in Port Amsel. Rivers rose. The ferry stopped twice.\n\n"
             "Farmers welcomed the water. Roads were closed for a day.",
    }
    for title, body in bodies.items():
        write_article(f"{title}.txt", title=title, body=body)
    report = service.import_paths([tmp_path], summarise=True, workers=2)
    assert (report.added, report.failed) == (2, [])
    assert in_process == []  # the real summariser ran in the pool's worker processes
    for article in service.latest(10):
        summary = service.summary(article)  # read back from the store, not computed here
        assert summary.language == "english"
        assert 1 <= len(summary.sentences) <= 3
        sentences = bodies[article.title].replace("\n\n", " ")
        assert all(sentence in sentences for sentence in summary.sentences)
    assert in_process == []
    assert service.precompute_summaries([a.id for a in service.latest(10)]) == 0


def test_subscriptions_use_known_spellings_and_report_unknown_tags(service):
    service.import_paths([USER_ARTICLE])
    result = service.subscribe(42, "belarus, UKRAINE , Belarus, Nowhere")
    assert result.added == ["Belarus", "Ukraine", "Nowhere"]
    assert result.unknown == ["Nowhere"]
    assert service.subscribe(42, "ukraine").already == ["Ukraine"]
    assert service.subscriptions(42) == ["Belarus", "Nowhere", "Ukraine"]
    assert service.unsubscribe(42, "nowhere") == "Nowhere"
    with pytest.raises(EmptyArgument) as caught:
        service.subscribe(42, " , ")
    assert caught.value.argument == "tags"
    assert "/" not in str(caught.value)


def test_a_quoted_tag_or_a_button_follows_one_tag_containing_a_comma(service):
    result = service.subscribe(42, '"Rates, Bonds", Economy')
    assert result.added == ["Rates, Bonds", "Economy"]
    assert service.subscribe_tags(43, ["Rates, Bonds"]).added == ["Rates, Bonds"]
    assert service.subscriptions(43) == ["Rates, Bonds"]


def test_shipped_seeds_import_cleanly(service):
    report = service.import_paths([SEEDS])
    assert report.failed == []
    assert report.added >= 1
    assert service.search("Belarus").hits[0].article.id == "1a5b572a34d5b3ee"


def _jsonl(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(json.dumps({
                "id": f"bulk-{n}", "category": "Bulk", "published": "2025-01-01T00:00:00Z",
                "source": "Generator", "title": f"Generated story number {n}",
                "tags": [f"tag{n % 7}", "bulk"],
                "body": f"Paragraph about item {n}.\n\nAnother paragraph with words.",
            }) + "\n")


def _consistent_count(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        linked = conn.execute("SELECT count(DISTINCT article_seq) FROM article_tags").fetchone()[0]
        assert linked == articles
        return articles
    finally:
        conn.close()


def test_import_killed_half_way_leaves_a_consistent_store_and_resumes(tmp_path):
    total = 30 * IMPORT_BATCH
    feed = tmp_path / "feed.jsonl"
    _jsonl(feed, total)
    db_path = tmp_path / "news.db"
    Store(db_path).close()
    command = [sys.executable, "-m", "bot", "--db", str(db_path), "import", str(feed), "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        probe = sqlite3.connect(db_path)
        while time.monotonic() < deadline:
            if probe.execute("SELECT count(*) FROM articles").fetchone()[0] >= IMPORT_BATCH:
                break
            time.sleep(0.005)
        probe.close()
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.communicate()
    assert process.returncode == -signal.SIGKILL, "the import finished before it was killed"
    stored = _consistent_count(db_path)
    assert 0 < stored < total
    assert stored % IMPORT_BATCH == 0  # whole batches only

    rerun = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(rerun.stdout)
    assert (report["added"], report["unchanged"], report["failed"]) == (
        total - stored, stored, [])
    assert _consistent_count(db_path) == total


def _jsonl_rows(count: int, **overrides) -> list[str]:
    return [json.dumps({"id": f"row-{n}", "category": "Bulk", "published": "2025-01-01T00:00:00Z",
                        "source": "Generator", "title": f"Story {n}", "body": f"Item {n}."}
                       | overrides) for n in range(count)]


def test_an_id_twice_in_one_import_is_one_failure_and_rows_are_counted_truthfully(
        service, tmp_path):
    rows = _jsonl_rows(8)
    rows.insert(6, rows[3].replace("Item 3.", "Item 3, corrected."))
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = service.import_paths([feed])
    assert report.as_dict() == {
        "added": 8, "updated": 0, "unchanged": 0,
        "failed": [{"path": str(feed), "line": 7,
                    "error": f"duplicate id 'row-3', first at {feed}:4"}],
    }
    assert service.article("row-3").body == "Item 3."


def test_one_file_with_an_unrepresentable_date_fails_alone(service, write_article, tmp_path):
    write_article("good.txt", title="Good")
    early = write_article("early.txt", title="Early", published="0001-01-01T00:00:00+05:00")
    late = write_article("late.txt", title="Late", published="9999-12-31T23:00:00-05:00")
    report = service.import_paths([tmp_path])
    assert report.added == 1
    assert [(f.path, f.line, f.error.split(":")[0]) for f in report.failed] == [
        (str(early), 1, "datetime '0001-01-01T00"), (str(late), 1, "datetime '9999-12-31T23")]
    assert [a.title for a in service.latest(5)] == ["Good"]


class Interrupted(Exception):
    """Stands in for the SIGTERM that stopped a start's seed import."""


async def test_a_start_resumes_a_seed_import_that_was_interrupted(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    total = IMPORT_BATCH + 500
    (seeds / "feed.jsonl").write_text("\n".join(_jsonl_rows(total)) + "\n", encoding="utf-8")
    db_path = tmp_path / "news.db"

    def stop_after_the_first_batch(_count: int) -> None:
        raise Interrupted

    with Store(db_path) as store:
        first = NewsService(store, summarise=fake_summarise, seeds_dir=seeds)
        with pytest.raises(Interrupted):
            first.import_paths([seeds], progress=stop_after_the_first_batch)
        assert store.article_count() == IMPORT_BATCH

    with BotAPIStandIn() as api, Store(db_path) as store:
        settings = Settings(token=api.token, db_path=db_path, seeds_dir=seeds,
                            base_url=api.base_url)
        service = NewsService(store, summarise=fake_summarise, seeds_dir=seeds)
        application = build_application(settings, service, digest_check_every=None)
        await application.initialize()
        try:
            await prepare(application)
        finally:
            await application.shutdown()
        assert store.article_count() == total
        assert not service.needs_seed_import()
