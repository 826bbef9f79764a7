"""Summariser speed: per article in one process, and during `newsbot import --summarise`.

    python bench/summary_speed.py ../shared/bench/cnndm-dev.jsonl [--articles 4000]
        [--methods default lead lexrank]

Single process: ``summarise()`` on each of an evenly spaced sample of CNN/DailyMail stories
(3 sentences, language detected as the bot does), median and p95 ms per article and articles/s.
Import: the same stories written as a JSON Lines file and imported into a fresh store with
``NewsService.import_paths`` — without summaries, with ``summarise=True`` on one worker, and on
all cores — so the table shows what computing summaries at import time costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.service import NewsService
from bot.store import Store
from bot.summariser import METHODS, summarise


def sample(path: Path, count: int) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    step = max(1, len(rows) // count)
    return rows[::step][:count]


def single_process(rows: list[dict], method: str) -> tuple[float, float, float]:
    """(median ms, p95 ms, articles/s) of summarise() over the rows."""
    summarise(rows[0]["body"], method=method)  # warm caches and imports
    times = []
    started = time.perf_counter()
    for row in rows:
        begun = time.perf_counter()
        summarise(row["body"], method=method, title=row.get("title", ""))
        times.append((time.perf_counter() - begun) * 1000)
    elapsed = time.perf_counter() - started
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(rows) / elapsed


def write_jsonl(rows: list[dict], folder: Path) -> Path:
    path = folder / "stories.jsonl"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for number, row in enumerate(rows):
            body = row["body"]
            title = row.get("title") or body.split(". ")[0][:120]
            out.write(json.dumps({
                "id": f"speed-{number}", "category": "News", "source": "Bench",
                "published": (start + timedelta(minutes=number)).isoformat(),
                "title": title, "subtitle": title, "tags": ["bench"], "body": body,
            }) + "\n")
    return path


def timed_import(jsonl: Path, folder: Path, name: str, **options: object) -> float:
    """Articles per second of one import into a fresh database."""
    service = NewsService(Store(folder / f"{name}.db"))
    started = time.perf_counter()
    report = service.import_paths([jsonl], **options)
    elapsed = time.perf_counter() - started
    assert not report.failed, report.failed
    return report.added / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="cnndm-dev.jsonl from the shared bench folder")
    parser.add_argument("--articles", type=int, default=4000,
                        help="stories (default 4000: enough to amortise worker start-up)")
    parser.add_argument("--methods", nargs="+", default=["default", "lead", "lexrank"],
                        choices=METHODS)
    args = parser.parse_args()
    rows = sample(args.data, args.articles)
    words = statistics.median(len(r["body"].split()) for r in rows)
    cores = os.cpu_count() or 1
    print(f"{len(rows)} CNN/DailyMail stories, median {words:.0f} words; {cores} cores\n")
    print("| single process | median ms | p95 ms | articles/s |")
    print("|---|---|---|---|")
    for method in args.methods:
        median, p95, rate = single_process(rows, method)
        print(f"| summarise(method={method!r}) | {median:.2f} | {p95:.2f} | {rate:,.0f} |",
              flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jsonl = write_jsonl(rows, folder)
        print("\n| import | articles/s |")
        print("|---|---|")
        print(f"| without summaries | {timed_import(jsonl, folder, 'plain'):,.0f} |", flush=True)
        one = timed_import(jsonl, folder, "one", summarise=True, workers=1)
        print(f"| --summarise, 1 worker | {one:,.0f} |", flush=True)
        every = timed_import(jsonl, folder, "all", summarise=True)
        print(f"| --summarise, {cores} workers (all cores) | {every:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
