import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime

import pytest

from bot.cli import describe_error, main
from bot.errors import ArgumentOutOfRange, ArticleFormatError, ArticleNotFound
from tests.conftest import SEEDS, USER_ARTICLE, article_text

USER_ID = "1a5b572a34d5b3ee"
USER_TITLE = "Lukashenko denies Putin insisting on joining the war in Ukraine – ISW"
# C0 and C1 control characters and DEL, except newline and tab.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    assert set(hits[0]) == {"id", "title", "published", "category", "source", "tags", "url",
                            "also", "snippet"}
    assert (hits[0]["url"], hits[0]["also"]) == ("", [])
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
    assert set(latest[0]) == {"id", "title", "published", "category", "source", "tags", "url",
                              "also"}
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


def test_control_characters_in_an_article_never_reach_the_terminal(capsys, write_article):
    path = write_article("esc.txt", article_text(
        title="\x1b]0;pwned\x07\x1b[2J\x1b[31mRed alert\x1b[0m", subtitle="Sub\x9btitle",
        tags="Alert\x1b[5m", body="Sirens \x1b[1msounded\x1b[0m.\n\nAll clear."))
    imported = run_json(capsys, "import", str(path))
    assert imported["added"] == 1
    [article] = run_json(capsys, "latest")
    code, out, _ = run(capsys, "show", article["id"])
    assert code == 0
    assert out.splitlines()[:2] == ["]0;pwned[2J[31mRed alert[0m", "Subtitle"]
    assert "Tags: Alert[5m\n\nSirens [1msounded[0m.\n\nAll clear.\n" in out
    for argv in (["show", article["id"]], ["latest"], ["search", "sirens"], ["tags"]):
        code, out, err = run(capsys, *argv)
        assert not CONTROL.search(out + err), argv


def test_a_file_name_with_control_characters_is_shown_escaped(capsys, write_article, tmp_path):
    write_article("bad\x1b[2J.txt", "")
    code, _, err = run(capsys, "import", str(tmp_path))
    assert code == 1
    assert err == f"  failed: {tmp_path}/bad\\x1b[2J.txt: file is empty\n"


def test_import_summarise_stores_every_summary_using_a_process_pool(tmp_path, write_article):
    for n in range(3):
        write_article(f"in/{n}.txt", title=f"Story {n}",
                      body=f"Event {n} happened today. Many people came. It rained.\n\n"
                           "Officials were pleased. More will follow next week.")
    env = {**os.environ, "NEWSBOT_DB": str(tmp_path / "news.db")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(tmp_path / "in"), "--summarise", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 3
    conn = sqlite3.connect(tmp_path / "news.db")
    try:
        stored = conn.execute(
            "SELECT count(*), count(DISTINCT text_hash) FROM summaries"
            " WHERE method = 'default' AND sentences = 3").fetchone()
    finally:
        conn.close()
    assert stored == (3, 3)


def test_an_unreadable_subdirectory_is_a_failure_with_its_path(tmp_path, write_article):
    write_article("in/open/a.txt")
    write_article("in/locked/b.txt", title="B")
    locked = tmp_path / "in" / "locked"
    command = [sys.executable, "-m", "bot", "import", str(tmp_path / "in"), "--json"]
    if os.geteuid() == 0:
        # Root reads any directory: run the import as root without the two capabilities that
        # override permission bits, so that they hold for it as for anyone.
        assert shutil.which("setpriv"), "setpriv (util-linux) is needed to run this as root"
        dropped = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={dropped}", f"--inh-caps={dropped}", *command]
    env = {**os.environ, "NEWSBOT_DB": str(tmp_path / "news.db")}
    locked.chmod(0)
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout) == {
        "added": 1, "updated": 0, "unchanged": 0,
        "failed": [{"path": str(locked), "line": None,
                    "error": "cannot read directory: Permission denied"}],
    }


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORT", "70000", "newsbot: PORT must be a whole number from 1 to 65535, got '70000'.\n"),
    ("ADMIN_IDS", "12, bob", "newsbot: ADMIN_IDS must be comma-separated numeric Telegram "
                             "user ids, got 'bob'.\n"),
    ("NEWSBOT_MAX_ARTICLE_BYTES", "-1", "newsbot: NEWSBOT_MAX_ARTICLE_BYTES must be a whole "
                                        "number, 1 or more, got '-1'.\n"),
    ("NEWSBOT_TIMEZONE", "Mars/Base", "newsbot: NEWSBOT_TIMEZONE: unknown timezone "
                                      "'Mars/Base'; use an IANA name such as Europe/Kyiv or "
                                      "UTC.\n"),
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(capsys, monkeypatch, name, value,
                                                          message):
    monkeypatch.setenv(name, value)
    assert run(capsys, "latest") == (2, "", message)


def test_a_bad_setting_in_dotenv_is_reported_the_same_way(capsys, tmp_path):
    (tmp_path / ".env").write_text("PORT=0\n", encoding="utf-8")
    assert run(capsys, "stats") == (
        2, "", "newsbot: PORT must be a whole number from 1 to 65535, got '0'.\n")


def test_highlight_markers_inside_an_article_cannot_fake_a_match(capsys, write_article):
    # Search marks matches with \x02 and \x03; an article's own are stripped at import.
    path = write_article(body="Prices \x02rose\x03 sharply on Monday.\n\nTraders were calm.")
    run(capsys, "import", str(path))
    [hit] = run_json(capsys, "search", "prices")
    assert hit["snippet"] == "Prices rose sharply on Monday.\n\nTraders were calm."
    out = run(capsys, "search", "prices")[1]
    assert "[Prices] rose sharply" in out and "[rose]" not in out
