"""Precision and recall of near-duplicate story detection on labelled pairs.

    python bench/near_duplicates.py tests/fixtures/duplicates/pairs.jsonl [--threshold 0.5]
        [--corpus ../shared/bench/reuters21578.jsonl]

Each line of the pairs file is ``{"pair", "duplicate", "kind", "a": {title, body}, "b": ...}``:
two stories the team labelled as the same copy (``duplicate``: true) or not. Prints the
similarity of every pair, the pairs judged wrongly, and precision and recall at the
threshold (default: ``bot.feeds.duplicate.THRESHOLD``, fixed before the pairs were written;
do not tune it on this file and report on it).

--corpus also times signatures and grouping over an article JSONL file and prints how many
groups of two or more stories it finds, with the largest, to read them for false groupings.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.feeds.duplicate import (
    MIN_WORDS,
    THRESHOLD,
    StoryGrouper,
    band_keys,
    is_groupable,
    shingles,
    similarity,
    story_signature,
)


def exact_jaccard(a: dict, b: dict) -> float:
    left, right = shingles(a["title"], a["body"]), shingles(b["title"], b["body"])
    return len(left & right) / len(left | right) if left | right else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--min-words", type=int, default=MIN_WORDS,
                        help="stories shorter than this are never grouped (default: "
                             "bot.feeds.duplicate.MIN_WORDS); the second table applies it")
    args = parser.parse_args()
    pairs = [json.loads(line) for line in args.pairs.read_text("utf-8").splitlines() if line]
    tp = fp = fn = tn = 0
    short = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    print(f"{'pair':>4}  {'label':<9} {'minhash':>7} {'exact':>6}  judged     kind")
    for pair in pairs:
        a, b = pair["a"], pair["b"]
        left, right = story_signature(a["title"], a["body"]), story_signature(b["title"], b["body"])
        estimate = similarity(left, right)
        judged = estimate >= args.threshold
        label = pair["duplicate"]
        tp += judged and label
        fp += judged and not label
        fn += label and not judged
        tn += not judged and not label
        # As the store groups: long enough, and found as a candidate through a shared LSH band.
        shares_band = bool(set(band_keys(left)) & set(band_keys(right)))
        kept = judged and shares_band and all(
            is_groupable(s["title"], s["body"], args.min_words) for s in (a, b))
        short["tp"] += kept and label
        short["fp"] += kept and not label
        short["fn"] += label and not kept
        short["tn"] += not kept and not label
        mark = "" if judged == label else "  ← wrong"
        print(f"{pair['pair']:>4}  {'dup' if label else 'not dup':<9} {estimate:>7.3f} "
              f"{exact_jaccard(a, b):>6.3f}  {'dup' if judged else 'not dup':<9}  "
              f"{pair['kind']}{mark}")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print()
    print("| pairs | duplicates | threshold | TP | FP | FN | TN | precision | recall |")
    print("|------:|-----------:|----------:|---:|---:|---:|---:|----------:|-------:|")
    print(f"| {len(pairs)} | {tp + fn} | {args.threshold:g} | {tp} | {fp} | {fn} | {tn} "
          f"| {precision:.3f} | {recall:.3f} |")
    s_tp, s_fp, s_fn, s_tn = short["tp"], short["fp"], short["fn"], short["tn"]
    print()
    print(f"As the store groups (stories under {args.min_words} words never; candidates from "
          "shared LSH bands):")
    print("| pairs | duplicates | TP | FP | FN | TN | precision | recall |")
    print("|------:|-----------:|---:|---:|---:|---:|----------:|-------:|")
    print(f"| {len(pairs)} | {s_tp + s_fn} | {s_tp} | {s_fp} | {s_fn} | {s_tn} "
          f"| {s_tp / (s_tp + s_fp) if s_tp + s_fp else float('nan'):.3f} "
          f"| {s_tp / (s_tp + s_fn) if s_tp + s_fn else float('nan'):.3f} |")
    if args.corpus:
        corpus(args.corpus, args.threshold)


def corpus(path: Path, threshold: float) -> None:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    started = time.perf_counter()
    signatures = [story_signature(r["title"], r["body"]) for r in records]
    signed = time.perf_counter()
    grouper = StoryGrouper(threshold)
    for record, signature in zip(records, signatures, strict=True):
        grouper.add(record["id"], signature)
    grouped = time.perf_counter()
    groups = sorted((g for g in grouper.groups() if len(g) > 1), key=len, reverse=True)
    titles = {r["id"]: r["title"] for r in records}
    print()
    print("| stories | signatures/s | grouping s | groups of 2+ | stories in them |")
    print("|--------:|-------------:|-----------:|-------------:|----------------:|")
    print(f"| {len(records)} | {len(records) / (signed - started):,.0f} "
          f"| {grouped - signed:.2f} | {len(groups)} | {sum(map(len, groups))} |")
    for group in groups[:5]:
        print(f"  {len(group)}: " + " | ".join(titles[k][:40] for k in group[:4]))


if __name__ == "__main__":
    main()
