"""Following feeds at scale: 950 feeds of 20 Reuters-21578 stories each, served on loopback.

    python bench/feeds.py ../shared/bench/reuters21578.jsonl [--feeds 950] [--items 20]
        [--hosts 50] [--rate 20] [--workdir /tmp/newsbot-feeds-bench]

A feed server (aiohttp, its own process) serves the feeds as RSS 2.0 with an ETag each, from
``--hosts`` loopback addresses (127.0.0.1, 127.0.0.2, …: one publisher per address, so the
Fetcher's 2-per-host limit applies as it would on the internet). Nothing leaves the machine.

1. first poll: `newsbot feeds poll --all --json` (the cron path: fetch, parse, group stories,
   write, summarise every new article with the real summariser) into a fresh database that
   follows every feed;
2. second poll: the same command again — every feed answers 304;
3. replies while a poll runs: `newsbot run` (rate limiter off) against the Bot API stand-in,
   over a second fresh database following every feed; its background job starts the first
   poll, and simulated users send /latest and /search at ``--rate`` per second until the poll
   has stored every story; reply latency as in bench/bot_latency.py.

Peak RSS is sampled every 0.1 s from /proc and summed over newsbot's process and the feed
server. Targets (issue 10): first poll ≤ 60 s, second ≤ 5 s, peak RSS ≤ 300 MB, reply p95
during a poll ≤ 50 ms. Figures go in the commit message and the closing note, not here.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_latency import QUERIES, Load  # noqa: E402
from bench.import_search import percentile  # noqa: E402

TIMEOUT = 900  # seconds: no phase may run longer than this


# -- the feed server (child process) ----------------------------------------------------------


def feed_documents(data: Path, feeds: int, items: int, hosts: list[str],
                   port: int) -> dict[tuple[str, str], bytes]:
    """(host, path) → RSS bytes: feed k holds stories k*items … k*items+items-1."""
    stories = []
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            stories.append(json.loads(line))
            if len(stories) == feeds * items:
                break
    documents = {}
    for k in range(feeds):
        host = hosts[k % len(hosts)]
        entries = []
        for story in stories[k * items:(k + 1) * items]:
            published = datetime.fromisoformat(story["published"])
            body = "".join(f"<p>{html.escape(p)}</p>" for p in story["body"].split("\n\n"))
            categories = "".join(f"<category>{html.escape(t)}</category>"
                                 for t in story.get("tags", []))
            link = f"http://{host}:{port}/story/{story['id']}"
            entries.append(
                f"<item><title>{html.escape(story['title'])}</title><link>{link}</link>"
                f"<guid>{link}</guid><pubDate>{format_datetime(published)}</pubDate>"
                f"{categories}<description>{html.escape(body)}</description></item>")
        documents[(host, f"/feed/{k}.xml")] = (
            f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>Wire desk {k}</title><link>http://{host}:{port}/</link>"
            + "".join(entries) + "</channel></rss>").encode()
    return documents


def serve(data: Path, feeds: int, items: int, hosts: list[str], port_file: Path) -> None:
    import asyncio
    import socket

    from aiohttp import web

    async def main() -> None:
        sockets = []
        for host in hosts:  # the same port on every loopback address
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, sockets[0].getsockname()[1] if sockets else 0))
            sockets.append(sock)
        port = sockets[0].getsockname()[1]
        documents = feed_documents(data, feeds, items, hosts, port)
        served = {"200": 0, "304": 0}

        async def handle(request: web.Request) -> web.StreamResponse:
            if request.path == "/stats":
                return web.json_response(served)
            body = documents.get((request.host.split(":")[0], request.path))
            if body is None:
                return web.Response(status=404)
            etag = f'"{request.path}-v1"'
            if request.headers.get("If-None-Match") == etag:
                served["304"] += 1
                return web.Response(status=304, headers={"ETag": etag})
            served["200"] += 1
            return web.Response(body=body, headers={"ETag": etag,
                                                    "Content-Type": "application/rss+xml"})

        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", handle)
        runner = web.AppRunner(app, handle_signals=True, access_log=None)
        await runner.setup()
        for sock in sockets:
            await web.SockSite(runner, sock).start()
        port_file.write_text(str(port))
        await asyncio.Event().wait()

    asyncio.run(main())


# -- the harness ---------------------------------------------------------------------------------


class PeakRSS:
    """Samples the summed VmRSS of some processes and their descendants (the bot's poll
    runs as a child process) every 0.1 s."""

    def __init__(self) -> None:
        self.pids: set[int] = set()
        self.peak = 0
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError):
            pass
        return 0

    @staticmethod
    def descendants(pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            return []
        return [c for child in map(int, children) for c in (child, *PeakRSS.descendants(child))]

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            tracked = [p for pid in list(self.pids) for p in (pid, *self.descendants(pid))]
            sizes = {pid: self.rss(pid) for pid in tracked}
            for pid, size in sizes.items():
                self.peaks[pid] = max(self.peaks.get(pid, 0), size)
            self.peak = max(self.peak, sum(sizes.values()))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def follow_every_feed(db: Path, feeds: int, hosts: list[str], port: int) -> None:
    """A fresh database following every feed (through the service, as `feeds add` stores)."""
    from bot.feeds.model import FeedSettings
    from bot.service import NewsService
    from bot.store import Store

    with Store(db) as store:
        service = NewsService(store)
        for k in range(feeds):
            service.add_feed(FeedSettings(f"http://{hosts[k % len(hosts)]}:{port}/feed/{k}.xml"))


def article_count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def summary_count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM summaries").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def cli_poll(db: Path, env: dict[str, str], peak: PeakRSS) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(db), "feeds", "poll", "--all", "--json"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak.pids.add(process.pid)
    output, errors = process.communicate(timeout=TIMEOUT)
    elapsed = time.perf_counter() - started
    peak.pids.discard(process.pid)
    try:
        reports = json.loads(output)
    except json.JSONDecodeError:
        sys.exit(f"feeds poll printed no JSON (exit {process.returncode}):\n{errors[-3000:]}")
    return elapsed, reports


class PollLoad(Load):
    """bench/bot_latency's load, knowing that /latest on a store still empty answers
    «No articles yet.»"""

    def on_message(self, message) -> None:
        if message.text.startswith("No articles yet"):
            with self.lock:
                queue = self.pending.get((message.chat_id, "latest"))
                if queue:
                    queue.pop(0)  # a warm-up reply: not timed
            return
        super().on_message(message)


def latency_during_poll(db: Path, env: dict[str, str], stories: int, rate: float,
                        peak: PeakRSS) -> dict:
    from tests.botapi import BotAPIStandIn

    users = [10_000 + n for n in range(20)]
    seeds = db.parent / "no-seeds"
    seeds.mkdir(exist_ok=True)
    with BotAPIStandIn() as api:
        bot_env = {**env, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
                   "NEWSBOT_DB": str(db), "NEWSBOT_SEEDS": str(seeds)}
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run", "--no-rate-limit"],
                               env=bot_env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        peak.pids.add(bot.pid)
        try:
            api.wait_until(lambda: "default" in api.commands, timeout=120)
            load = PollLoad(api)
            random.seed(7)
            started = time.perf_counter()
            offered = 0
            polling = False
            # The job's first poll starts 10 s after start-up: the load before the first
            # story is stored warms the bot up (sumy's import, caches) and is not counted;
            # replies are timed from then until the poll has stored every story.
            while article_count(db) < stories and time.perf_counter() - started < TIMEOUT:
                if not polling and article_count(db) > 0:
                    polling, poll_seen = True, time.perf_counter()
                    load.latencies = defaultdict(list)
                due = started + offered / rate
                if due > time.perf_counter():
                    time.sleep(due - time.perf_counter())
                user = random.choice(users)
                load.offer(user, "/latest" if random.random() < 0.3
                           else f"/search {random.choice(QUERIES)}")
                offered += 1
            stored_after = time.perf_counter() - started
            measured = time.perf_counter() - (poll_seen if polling else started)
            api.wait_until(lambda: load.outstanding() == 0, timeout=120)
        finally:
            bot.send_signal(signal.SIGTERM)
            _, errors = bot.communicate(timeout=120)
            peak.pids.discard(bot.pid)
        rejected = [r for r in api.rejected if r[0] != "getUpdates"]
    everything = load.latencies["search"] + load.latencies["latest"]
    return {"replies": len(everything), "p50": percentile(everything, 0.5),
            "p95": percentile(everything, 0.95), "p99": percentile(everything, 0.99),
            "max": max(everything), "seconds": stored_after, "measured": measured,
            "rejected": len(rejected),
            "errors": "Traceback" in (errors or ""),
            "latest_p95": percentile(load.latencies["latest"], 0.95),
            "search_p95": percentile(load.latencies["search"], 0.95),
            "refused": sum(len(v) for k, v in load.latencies.items() if k.startswith("search:"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="reuters21578.jsonl")
    parser.add_argument("--feeds", type=int, default=950)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=50, help="loopback addresses (publishers)")
    parser.add_argument("--rate", type=float, default=20.0, help="bot updates per second")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsbot-feeds-bench"))
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # internal: server mode
    args = parser.parse_args()
    hosts = [f"127.0.0.{n}" for n in range(1, args.hosts + 1)]
    if args.serve:
        serve(args.data, args.feeds, args.items, hosts, args.serve)
        return

    load_before = os.getloadavg()[0]
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    port_file = args.workdir / "port"
    env = {**os.environ, "NEWSBOT_ALLOW_PRIVATE_URLS": "1"}
    env.pop("TELEGRAM_BOT_TOKEN", None)  # the CLI poll must not alert anyone
    peak = PeakRSS()
    server = subprocess.Popen(
        [sys.executable, __file__, str(args.data), "--feeds", str(args.feeds), "--items",
         str(args.items), "--hosts", str(args.hosts), "--serve", str(port_file)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak.pids.add(server.pid)
    try:
        deadline = time.monotonic() + 120
        while not port_file.exists() or not port_file.read_text():
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the feed server did not start:\n{server.stderr.read()[-2000:]}")
            time.sleep(0.1)
        port = int(port_file.read_text())
        cron_db = args.workdir / "cron.db"
        follow_every_feed(cron_db, args.feeds, hosts, port)
        first, first_reports = cli_poll(cron_db, env, peak)
        first_peak = peak.peak
        peak.peak = 0
        second, second_reports = cli_poll(cron_db, env, peak)
        second_peak = peak.peak
        articles, summaries = article_count(cron_db), summary_count(cron_db)
        started = time.perf_counter()  # for reference: a CLI command's start-up, no network
        subprocess.run([sys.executable, "-m", "bot", "--db", str(cron_db), "feeds", "list",
                        "--json"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        startup = time.perf_counter() - started
        server_peak = peak.peaks.get(server.pid, 0)
        latency = None
        if not args.skip_latency:
            peak.peak = 0
            bot_db = args.workdir / "bot.db"
            follow_every_feed(bot_db, args.feeds, hosts, port)
            # As many articles as the cron poll stored (entries without a title are skipped).
            latency = latency_during_poll(bot_db, env, articles, args.rate, peak)
            latency["peak"] = peak.peak
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        peak.stop()

    def statuses(reports: list[dict]) -> str:
        counts: dict[str, int] = {}
        for report in reports:
            counts[report["status"]] = counts.get(report["status"], 0) + 1
        return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))

    mb = 1024 * 1024
    print(f"newsbot feeds · {args.feeds} feeds × {args.items} items from {args.data.name} · "
          f"{args.hosts} loopback hosts · {os.cpu_count()} CPUs\n")
    print("| phase | result | target | feeds | peak RSS (newsbot + feed server) |")
    print("|---|---|---|---|---|")
    print(f"| first poll, with summaries (`feeds poll --all`) | {first:.1f} s | ≤ 60 s | "
          f"{statuses(first_reports)}; {sum(r['added'] for r in first_reports):,} added | "
          f"{first_peak / mb:.0f} MB |")
    print(f"| second poll, all 304 | {second:.1f} s | ≤ 5 s | {statuses(second_reports)} | "
          f"{second_peak / mb:.0f} MB |")
    if latency:
        print(f"| bot replies while its job polls | p95 {latency['p95']:.1f} ms "
              f"(p50 {latency['p50']:.1f}, p99 {latency['p99']:.1f}, max "
              f"{latency['max']:.0f}; /latest p95 {latency['latest_p95']:.0f}, /search p95 "
              f"{latency['search_p95']:.0f}; {latency['replies']} replies, "
              f"{latency['refused']} searches refused «one moment») | p95 ≤ 50 ms | all "
              f"{articles:,} articles stored {latency['seconds']:.0f} s after start-up (timed over "
              f"the last {latency['measured']:.0f} s) | "
              f"{latency['peak'] / mb:.0f} MB |")
    print(f"\nthe feed server's own peak RSS: {server_peak / mb:.0f} MB (included above); "
          f"`newsbot feeds list --json` (start-up alone): {startup:.1f} s; load average "
          f"before {load_before:.1f}, after {os.getloadavg()[0]:.1f} (shared machine)")
    print(f"after the polls: {articles:,} articles, {summaries:,} summaries; "
          f"{args.rate:g} bot updates/s offered"
          + (f"; API errors {latency['rejected']}; bot tracebacks: {latency['errors']}"
             if latency else ""))


if __name__ == "__main__":
    main()
