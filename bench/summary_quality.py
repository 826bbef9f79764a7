"""Summary quality against references nobody on the team wrote.

    python bench/summary_quality.py ../shared/bench [--limit 1500] [--methods default lead ...]
    python bench/summary_quality.py ../shared/bench --variants   # the default's trade-offs

CNN/DailyMail: an evenly spaced sample, 3 sentences, ROUGE-1/2/Lsum F1 (rouge-score, Porter
stemming) against the human highlights. BBC: every development article (bodies deduplicated),
P@3 (share of our 3 sentences found in the reference extract) and ROUGE-1/2 F1 with the summary
as long as the reference. BBC articles have titles and are summarised with them, as the bot
does; CNN/DailyMail ones have none. Prints one row per method.

``--variants`` prints the default method with each of its factors changed, to show what each
one buys on either set (the trade-off between position and centrality in particular).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rouge_score import rouge_scorer

from bot.articles import read_article_file
from bot.summariser import METHODS, CentralLeadSummarizer, summarise

# name → overrides of CentralLeadSummarizer's settings.
VARIANTS: dict[str, dict[str, float]] = {
    "default": {},
    "no position prior": {"position_power": 0.0},
    "stronger position prior (0.75)": {"position_power": 0.75},
    "strong position prior (1.0)": {"position_power": 1.0},
    "no length normalisation": {"length_power": 0.0},
    "full length normalisation": {"length_power": 1.0},
    "no title factor": {"title_weight": 0.0},
    "no redundancy check": {"redundancy": 1.0},
    "no short-sentence penalty": {"short_sentence": 1},
}

_NORMAL = re.compile(r"[^\w]+")


def normal(text: str) -> str:
    return _NORMAL.sub("", text.lower())


def cnn_sample(path: Path, limit: int, offset: int = 0) -> list[dict]:
    """Every step-th article from ``offset``: the file is in the dataset's order, CNN first."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    step = max(1, len(rows) // limit)
    return rows[offset::step][:limit]


def bbc_articles(folder: Path) -> list[tuple[str, str, list[str]]]:
    """(title, body, reference sentences) for each distinct body."""
    seen: set[str] = set()
    found = []
    for path in sorted((folder / "articles").glob("*.txt")):
        article = read_article_file(path)
        if article.body in seen:
            continue
        seen.add(article.body)
        reference = (folder / "summaries" / path.name).read_text(encoding="utf-8")
        lines = [line.strip() for line in reference.splitlines() if re.search(r"\w", line)]
        found.append((article.title, article.body, lines))
    return found


def evaluate(method: str, cnn: list[dict], bbc: list[tuple[str, str, list[str]]]) -> dict:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    r1, r2, rl, times = [], [], [], []
    for row in cnn:
        started = time.perf_counter()
        summary = summarise(row["body"], 3, method, "english", row.get("title", ""))
        times.append((time.perf_counter() - started) * 1000)
        scores = scorer.score("\n".join(row["reference"]), "\n".join(summary.sentences))
        r1.append(scores["rouge1"].fmeasure)
        r2.append(scores["rouge2"].fmeasure)
        rl.append(scores["rougeLsum"].fmeasure)
    precision, b1, b2 = [], [], []
    for title, body, reference in bbc:
        joined = normal(" ".join(reference))
        top3 = summarise(body, 3, method, "english", title).sentences
        if top3:
            precision.append(sum(1 for s in top3 if normal(s) and normal(s) in joined)
                             / len(top3))
        summary = summarise(body, max(1, len(reference)), method, "english", title)
        scores = scorer.score("\n".join(reference), "\n".join(summary.sentences))
        b1.append(scores["rouge1"].fmeasure)
        b2.append(scores["rouge2"].fmeasure)
    mean = statistics.fmean
    return {
        "method": method,
        "cnn_r1": 100 * mean(r1) if r1 else float("nan"),
        "cnn_r2": 100 * mean(r2) if r2 else float("nan"),
        "cnn_rl": 100 * mean(rl) if rl else float("nan"),
        "ms": statistics.median(times) if times else float("nan"),
        "bbc_p3": mean(precision) if precision else float("nan"),
        "bbc_r1": mean(b1) if b1 else float("nan"),
        "bbc_r2": mean(b2) if b2 else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path,
                        help="the shared bench folder (cnndm-dev.jsonl, bbc-dev/)")
    parser.add_argument("--limit", type=int, default=1500, help="CNN/DM articles (default 1500)")
    parser.add_argument("--offset", type=int, default=0,
                        help="start the CNN/DM sample here: 1 gives articles the default skips")
    parser.add_argument("--bbc-limit", type=int, default=0, help="BBC articles (default all)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--variants", action="store_true",
                        help="rows for variants of the default method instead of the methods")
    args = parser.parse_args()
    cnn = cnn_sample(args.data / "cnndm-dev.jsonl", args.limit, args.offset) if args.limit else []
    bbc = bbc_articles(args.data / "bbc-dev")
    if args.bbc_limit:
        bbc = bbc[:: max(1, len(bbc) // args.bbc_limit)][: args.bbc_limit]
    print(f"CNN/DailyMail: {len(cnn)} articles · BBC: {len(bbc)} articles\n")
    print("| method | CNN/DM R1 | R2 | RLsum | ms/article | BBC P@3 | BBC R1 | BBC R2 |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ["lead", *VARIANTS] if args.variants else args.methods:
        row = evaluate_variant(name, cnn, bbc) if name in VARIANTS else evaluate(name, cnn, bbc)
        print(f"| {name} | {row['cnn_r1']:.2f} | {row['cnn_r2']:.2f} | "
              f"{row['cnn_rl']:.2f} | {row['ms']:.2f} | {row['bbc_p3']:.3f} | "
              f"{row['bbc_r1']:.3f} | {row['bbc_r2']:.3f} |", flush=True)


def evaluate_variant(name: str, cnn: list[dict], bbc: list[tuple[str, str, list[str]]]) -> dict:
    """The default method with some of its settings changed for the duration."""
    saved = {key: getattr(CentralLeadSummarizer, key) for key in VARIANTS[name]}
    try:
        for key, value in VARIANTS[name].items():
            setattr(CentralLeadSummarizer, key, value)
        return evaluate("default", cnn, bbc)
    finally:
        for key, value in saved.items():
            setattr(CentralLeadSummarizer, key, value)


if __name__ == "__main__":
    main()
