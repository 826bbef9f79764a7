"""Import throughput, search and /latest latency, database size and memory at scale.

    python bench/import_search.py ../shared/bench/reuters21578.jsonl [--articles 100000]
        [--rounds 25] [--reference] [--ukrainian 20000]

The Reuters-21578 stories are replicated (fresh ids, dates shifted by 400 days a round) until
there are --articles of them, written as one JSON Lines feed in a temporary directory and
imported through `NewsService.import_paths` — the code path of `newsbot import` — into a fresh
database there. The same feed is then imported again (every article unchanged). Each of the 20
queries below and each /latest variant is then timed --rounds times after one warm-up call.
Peak RSS is this process's (ru_maxrss), import, replication and queries included.

--reference also times what this machine manages at that moment without newsbot: sqlite-utils'
insert_all of the same records into one plain table, then one FTS5 build (no change detection,
tags, WAL or per-batch index writes). It runs after peak RSS is read: it holds every record.

--ukrainian also imports that many generated Ukrainian articles (bench/ukrainian_corpus.py)
into a second fresh store, after peak RSS is read, and times inflected Ukrainian searches.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ukrainian_corpus import write_ukrainian_feed
from bot.service import NewsService
from bot.store import Store

# Words, phrases, prefixes, exclusions, tag: and category: filters, alone and mixed.
QUERIES = [
    "oil", "coffee prices", "bank", "dollar", "trade deficit", '"crude oil"',
    '"interest rates"', "opec", "earn*", "merg* bid", "sugar -brazil",
    'wheat -"soviet union"', "tag:USA grain", "tag:Japan", 'tag:"West Germany" bank',
    "category:Coffee", "-tag:USA category:Gold", "takeover -tag:USA", "stock exchange",
    "inflation tax",
]
# Inflected forms, a phrase, a prefix and a filter over the generated Ukrainian articles.
UKRAINIAN_QUERIES = ["Лісоград", "тролейбусом", "лікарні", "бібліотека Сонцеділ",
                     '"міський театр"', "електростанц*", "tag:Освіта школою"]
LATEST = [("latest 5", {}), ("latest 5 tag:USA", {"tag": "USA"}),
          ("latest 5 tag:Coffee", {"tag": "Coffee"})]


def replicate(source: Path, count: int, target: Path) -> None:
    """Write ``count`` articles: the source stories over and over, with new ids and dates."""
    stories = [json.loads(line) for line in source.open(encoding="utf-8")]
    with target.open("w", encoding="utf-8") as out:
        for n in range(count):
            story = dict(stories[n % len(stories)])
            round_ = n // len(stories)
            story["id"] = f"{story['id']}-r{round_}"
            published = datetime.fromisoformat(story["published"])
            story["published"] = (published + timedelta(days=400 * round_)).isoformat()
            out.write(json.dumps(story, ensure_ascii=False) + "\n")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call, rounds: int) -> list[float]:
    """Milliseconds of ``rounds`` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bare_import(feed: Path, db_path: Path) -> float:
    """Seconds for sqlite-utils to load the feed into one plain table and build FTS5 once."""
    import sqlite_utils

    started = time.perf_counter()
    with feed.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    db = sqlite_utils.Database(db_path)
    db["articles"].insert_all(records, pk="id", batch_size=2000)
    db["articles"].enable_fts(["title", "subtitle", "tags", "body"], tokenize="porter")
    seconds = time.perf_counter() - started
    db.close()
    os.unlink(db_path)
    return seconds


def ukrainian_row(
    folder: Path, count: int, rounds: int
) -> tuple[float, dict[str, list[float]], dict[str, int]] | None:
    """Seconds to import ``count`` generated Ukrainian articles into a fresh store, and each
    Ukrainian query's times and hits there; None for 0 articles."""
    if not count:
        return None
    feed = folder / "ukrainian.jsonl"
    write_ukrainian_feed(count, feed)
    with Store(folder / "ukrainian.db") as store:
        service = NewsService(store)
        started = time.perf_counter()
        report = service.import_paths([feed])
        seconds = time.perf_counter() - started
        if report.added != count or report.failed:
            sys.exit(f"unexpected Ukrainian import report: {report.as_dict()}")
        times = {q: timed(lambda q=q: service.search(q), rounds) for q in UKRAINIAN_QUERIES}
        hits = {q: len(service.search(q, 100).hits) for q in UKRAINIAN_QUERIES}
    return seconds, times, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="reuters21578.jsonl")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=25, help="timed calls per query")
    parser.add_argument("--reference", action="store_true",
                        help="also time a bare sqlite-utils insert_all and one FTS build")
    parser.add_argument("--ukrainian", type=int, default=20_000,
                        help="generated Ukrainian articles to import and search (0: none)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        feed = Path(folder) / "feed.jsonl"
        replicate(args.data, args.articles, feed)
        with Store(Path(folder) / "news.db") as store:
            service = NewsService(store)
            started = time.perf_counter()
            first = service.import_paths([feed])
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = service.import_paths([feed])
            again_seconds = time.perf_counter() - started
            if (first.added, again.unchanged) != (args.articles, args.articles) or (
                first.failed or again.failed or again.added or again.updated
            ):
                sys.exit(f"unexpected import reports: {first.as_dict()} then {again.as_dict()}")
            size = service.stats().database_bytes

            searches = {q: timed(lambda q=q: service.search(q), args.rounds) for q in QUERIES}
            hits = {q: len(service.search(q, 100).hits) for q in QUERIES}
            latest = {name: timed(lambda kw=kw: service.latest(5, **kw), args.rounds)
                      for name, kw in LATEST}
            hits.update({name: len(service.latest(5, **kw)) for name, kw in LATEST})
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reference = bare_import(feed, Path(folder) / "bare.db") if args.reference else None
        ukrainian = ukrainian_row(Path(folder), args.ukrainian, args.rounds)

    every_search = [t for times in searches.values() for t in times]
    every_latest = [t for times in latest.values() for t in times]
    print(f"newsbot import and search · {args.articles:,} articles "
          f"(Reuters-21578 replicated) · {args.rounds} timed calls per query\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| first import | {args.articles / first_seconds:,.0f} articles/s "
          f"({first_seconds:.1f} s) |")
    print(f"| re-import, all unchanged | {args.articles / again_seconds:,.0f} articles/s "
          f"({again_seconds:.1f} s) |")
    print(f"| database size | {size / 2**20:,.0f} MiB |")
    print(f"| search p50 / p95 | {statistics.median(every_search):.2f} / "
          f"{percentile(every_search, 0.95):.2f} ms |")
    print(f"| latest p50 / p95 | {statistics.median(every_latest):.3f} / "
          f"{percentile(every_latest, 0.95):.3f} ms |")
    print(f"| peak RSS | {peak_mib:,.0f} MiB |")
    if reference:
        print(f"| reference: bare insert_all + one FTS build | {args.articles / reference:,.0f}"
              f" articles/s ({reference:.1f} s) |")

    if ukrainian:
        seconds, times, ukrainian_hits = ukrainian
        searches.update(times)
        hits.update(ukrainian_hits)
        print(f"| Ukrainian (generated): first import | {args.ukrainian / seconds:,.0f}"
              f" articles/s ({seconds:.1f} s) |")
        every = [t for query_times in times.values() for t in query_times]
        print(f"| Ukrainian search p50 / p95 | {statistics.median(every):.2f} / "
              f"{percentile(every, 0.95):.2f} ms |")

    print("\n| query | hits (≤100) | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    for query, times in [*searches.items(), *latest.items()]:
        print(f"| `{query}` | {hits[query]} | {statistics.median(times):.2f} | "
              f"{percentile(times, 0.95):.2f} |")


if __name__ == "__main__":
    main()
