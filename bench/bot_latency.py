"""Bot reply latency under load: `newsbot run` as its own process against the Bot API stand-in.

    python bench/bot_latency.py ../shared/bench/reuters21578.jsonl [--articles 100000]
        [--users 50] [--rate 200] [--seconds 20] [--quiet-rate 10] [--flood-rate 10]
        [--flood-seconds 20] [--db /tmp/newsbot-bench.db]

The store is filled with replicated Reuters-21578 stories (fresh ids, shifted dates) through
`newsbot import`, unless --db already holds enough. Each reply's latency is measured from the
moment its update was offered to the bot to the moment its last message reached the stand-in.
The bot runs with its rate limiter off (`--no-rate-limit`), so this measures newsbot, not
Telegram's flood limits. Three phases, open loop (a user does not wait for the previous reply):

1. load: --users simulated users send /search and /latest at a combined --rate updates/s;
2. quiet: the same users at --quiet-rate updates/s, for --flood-seconds;
3. flood: as quiet, while one more user floods --flood-rate searches/s of eight prefix*
   terms (the most a search may have), each as costly as a search can be; then SIGTERM with
   the flood still coming, timed until the bot has exited.

Target (issue 9): another user's /search p95 ≤ 50 ms while one user floods (phase 3).
"""

from __future__ import annotations

import argparse
import itertools
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
from collections import Counter, defaultdict
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


# The first words of each answer to a search, and what the answer was.
SEARCH_ANSWERS = {"Results for": "answered", "No articles match": "answered",
                  "That search is too broad": "too broad", "One moment": "busy"}
FLOODER = 99_999
STOP_WAIT = 60  # seconds the bot is given to exit after SIGTERM before it is killed
LETTERS = "abcdefghijklmnopqrstuvwxyz"
LATEST_ITEMS = 5  # what /latest sends by default: one «Full text N» button per item


def list_items(message: SentMessage) -> int:
    """How many numbered articles a message of a list carries (one «Full text N» each)."""
    return sum(button["text"].startswith("Full text ") for button in message.buttons)


class Load:
    """Offers updates on a schedule and times each reply, from the moment its update was
    offered to the moment its LAST message reached the stand-in.

    A user's updates are handled concurrently, so replies are matched to commands by kind
    (the /latest list or a search), oldest first. A search's answer is one message; a
    /latest list longer than one message is complete when its LATEST_ITEMS items have
    arrived, the later messages going to the oldest unfinished list of that chat.

    ``latencies`` (ms) by kind: "search" (answered), "search: busy" and "search: too broad"
    (refused), "latest"; the ``flooders``' searches as "flood: …".
    """

    def __init__(self, api: BotAPIStandIn, clock: Callable[[], float] = time.perf_counter,
                 flooders: frozenset[int] = frozenset()) -> None:
        self.api = api
        self.clock = clock
        self.flooders = flooders
        self.lock = threading.Lock()
        self.pending: dict[tuple[int, str], list[float]] = {}
        # chat → [offered at, items still due] of /latest lists begun but not finished
        self.unfinished: dict[int, list[list[float]]] = {}
        self.latencies: dict[str, list[float]] = defaultdict(list)
        api.on_message.append(self.on_message)

    def reset(self) -> None:
        with self.lock:
            self.latencies = defaultdict(list)

    def offer(self, user: int, command: str) -> None:
        kind = "latest" if command.startswith("/latest") else "search"
        with self.lock:
            self.pending.setdefault((user, kind), []).append(self.clock())
        self.api.push_message(user, command)

    def on_message(self, message: SentMessage) -> None:
        now = self.clock()
        with self.lock:
            answer = next((outcome for start, outcome in SEARCH_ANSWERS.items()
                           if message.text.startswith(start)), None)
            if answer is not None:
                queue = self.pending.get((message.chat_id, "search"))
                if queue:
                    kind = "flood" if message.chat_id in self.flooders else "search"
                    if kind == "flood" or answer != "answered":
                        kind += f": {answer}"
                    self.latencies[kind].append((now - queue.pop(0)) * 1000)
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

    def outstanding(self, users: frozenset[int] | None = None) -> int:
        """Replies not yet complete, of ``users`` (everyone's when None)."""
        with self.lock:
            return (sum(len(q) for (chat, _), q in self.pending.items()
                        if users is None or chat in users)
                    + sum(len(lists) for chat, lists in self.unfinished.items()
                          if users is None or chat in users))


def offer_at_rate(load: Load, users: list[int], rate: float, seconds: float,
                  queries: list[str], stop: threading.Event | None = None) -> None:
    """Open loop: ``rate`` updates a second for ``seconds`` (or until ``stop``), from random
    users, 30% /latest, the rest /search of a random query."""
    started = time.perf_counter()
    for n in range(int(rate * seconds)):
        if stop is not None and stop.is_set():
            return
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        command = ("/latest" if random.random() < 0.3
                   else f"/search {random.choice(queries)}")
        load.offer(random.choice(users), command)


def flood(load: Load, rate: float, stop: threading.Event) -> None:
    """One user's searches of eight random one-letter prefixes, ``rate`` a second."""
    started = time.perf_counter()
    for n in itertools.count():
        delay = started + n / rate - time.perf_counter()
        if stop.wait(max(0.0, delay)):
            return
        letters = random.sample(LETTERS, 8)
        load.offer(FLOODER, "/search " + " ".join(f"{letter}*" for letter in letters))


def print_rows(rows: list[tuple[str, list[float]]]) -> None:
    print("| replies | count | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name, values in rows:
        if values:
            print(f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
                  f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} |")
        else:
            print(f"| {name} | 0 | – | – | – |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="reuters21578.jsonl")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="updates per second offered")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--quiet-rate", type=float, default=10.0,
                        help="updates per second offered by the users in phases 2 and 3")
    parser.add_argument("--flood-rate", type=float, default=10.0,
                        help="prefix searches per second from the flooding user")
    parser.add_argument("--flood-seconds", type=float, default=20.0)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "newsbot-bench.db")
    args = parser.parse_args()

    prepare_store(args.data, args.articles, args.db)
    users = [10_000 + n for n in range(args.users)]
    everyone = frozenset(users)
    with BotAPIStandIn() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
               "NEWSBOT_DB": str(args.db), "NEWSBOT_SEEDS": str(ROOT / "seeds")}
        bot = subprocess.Popen([sys.executable, "-m", "bot", "run", "--no-rate-limit"],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        stop_flood = threading.Event()
        stopped_after = outstanding_at_stop = None
        try:
            api.wait_until(lambda: "default" in api.commands, timeout=120)
            load = Load(api, flooders=frozenset({FLOODER}))
            random.seed(7)
            for user in users:  # warm-up: every query once, summaries of the newest cached
                load.offer(user, "/latest")
            api.wait_until(lambda: load.outstanding() == 0, timeout=120)
            for query in QUERIES:
                load.offer(users[0], f"/search {query}")
            api.wait_until(lambda: load.outstanding() == 0, timeout=120)

            load.reset()
            started = time.perf_counter()
            offer_at_rate(load, users, args.rate, args.seconds, QUERIES)
            api.wait_until(lambda: load.outstanding() == 0, timeout=600)
            elapsed = time.perf_counter() - started
            phases = {"load": load.latencies}

            load.reset()
            offer_at_rate(load, users, args.quiet_rate, args.flood_seconds, QUERIES)
            api.wait_until(lambda: load.outstanding() == 0, timeout=600)
            phases["quiet"] = load.latencies

            load.reset()
            flooding = threading.Thread(target=flood, args=(load, args.flood_rate, stop_flood))
            flooding.start()
            offer_at_rate(load, users, args.quiet_rate, args.flood_seconds, QUERIES)
            api.wait_until(lambda: load.outstanding(everyone) == 0, timeout=600)
            phases["flood"] = load.latencies
            outstanding_at_stop = load.outstanding()
        finally:
            stop_flood.set()
            stopping = time.perf_counter()
            bot.send_signal(signal.SIGTERM)
            try:
                _, errors = bot.communicate(timeout=STOP_WAIT)
                stopped_after = time.perf_counter() - stopping
            except subprocess.TimeoutExpired:
                bot.kill()
                _, errors = bot.communicate()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        rejected = [r for r in api.rejected if r[0] != "getUpdates"]

    print(f"newsbot bot latency · {article_count(args.db):,} articles · {args.users} users · "
          "rate limiter OFF (measures newsbot, not Telegram's limits)\n")
    measured = phases["load"]
    answered = measured["search"] + measured["latest"]
    print(f"1. load: offered {args.rate:.0f} updates/s for {args.seconds:.0f} s\n")
    print_rows([("/search", measured["search"]),
                ("/search refused: one moment (a user's 3rd at once)", measured["search: busy"]),
                ("/latest (one list of 5)", measured["latest"]), ("all answered", answered)])
    print(f"\nupdates handled: {len(answered)} in {elapsed:.1f} s = "
          f"{len(answered) / elapsed:.0f} updates/s; API errors: {len(rejected)}\n")
    print(f"2-3. the same users at {args.quiet_rate:.0f} updates/s for {args.flood_seconds:.0f} s,"
          f" alone, then while user {FLOODER} floods {args.flood_rate:.0f} searches/s of "
          "8 prefix* terms\n")
    quiet, flooded = phases["quiet"], phases["flood"]
    print_rows([
        ("/search, alone", quiet["search"]),
        ("/search, while one user floods", flooded["search"]),
        ("/latest, alone", quiet["latest"]),
        ("/latest, while one user floods", flooded["latest"]),
        *((f"others refused: {kind.split(': ')[1]}", values)
          for kind, values in sorted(flooded.items()) if kind.startswith("search: ")),
    ])
    # Counts only: a user's answers are matched to its searches oldest first, and the
    # flooder's come back out of order (a refusal overtakes a search still running).
    answers = Counter({kind.split(": ")[1]: len(values) for kind, values in flooded.items()
                       if kind.startswith("flood: ")})
    print(f"\nthe flooder's {sum(answers.values())} searches: {dict(sorted(answers.items()))}")
    exited = (f"the bot exited after {stopped_after:.1f} s" if stopped_after is not None
              else f"the bot had not exited after {STOP_WAIT} s and was killed")
    print(f"SIGTERM with {outstanding_at_stop} replies outstanding (the flood still coming): "
          f"{exited}")
    print(f"CPU seconds: bot (and the import) {children.ru_utime + children.ru_stime:.1f}, "
          f"stand-in and load generator {own.ru_utime + own.ru_stime:.1f}")
    if "Traceback" in (errors or ""):
        print("\nthe bot logged errors:\n" + errors[-2000:])


if __name__ == "__main__":
    main()
