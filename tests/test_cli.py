import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from bot.cli import describe_error, main
from bot.errors import ArgumentOutOfRange, ArticleFormatError, ArticleNotFound
from tests.conftest import SEEDS, USER_ARTICLE, article_text

USER_ID = "1a5b572a34d5b3ee"
USER_TITLE = "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Run every command in an empty directory with its own database."""
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSBOT_DB", "TELEGRAM_BOT_TOKEN", "NEWSBOT_SEEDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "news.db"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_import_then_search_lists_the_user_article_first(capsys):
    code, out, _ = run(capsys, "import", str(SEEDS))
    assert code == 0
    assert out.startswith("Imported ")
    hits = run_json(capsys, "search", "Belarus")
    assert hits[0]["id"] == USER_ID
    assert hits[0]["title"] == USER_TITLE
    assert set(hits[0]) == {"id", "title", "published", "category", "source", "tags", "snippet"}
    assert "Belarus" in hits[0]["snippet"] and "\x02" not in hits[0]["snippet"]
    code, out, _ = run(capsys, "search", "Belarus")
    assert out.splitlines()[0] == f"{USER_ID}  2024-04-15 05:06  Politics: {USER_TITLE}"
    assert "[Belarus]" in out


def test_import_json_report_and_idempotency(capsys):
    first = run_json(capsys, "import", str(USER_ARTICLE))
    assert first == {"added": 1, "updated": 0, "unchanged": 0, "failed": []}
    again = run_json(capsys, "import", str(USER_ARTICLE))
    assert again == {"added": 0, "updated": 0, "unchanged": 1, "failed": []}


def test_import_failures_exit_1_with_path_line_and_reason(capsys, write_article):
    good = write_article("good.txt")
    bad = write_article("bad.txt", article_text(published="2025-01-01"))
    code, out, _ = run(capsys, "import", str(good), str(bad), "--json")
    assert code == 1
    assert json.loads(out) == {
        "added": 1, "updated": 0, "unchanged": 0,
        "failed": [{"path": str(bad), "line": 1,
                    "error": "datetime '2025-01-01' has no UTC offset; the offset is required "
                             "(e.g. 2024-04-15T05:06:55+03:00 or ...Z)"}],
    }
    code, out, err = run(capsys, "import", str(good), str(bad))
    assert code == 1
    assert out == "Imported 1 article: 0 added, 0 updated, 1 unchanged, 1 failed.\n"
    assert f"failed: {bad}:1: datetime '2025-01-01' has no UTC offset" in err


def test_latest_with_filters_and_json_keys(capsys):
    run(capsys, "import", str(SEEDS))
    latest = run_json(capsys, "latest", "-n", "2")
    assert len(latest) == 2
    assert set(latest[0]) == {"id", "title", "published", "category", "source", "tags"}
    first, second = (datetime.fromisoformat(a["published"]) for a in latest)
    assert first >= second
    tagged = run_json(capsys, "latest", "--tag", "BELARUS")
    assert [a["id"] for a in tagged] == [USER_ID]


def test_show_prints_the_article_and_unknown_ids_exit_1(capsys):
    run(capsys, "import", str(USER_ARTICLE))
    shown = run_json(capsys, "show", USER_ID)
    assert shown["body"].startswith("President of Belarus Alexander Lukashenko")
    code, out, _ = run(capsys, "show", USER_ID)
    assert code == 0 and out.startswith(USER_TITLE + "\n")
    code, out, err = run(capsys, "show", "nope")
    assert (code, out, err) == (1, "", "newsbot: No article with id 'nope'.\n")


def test_summarise_a_stored_article_and_files(capsys, write_article):
    run(capsys, "import", str(USER_ARTICLE))
    code, out, _ = run(capsys, "summarise", USER_ID, "--sentences", "2")
    assert code == 0
    assert out.startswith(f"{USER_ID} (english, default):\n")
    assert out.count("  • ") == 2
    ukrainian = write_article("uk.txt", article_text(
        title="Новий тролейбус",
        body="Міська рада ухвалила бюджет. Тролейбус їздитиме вночі.\n\nКвитки вже продають."))
    outputs = [json.loads(line) for line in run(
        capsys, "summarise", "--file", str(USER_ARTICLE), str(ukrainian), "--json",
        "--method", "lead", "--sentences", "1")[1].splitlines()]
    assert outputs == [
        {"path": str(USER_ARTICLE), "method": "lead", "language": "english",
         "sentences": ["President of Belarus Alexander Lukashenko most likely refused President "
                       "of Russia Vladimir Putin to make further integration concessions and "
                       "join the war in Ukraine."]},
        {"path": str(ukrainian), "method": "lead", "language": "ukrainian",
         "sentences": ["Міська рада ухвалила бюджет."]},
    ]


def test_tags_and_stats(capsys):
    run(capsys, "import", str(USER_ARTICLE))
    tags = run_json(capsys, "tags")
    assert {"tag": "Belarus", "articles": 1} in tags
    stats = run_json(capsys, "stats")
    assert stats["articles"] == 1 and stats["tags"] == 10 and stats["database_bytes"] > 0


@pytest.mark.parametrize("argv", [
    [], ["latest", "-n", "0"], ["latest", "-n", "many"], ["search"], ["show"], ["frobnicate"],
    ["search", "x", "--page", "0"], ["summarise", "x", "--method", "magic"],
])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "usage: newsbot" in capsys.readouterr().err


def test_empty_store_says_how_to_import(capsys):
    code, out, _ = run(capsys, "latest")
    assert (code, out) == (0, "No articles yet. Import some with: newsbot import seeds/\n")


def test_console_script_runs_as_a_module(tmp_path):
    env = {**os.environ, "NEWSBOT_DB": str(tmp_path / "x.db")}
    done = subprocess.run([sys.executable, "-m", "bot", "import", str(USER_ARTICLE), "--json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 1


@pytest.mark.parametrize("argv", [
    ["latest", "-n", "1000"], ["latest", "-n", "101"], ["search", "oil", "-n", "1000"],
    ["search", "oil", "--page", "99999999999999999999"], ["latest", "-n", "٥"],
    ["latest", "-n", "9" * 5000],
])
def test_numbers_out_of_range_are_usage_errors(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "usage: newsbot" in err and "Traceback" not in err


def test_core_errors_are_worded_for_the_terminal():
    assert describe_error(ArgumentOutOfRange("count", 0, 1, 100)) == (
        "-n must be a whole number from 1 to 100, got 0")
    assert describe_error(ArticleFormatError("a.jsonl", "invalid JSON", 7)) == (
        "a.jsonl:7: invalid JSON")
    assert describe_error(ArticleNotFound("x")) == "No article with id 'x'."


def test_a_db_under_a_file_is_one_line_not_a_traceback(capsys, tmp_path):
    (tmp_path / "plain").write_text("not a folder")
    code, out, err = run(capsys, "latest", "--db", str(tmp_path / "plain" / "news.db"))
    assert (code, out) == (1, "")
    assert err.startswith(f"newsbot: cannot open database {tmp_path / 'plain' / 'news.db'}: ")
    assert len(err.splitlines()) == 1
