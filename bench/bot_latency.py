"""Bot reply latency under load: `newsbot run` as its own process against the Bot API stand-in.

    python bench/bot_latency.py ../shared/bench/reuters21578.jsonl [--articles 100000]
        [--users 50] [--rate 200] [--seconds 20] [--db /tmp/newsbot-bench.db]

The store is filled with replicated Reuters-21578 stories (fresh ids, shifted dates) through
`newsbot import`, unless --db already holds enough. Then 50 simulated users send /search and
/latest at a combined --rate updates per second (open loop: a user does not wait for the
previous reply), and each reply's latency is measured from the moment the update was offered
to the bot to the moment its last message reached the stand-in. The bot runs with its rate
limiter off (`--no-rate-limit`), so this measures newsbot, not Telegram's flood limits.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_search import percentile, replicate  # noqa: E402
from tests.botapi import BotAPIStandIn, SentMessage  # noqa: E402

QUERIES = [
    "oil", "coffee prices", "bank", "dollar", "trade deficit", "wheat", "gold", "interest rates",
    '"crude oil"', "opec", "shares", "merger", "japan", "sugar -brazil", "earn*",
    "tag:USA grain", "stock exchange", "takeover bid", "inflation", "tax",
]


def article_count(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def prepare_store(source: Path, count: int, db: Path) -> None:
    if article_count(db) >= count:
        return
    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.jsonl"
        replicate(source, count, feed)
        subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "import", str(feed)],
                       check=True, cwd=ROOT)


LATEST_ITEMS = 5  # what /latest sends by default: one «Full text N» button per item


def list_items(message: SentMessage) -> int:
    """How many numbered articles a message of a list carries (one «Full text N» each)."""
    return sum(button["text"].startswith("Full text ") for button in message.buttons)


class Load:
    """Offers updates on a schedule and times each reply, from the moment its update was
    offered to the moment its LAST message reached the stand-in.

    A user's updates are handled concurrently, so replies are matched to commands by kind
    (the /latest list or a search page), oldest first. A search page is one message; a
    /latest list longer than one message is complete when its LATEST_ITEMS items have
    arrived, the later messages going to the oldest unfinished list of that chat.
    """

    def __init__(self, api: BotAPIStandIn, clock: Callable[[], float] = time.perf_counter
                 ) -> None:
        self.api = api
        self.clock = clock
        self.lock = threading.Lock()
        self.pending: dict[tuple[int, str], list[float]] = {}
        # chat → [offered at, items still due] of /latest lists begun but not finished
        self.unfinished: dict[int, list[list[float]]] = {}
        self.latencies: dict[str, list[float]] = {"search": [], "latest": []}
        api.on_message.append(self.on_message)

    def offer(self, user: int, command: str) -> None:
        kind = "latest" if command.startswith("/latest") else "search"
        with self.lock:
            self.pending.setdefault((user, kind), []).append(self.clock())
        self.api.push_message(user, command)

    def on_message(self, message: SentMessage) -> None:
        now = self.clock()
        with self.lock:
            if message.text.startswith(("Results for", "No articles match")):
                queue = self.pending.get((message.chat_id, "search"))
                if queue:
                    self.latencies["search"].append((now - queue.pop(0)) * 1000)
                return
            lists = self.unfinished.setdefault(message.chat_id, [])
            if message.text.startswith("Latest news"):
                queue = self.pending.get((message.chat_id, "latest"))
                if not queue:
                    return
                lists.append([queue.pop(0), LATEST_ITEMS])
                current = lists[-1]
            elif lists:  # the rest of a list longer than one message
                current = lists[0]
            else:
                return
            current[1] -= list_items(message)
            if current[1] <= 0:
                lists.remove(current)
                self.latencies["latest"].append((now - current[0]) * 1000)

    def outstanding(self) -> int:
        with self.lock:
            return (sum(len(q) for q in self.pending.values())
                    + sum(len(lists) for lists in self.unfinished.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="reuters21578.jsonl")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="updates per second offered")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "newsbot-bench.db")
    args = parser.parse_args()

    prepare_store(args.data, args.articles, args.db)
    users = [10_000 + n for n in range(args.users)]
    with BotAPIStandIn() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
               "NEWSBOT_DB": str(args.db), "NEWSBOT_SEEDS": str(ROOT / "seeds")}
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run", "--no-rate-limit"],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        try:
            api.wait_until(lambda: "default" in api.commands, timeout=120)
            load = Load(api, users)
            random.seed(7)
            for user in users:  # warm-up: every query once, summaries of the newest cached
                load.offer(user, "/latest")
            api.wait_until(lambda: load.outstanding() == 0, timeout=120)
            for query in QUERIES:
                load.offer(users[0], f"/search {query}")
            api.wait_until(lambda: load.outstanding() == 0, timeout=120)
            load.latencies = {"search": [], "latest": []}

            total = int(args.rate * args.seconds)
            started = time.perf_counter()
            for n in range(total):
                due = started + n / args.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                user = random.choice(users)
                command = ("/latest" if random.random() < 0.3
                           else f"/search {random.choice(QUERIES)}")
                load.offer(user, command)
            api.wait_until(lambda: load.outstanding() == 0, timeout=300)
            elapsed = time.perf_counter() - started
        finally:
            bot.send_signal(signal.SIGTERM)
            _, errors = bot.communicate(timeout=60)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        rejected = [r for r in api.rejected if r[0] != "getUpdates"]

    everything = load.latencies["search"] + load.latencies["latest"]
    print(f"newsbot bot latency · {article_count(args.db):,} articles · {args.users} users · "
          f"offered {args.rate:.0f} updates/s for {args.seconds:.0f} s · rate limiter OFF "
          "(measures newsbot, not Telegram's limits)\n")
    print("| replies | count | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    rows = (("/search", load.latencies["search"]),
            ("/latest (one list of 5)", load.latencies["latest"]), ("all", everything))
    for name, values in rows:
        print(f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
              f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} |")
    print(f"\nupdates handled: {len(everything)} in {elapsed:.1f} s = "
          f"{len(everything) / elapsed:.0f} updates/s; API errors: {len(rejected)}")
    print(f"CPU seconds: bot (and the import) {children.ru_utime + children.ru_stime:.1f}, "
          f"stand-in and load generator {own.ru_utime + own.ru_stime:.1f}")
    if "Traceback" in (errors or ""):
        print("\nthe bot logged errors:\n" + errors[-2000:])


if __name__ == "__main__":
    main()
