"""`newsbot feeds …` and `newsbot prune` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.cli import main
from tests.conftest import WIRE
from tests.feeds.conftest import FIXTURES

Response = tuple[int, dict[str, str], bytes]
DATE = "Wed, 11 Jun 2025 09:00:00 +0000"


def rss(title: str, *items: tuple[str, str, str]) -> Response:
    """An RSS response of (title, link, description) items, all dated DATE."""
    body = "".join(f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
                   f"<description>{escape(text)}</description><category>Economy</category>"
                   f"<pubDate>{DATE}</pubDate></item>" for t, link, text in items)
    document = (f"<rss version='2.0'><channel><title>{escape(title)}</title>{body}"
                "</channel></rss>").encode()
    return 200, {"Content-Type": "application/rss+xml"}, document


@dataclass
class Site:
    """Routes by path: each a response, or a function of nothing giving one."""

    base: str = ""
    routes: dict[str, Response | Callable[[], Response]] = field(default_factory=dict)

    def serve(self, path: str, response: Response | Callable[[], Response]) -> str:
        self.routes[path] = response
        return self.base + path


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = served.routes.get(self.path.split("?")[0])
            status, headers, body = (route() if callable(route) else route) if route else (
                404, {}, b"no such fixture")
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "NEWSBOT_KEEP_DAYS", "NEWSBOT_SEEDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "news.db"))
    monkeypatch.setenv("NEWSBOT_ALLOW_PRIVATE_URLS", "1")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str, code: int = 0):
    got, out, err = run(capsys, *argv, "--json")
    assert got == code, err
    return json.loads(out)


def test_add_a_feed_then_list_it(capsys, site):
    url = site.serve("/rss", (200, {"Content-Type": "application/rss+xml"},
                              (FIXTURES / "rss2.xml").read_bytes()))
    code, out, _ = run(capsys, "feeds", "add", url, "--tags", "Local, Harbour",
                       "--category", "Town", "--interval", "30", "--name", "Courier")
    assert (code, out) == (0, "Following feed 1: Courier — 3 entries, 1 skipped, "
                              "3 new articles.\n")
    [feed] = run_json(capsys, "feeds", "list")
    assert list(feed) == ["id", "url", "name", "title", "tags", "category", "interval_minutes",
                          "full_text", "status", "last_error", "last_polled", "next_poll",
                          "articles"]
    assert {k: feed[k] for k in ("id", "url", "name", "title", "tags", "category",
                                 "interval_minutes", "full_text", "status", "last_error",
                                 "articles")} == {
        "id": 1, "url": url, "name": "Courier", "title": "Port Amsel Courier",
        "tags": ["Local", "Harbour"], "category": "Town", "interval_minutes": 30,
        "full_text": False, "status": "ok", "last_error": None, "articles": 3}
    latest = run_json(capsys, "latest")
    assert {a["source"] for a in latest} == {"Courier"}
    assert site.base + "/news/harbour-reopens?page=2" in {a["url"] for a in latest}
    code, _, err = run(capsys, "feeds", "add", url)
    assert (code, err) == (1, f"newsbot: {url} is followed already as feed 1.\n")


def test_adding_a_page_that_is_not_a_feed_exits_1_and_stores_nothing(capsys, site):
    url = site.serve("/page", (200, {"Content-Type": "text/html"},
                               (FIXTURES / "not-a-feed.html").read_bytes()))
    code, out, err = run(capsys, "feeds", "add", url)
    assert (code, out) == (1, "")
    assert err == (f"newsbot feeds add: cannot follow {url}: the page is not an RSS, Atom or "
                   "JSON feed\n")
    missing = site.base + "/missing"
    code, _, err = run(capsys, "feeds", "add", missing)
    assert (code, err) == (1, f"newsbot feeds add: cannot follow {missing}: http 404 "
                              "(Not Found)\n")
    assert run_json(capsys, "feeds", "list") == []
    assert run_json(capsys, "latest") == []


def test_private_addresses_are_refused_unless_allowed(capsys, site, monkeypatch):
    monkeypatch.delenv("NEWSBOT_ALLOW_PRIVATE_URLS")
    url = site.serve("/rss", rss("Courier", ("Rates held", "/1", WIRE)))
    code, _, err = run(capsys, "feeds", "add", url)
    assert code == 1
    assert "loopback, private or link-local address" in err
    assert run_json(capsys, "feeds", "list") == []


def test_one_page_in_two_feeds_and_one_story_from_two_outlets(capsys, site):
    shared = site.base + "/news/ferry"
    ferry = ("Ferry timetable changes", shared,
             "The ferry to Kestrel Bay leaves an hour later from Monday.")
    run(capsys, "feeds", "add", site.serve("/a", rss("Courier", ferry,
                                                     ("Central bank holds rates", "/a/1",
                                                      WIRE))))
    run(capsys, "feeds", "add", site.serve("/b", rss("Herald", ferry,
                                                     ("Norvaland bank holds rates", "/b/1",
                                                      WIRE.replace("Markets", "Traders")))))
    latest = run_json(capsys, "latest")
    assert sorted((a["title"], a["source"], a["also"]) for a in latest) == [
        ("Ferry timetable changes", "Courier", []),
        ("Norvaland bank holds rates", "Herald", ["Courier"]),
    ]
    hits = run_json(capsys, "search", "central", "bank")
    # Search shows the copy that ranks best (its title has both words).
    assert [(h["source"], h["also"]) for h in hits] == [("Courier", ["Herald"])]
    assert len(run_json(capsys, "search", "Aalund")) == 1
    out = run(capsys, "latest")[1]
    assert "    Herald (also: Courier) · Economy\n" in out
    # Both copies are stored and can be opened.
    assert sorted(f["articles"] for f in run_json(capsys, "feeds", "list")) == [1, 2]


def test_opml_round_trip_keeps_tags_and_category(capsys, tmp_path):
    code, out, _ = run(capsys, "feeds", "import-opml", str(FIXTURES / "other-reader.opml"))
    assert (code, out) == (0, "Following 4 new feeds (0 already followed). Fetch them with: "
                              "newsbot feeds poll\n")
    code, out, _ = run(capsys, "feeds", "import-opml", str(FIXTURES / "other-reader.opml"))
    assert out.startswith("Following 0 new feeds (4 already followed).")
    exported = tmp_path / "feeds.opml"
    assert run(capsys, "feeds", "export-opml", str(exported))[0] == 0
    first = run_json(capsys, "feeds", "list")
    code, out, _ = run(capsys, "--db", str(tmp_path / "other.db"), "feeds", "import-opml",
                       str(exported))
    assert out.startswith("Following 4 new feeds")
    second = run_json(capsys, "--db", str(tmp_path / "other.db"), "feeds", "list")

    def settings(feeds):
        return [(f["url"], f["name"], f["tags"], f["category"], f["interval_minutes"])
                for f in feeds]

    assert settings(second) == settings(first)
    assert ("http://deep.example/rss", "Deep feed", [], "Nested", 15) in settings(second)


def test_opml_with_tags_round_trips_through_export(capsys, tmp_path):
    source = tmp_path / "mine.opml"
    source.write_text(
        '<opml version="2.0" xmlns:newsbot="urn:x-newsbot:opml:1"><body>'
        '<outline text="Local"><outline type="rss" text="Courier" xmlUrl="http://c.example/rss"'
        ' newsbot:tags="Port Amsel,Weather" newsbot:interval="30" newsbot:fullText="true"/>'
        "</outline></body></opml>", encoding="utf-8")
    run(capsys, "feeds", "import-opml", str(source))
    code, document, _ = run(capsys, "feeds", "export-opml")
    assert code == 0 and 'newsbot:tags="Port Amsel,Weather"' in document
    (tmp_path / "again.opml").write_text(document, encoding="utf-8")
    run(capsys, "--db", str(tmp_path / "again.db"), "feeds", "import-opml",
        str(tmp_path / "again.opml"))
    [feed] = run_json(capsys, "--db", str(tmp_path / "again.db"), "feeds", "list")
    assert (feed["tags"], feed["category"], feed["interval_minutes"], feed["full_text"]) == (
        ["Port Amsel", "Weather"], "Local", 30, True)


def test_bad_opml_names_the_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml>\n<body>\n<outline", encoding="utf-8")
    code, _, err = run(capsys, "feeds", "import-opml", str(bad))
    assert code == 1 and err.startswith(f"newsbot: {bad}:3: not well-formed XML")


def test_poll_json_alerts_after_three_failures_and_on_recovery_and_410_disables(capsys, site):
    statuses = [200, 500, 500, 500, 500, 200, 410]

    def flaky() -> Response:
        status = statuses.pop(0)
        if status == 200:
            return rss("Courier", ("Rates held", "/1", WIRE))
        return status, {}, b"down"

    url = site.serve("/flaky", flaky)
    assert run(capsys, "feeds", "add", url)[0] == 0
    outcomes = []
    for _ in range(6):
        code, out, err = run(capsys, "feeds", "poll", "--all", "--json")
        [report] = json.loads(out)
        assert list(report) == ["id", "url", "status", "added", "updated", "unchanged",
                                "error"]
        outcomes.append((code, report["status"], report["error"], err))
    assert outcomes == [
        (1, "error", "http_500", ""),
        (1, "error", "http_500", ""),
        (1, "error", "http_500", "newsbot: alert: feed 1 (Courier) is failing: http_500 "
                                 "(3 times in a row)\n"),
        (1, "error", "http_500", ""),
        (0, "ok", None, "newsbot: alert: feed 1 (Courier) has recovered\n"),
        (1, "disabled", "http_410", "newsbot: alert: feed 1 (Courier) is gone (410) and was "
                                    "disabled\n"),
    ]
    [feed] = run_json(capsys, "feeds", "list")
    assert (feed["status"], feed["last_error"], feed["next_poll"]) == ("disabled", "http_410",
                                                                       None)
    assert run_json(capsys, "feeds", "poll", "--all") == []


def test_remove_by_id_or_url_keeps_the_articles(capsys, site):
    url = site.serve("/rss", rss("Courier", ("Rates held", "/1", WIRE)))
    run(capsys, "feeds", "add", url)
    code, out, _ = run(capsys, "feeds", "remove", url)
    assert (code, out) == (0, "Stopped following feed 1: Courier. The articles it brought "
                              "stay.\n")
    assert run_json(capsys, "feeds", "list") == []
    assert [a["title"] for a in run_json(capsys, "latest")] == ["Rates held"]
    code, _, err = run(capsys, "feeds", "remove", "1")
    assert (code, err) == (1, "newsbot: No followed feed '1' (see: newsbot feeds list).\n")


def test_prune_deletes_old_articles_and_a_poll_does_not_bring_them_back(capsys, site):
    url = site.serve("/rss", rss("Courier", ("Rates held", "/1", WIRE)))
    run(capsys, "feeds", "add", url)
    assert run(capsys, "prune", "--older-than", "30") == (
        0, "Deleted 1 article published more than 30 days ago.\n", "")
    assert run_json(capsys, "search", "Aalund") == []
    [report] = run_json(capsys, "feeds", "poll", "--all")
    assert (report["added"], report["unchanged"]) == (0, 1)
    assert run_json(capsys, "latest") == []
    with pytest.raises(SystemExit) as usage:
        main(["prune", "--older-than", "0"])
    assert usage.value.code == 2


def test_a_poll_killed_mid_way_then_run_again_loses_and_duplicates_nothing(tmp_path, site):
    arrived, release = threading.Event(), threading.Event()

    def stalls() -> Response:
        arrived.set()
        release.wait(30)
        return rss("Stall", ("Stalled story", "/stall/1", WIRE))

    feeds = 24
    for n in range(feeds):
        items = [(f"Story {n}-{i}", f"/f{n}/{i}", f"Body of story {n}-{i}. It has words.")
                 for i in range(20)]
        site.serve(f"/f{n}", rss(f"Feed {n}", *items))
    opml = "".join(f'<outline type="rss" text="Feed {n}" xmlUrl="{site.base}/f{n}"/>'
                   for n in range(feeds))
    opml += f'<outline type="rss" text="Stall" xmlUrl="{site.base}/stall"/>'
    site.serve("/stall", stalls)
    (tmp_path / "feeds.opml").write_text(f"<opml><body>{opml}</body></opml>", encoding="utf-8")
    env = {**os.environ, "NEWSBOT_DB": str(tmp_path / "news.db")}
    command = [sys.executable, "-m", "bot"]
    subprocess.run([*command, "feeds", "import-opml", str(tmp_path / "feeds.opml")], env=env,
                   check=True, capture_output=True, cwd=tmp_path)
    poll = subprocess.Popen([*command, "feeds", "poll"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert arrived.wait(60)
    poll.send_signal(signal.SIGKILL)
    poll.wait()
    release.set()
    done = subprocess.run([*command, "feeds", "poll", "--json"], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "news.db") as db:
        ids = [row[0] for row in db.execute("SELECT id FROM articles")]
        counted = db.execute("SELECT sum(articles) FROM feeds").fetchone()[0]
        due = db.execute("SELECT count(*) FROM feeds WHERE last_status != 'ok'").fetchone()[0]
    db.close()
    assert len(ids) == len(set(ids)) == feeds * 20 + 1
    assert counted == feeds * 20 + 1 and due == 0
    again = subprocess.run([*command, "feeds", "poll", "--all", "--json"], env=env,
                           cwd=tmp_path, capture_output=True, text=True)
    assert {(r["added"], r["updated"]) for r in json.loads(again.stdout)} == {(0, 0)}
