"""Saved searches: matching 10,000 alerts against a batch of 500 new articles, and instant
delivery of the matches to 2,000 chats under the rate limiter.

    python bench/alerts.py DATA.jsonl [--alerts 10000] [--batch 500] [--background 5000]
        [--chats 2000] [--dir /tmp/newsbot-alerts]

1. Matching. A store gets --background articles of DATA.jsonl (e.g. ../shared/bench/
   reuters21578.jsonl); --alerts saved searches are spread over chats, 5 each, their queries
   drawn from the words of those articles' titles in the search language's shapes (a word, two
   words, a phrase, a prefix*, a word -word, a word tag:T); then the next --batch articles
   are stored and ``NewsService.match_alerts`` matches them (the temporary FTS index of the
   batch and every distinct query, each under the query budget), timed alone.
   Target: all matches in at most 2 s.
2. Instant delivery. --chats chats in instant mode each save one or two saved searches on the
   fictional articles of bench/digest_broadcast.py, 120 new ones are imported, their import
   stamped two minutes ago (due now), and `newsbot send-digests` (due chats only, its own
   process, the rate limiter on) sends them to the stand-in enforcing Telegram's flood limits.
   Target: at least 28.5 messages/s, no 429s, no duplicates, no losses: what each chat must get
   is worked out here from the generated articles (the ten newest matching a saved search).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import digest_broadcast as broadcast_bench  # noqa: E402

from bot.articles import iter_articles  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.store import Store  # noqa: E402

MATCH_TARGET = 2.0  # seconds for every alert against one batch
ALERTS_PER_CHAT = 5
WORD = re.compile(r"[a-z]{4,}")


def read_articles(path: Path, count: int) -> list:
    articles = []
    for item in iter_articles([path], 1024 * 1024):
        if isinstance(item, Exception):
            continue
        articles.append(item)
        if len(articles) >= count:
            break
    return articles


def alert_queries(articles: list, count: int, rng: random.Random) -> list[str]:
    """``count`` queries in the search language from the articles' title words and tags."""
    words = sorted({w for a in articles for w in WORD.findall(a.title.lower())})
    tags = sorted({t for a in articles for t in a.tags if '"' not in t})
    shapes = [
        lambda: rng.choice(words),
        lambda: f"{rng.choice(words)} {rng.choice(words)}",
        lambda: f'"{rng.choice(words)} {rng.choice(words)}"',
        lambda: rng.choice(words)[:4] + "*",
        lambda: f"{rng.choice(words)} -{rng.choice(words)}",
        lambda: f'{rng.choice(words)} tag:"{rng.choice(tags)}"',
    ]
    return [rng.choice(shapes)() for _ in range(count)]


def bench_matching(data: Path, folder: Path, alerts: int, batch: int, background: int
                   ) -> dict:
    rng = random.Random(11)
    articles = read_articles(data, background + batch)
    if len(articles) < background + batch:
        sys.exit(f"{data} holds {len(articles)} readable articles; {background + batch} needed")
    old, new = articles[:background], articles[background:]
    db = folder / "match.db"
    db.unlink(missing_ok=True)
    with Store(db) as store:
        service = NewsService(store)
        store.upsert_articles(old)
        for n, query in enumerate(alert_queries(old, alerts, rng)):
            service.add_alert(1_000_000 + n // ALERTS_PER_CHAT, query)
        added = store.upsert_articles(new).added
        started = time.perf_counter()
        report = service.match_alerts(added)
        seconds = time.perf_counter() - started
        distinct = len({a.query for a in service.all_alerts()})
    return {"alerts": alerts, "distinct": distinct, "batch": len(added), "background": len(old),
            "matches": len(report.matches), "refused": len(report.refused),
            "seconds": seconds}


def alert_words() -> list[str]:
    """Topics of the fictional articles that are one word and appear nowhere else in their
    text, so a saved search for one matches exactly the articles tagged with it."""
    template = " ".join([*broadcast_bench.SENTENCES, *broadcast_bench.EVENTS,
                         *broadcast_bench.THINGS, *broadcast_bench.PLACES]).lower()
    return [t for t in broadcast_bench.TOPICS
            if " " not in t and t.lower()[:4] not in template]


def prepare_instant(folder: Path, chats: int) -> broadcast_bench.World:
    """A store of old fictional articles, ``chats`` instant chats with saved searches, then
    new articles imported (and summarised) two minutes ago."""
    rng = random.Random(2026)
    words = alert_words()
    tags = broadcast_bench.TOPICS
    db = folder / "prepared.db"
    db.unlink(missing_ok=True)
    start = datetime(2025, 5, 1, 6, 0, tzinfo=UTC)

    def batch(first: int, count: int, since: datetime) -> list[dict]:
        out = []
        for n in range(first, first + count):
            lead = words[n % len(words)]
            extra = rng.sample([t for t in tags if t != lead], 2)
            out.append(broadcast_bench.fictional_article(
                n, [lead, *extra], since + timedelta(minutes=7 * (n - first)), rng))
        return out

    broadcast_bench.write_jsonl(folder / "old.jsonl", batch(0, 200, start))
    done = broadcast_bench.newsbot(db, "import", str(folder / "old.jsonl"), cwd=folder)
    if done.returncode != 0:
        sys.exit(f"newsbot import failed:\n{done.stdout}{done.stderr}")
    chat_ids = [broadcast_bench.FIRST_CHAT + n for n in range(chats)]
    follows: dict[int, set[str]] = {}
    with Store(db) as store:
        service = NewsService(store)
        for chat_id in chat_ids:
            chosen = rng.sample(words, rng.randint(1, 2))
            for word in chosen:
                service.add_alert(chat_id, word.lower())
            service.set_delivery(chat_id, "instant")
            follows[chat_id] = {w.casefold() for w in chosen}
    new = batch(200, 120, start + timedelta(days=20))
    broadcast_bench.write_jsonl(folder / "new.jsonl", new)
    done = broadcast_bench.newsbot(db, "import", "--summarise", str(folder / "new.jsonl"),
                                   cwd=folder)
    if done.returncode != 0:
        sys.exit(f"newsbot import --summarise failed:\n{done.stdout}{done.stderr}")
    two_minutes_ago = (datetime.now(UTC) - timedelta(minutes=2)).isoformat(timespec="seconds")
    with sqlite3.connect(db) as conn:  # the import happened two minutes ago: instant is due
        conn.execute("UPDATE articles SET imported_at = ?", (two_minutes_ago,))
    newest_first = sorted(new, key=lambda a: a["published"], reverse=True)
    expected = {
        chat_id: [a["title"] for a in newest_first
                  if follows[chat_id] & {t.casefold() for t in a["tags"]}][
                      :broadcast_bench.DIGEST_ITEMS]
        for chat_id in chat_ids
    }
    return broadcast_bench.World(db, chat_ids, expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="articles as JSON Lines (e.g. reuters21578)")
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--background", type=int, default=5000,
                        help="articles stored before the batch (default 5000)")
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the stores go (default: a temporary directory, removed)")
    args = parser.parse_args()
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    folder = args.dir or Path(tempfile.mkdtemp(prefix="newsbot-alerts-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        m = bench_matching(args.data, folder, args.alerts, args.batch, args.background)
        world = prepare_instant(folder, args.chats)
        o = broadcast_bench.broadcast(world, folder, "instant, rate limiter on",
                                      ("send-digests", "--json"))
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"newsbot saved searches · {args.data.name}\n")
    print("| alerts (distinct queries) | batch | stored before | matches | refused | "
          "seconds | target | result |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {m['alerts']:,} ({m['distinct']:,}) | {m['batch']} | {m['background']:,} | "
          f"{m['matches']:,} | {m['refused']} | {m['seconds']:.2f} | ≤ {MATCH_TARGET:g} | "
          f"{'pass' if m['seconds'] <= MATCH_TARGET else 'MISS'} |")
    print()
    expected = sum(len(titles) for titles in world.expected.values())
    print(f"instant delivery · {len(world.chats):,} chats with 1–2 saved searches · 120 new "
          f"articles · {expected:,} items due · `newsbot send-digests` as its own process\n")
    print("| run | messages | seconds | messages/s | target | 429s | duplicates | "
          "lost articles (chats) | errors | result |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {o.label} | {o.messages:,} | {o.seconds:.1f} | {o.rate:.1f} | "
          f"≥ {o.target:g} | {o.too_many} | {o.duplicates} | "
          f"{o.lost_articles} ({o.lost_chats}) | {o.errors} | "
          f"{'pass' if o.passed else 'MISS'} |")
    print(f"\nload average {load_before} before, "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
