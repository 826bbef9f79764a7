"""Summary quality against references nobody on the team wrote, per source, on a held-out half.

    python bench/summary_quality.py ../shared/bench [--half report] [--limit N]
        [--methods default lead ...]
    python bench/summary_quality.py ../shared/bench --half tune --variants   # tuning only

The stories are split into two fixed halves by a hash of their id (CNN/DailyMail) or file name
(BBC): ``tune`` is where the default's constants are chosen, ``report`` is where they are
reported. The default half is ``report``; ``--variants`` refuses it, so nothing is tuned there.

CNN/DailyMail, per source (the id's prefix says which): 3 sentences, ROUGE-1/2/Lsum F1
(rouge-score, Porter stemming) against the human highlights. BBC: every distinct body, P@3
(share of our 3 sentences found in the reference extract) and ROUGE-1/2 F1 with the summary as
long as the reference; BBC articles are summarised with their titles, as the bot does.

Beyond ROUGE, per method and source, for the 3-sentence summaries:

* dangling: share of summaries with a sentence that does not stand alone. A sentence dangles
  when, after any opening quote, its first word is one of ``DANGLING_OPENERS``, it is not the
  article's first sentence, and the sentence right before it in the article is not picked too;
* mid-story: share of summaries whose first sentence is not the article's first and opens with
  one of those words;
* mean length in characters (sentences joined by a space) and the share of summaries of at
  most 600 characters, what fits a /latest card;
* median milliseconds per ``summarise()`` call.

``--limit`` takes an evenly spaced sample of the half (CNN stories are about a tenth of the
file): quick for iterating, too noisy for the CNN part; report figures come from the full half.
The history of the default's figures is in README's "Summaries" section and the commit messages.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rouge_score import rouge_scorer

from bot.articles import read_article_file
from bot.sentences import paragraphs, split_sentences
from bot.summariser import METHODS, CentralLeadSummarizer, summarise

# The rule, written out here rather than imported, so that the bench does not grade the
# summariser with the summariser's own word list.
DANGLING_OPENERS = frozenset(
    "he she it they his her its their them this these those that but however and also yet so "
    "meanwhile instead then".split()
)
_FIRST_WORD = re.compile(r"""^[\s"'“”‘’«„]*([^\W\d_]+)""")
CARD_CHARS = 600

# name → overrides of CentralLeadSummarizer's settings (tuning half only).
VARIANTS: dict[str, dict[str, float]] = {
    "default": {},
    "no position prior": {"position_power": 0.0},
    "stronger position prior (0.6)": {"position_power": 0.6},
    "no length normalisation": {"length_power": 0.0},
    "dangling sentences allowed": {"take_antecedents": False},
    "no character budget": {"chars_per_sentence": 1_000_000},
    "no title factor": {"title_weight": 0.0},
    "no redundancy check": {"redundancy": 1.0},
    "no short-sentence penalty": {"short_sentence": 1},
}

_NORMAL = re.compile(r"[^\w]+")


def normal(text: str) -> str:
    return _NORMAL.sub("", text.lower())


def half_of(key: str) -> str:
    """"tune" or "report": a fixed split by the first byte of the key's SHA-256."""
    return "tune" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def source_of(story_id: str) -> str:
    """"CNN" or "DailyMail", from the id's prefix ("cnn-…", "dailymail-…")."""
    return "CNN" if story_id.startswith("cnn-") else "DailyMail"


def evenly(rows: list, limit: int) -> list:
    if not limit or limit >= len(rows):
        return rows
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def cnn_stories(path: Path, half: str, limit: int) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return evenly([r for r in rows if half_of(r["id"]) == half], limit)


@dataclass
class BbcStory:
    name: str
    title: str
    body: str
    reference: list[str]


def bbc_stories(folder: Path, half: str, limit: int) -> list[BbcStory]:
    """Each distinct body of the half, with its reference sentences."""
    seen: set[str] = set()
    found = []
    for path in sorted((folder / "articles").glob("*.txt")):
        article = read_article_file(path)
        if article.body in seen:
            continue
        seen.add(article.body)
        if half_of(path.name) != half:
            continue
        reference = (folder / "summaries" / path.name).read_text(encoding="utf-8")
        lines = [line.strip() for line in reference.splitlines() if re.search(r"\w", line)]
        found.append(BbcStory(path.name, article.title, article.body, lines))
    return evenly(found, limit)


def article_sentences(body: str) -> list[str]:
    """The article's sentences as the summariser sees them, in order."""
    return [s for p in paragraphs(body) for s in split_sentences(p, "english")]


def positions(picked: tuple[str, ...], sentences: list[str]) -> list[int]:
    """Where each picked sentence is in the article (a repeated sentence: its next place)."""
    found: list[int] = []
    for sentence in picked:
        index = -1
        while True:
            try:
                index = sentences.index(sentence, index + 1)
            except ValueError:  # past what the bench splits (never seen so far): not first
                index = len(sentences) + len(found)
                break
            if index not in found:
                break
        found.append(index)
    return found


def opens_with_dangling_word(sentence: str) -> bool:
    first = _FIRST_WORD.match(sentence)
    return bool(first) and first.group(1).lower() in DANGLING_OPENERS


def dangling(picked: tuple[str, ...], sentences: list[str]) -> tuple[bool, bool]:
    """(some sentence dangles, the summary starts mid-story) by the rule in the docstring."""
    places = positions(picked, sentences)
    order = sorted(zip(places, picked, strict=True))
    chosen = set(places)
    dangles = any(
        index > 0 and index - 1 not in chosen and opens_with_dangling_word(sentence)
        for index, sentence in order
    )
    mid_story = bool(order) and order[0][0] > 0 and opens_with_dangling_word(order[0][1])
    return dangles, mid_story


@dataclass
class Tally:
    """Figures of one method on one source."""

    r1: list[float] = field(default_factory=list)
    r2: list[float] = field(default_factory=list)
    rl: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    dangling: list[bool] = field(default_factory=list)
    mid_story: list[bool] = field(default_factory=list)
    chars: list[int] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def add_shape(self, picked: tuple[str, ...], sentences: list[str], ms: float) -> None:
        dangles, mid_story = dangling(picked, sentences)
        self.dangling.append(dangles)
        self.mid_story.append(mid_story)
        self.chars.append(len(" ".join(picked)))
        self.ms.append(ms)


def _pct(values: list) -> float:
    return 100 * statistics.fmean(values) if values else float("nan")


def timed(body: str, count: int, method: str, title: str) -> tuple[tuple[str, ...], float]:
    started = time.perf_counter()
    summary = summarise(body, count, method, "english", title)
    return summary.sentences, (time.perf_counter() - started) * 1000


def evaluate(method: str, cnn: list[dict], bbc: list[BbcStory]) -> dict[str, Tally]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    tallies = {"CNN": Tally(), "DailyMail": Tally(), "BBC": Tally()}
    for row in cnn:
        tally = tallies[source_of(row["id"])]
        picked, ms = timed(row["body"], 3, method, row.get("title", ""))
        tally.add_shape(picked, article_sentences(row["body"]), ms)
        scores = scorer.score("\n".join(row["reference"]), "\n".join(picked))
        tally.r1.append(scores["rouge1"].fmeasure)
        tally.r2.append(scores["rouge2"].fmeasure)
        tally.rl.append(scores["rougeLsum"].fmeasure)
    tally = tallies["BBC"]
    for story in bbc:
        joined = normal(" ".join(story.reference))
        picked, ms = timed(story.body, 3, method, story.title)
        tally.add_shape(picked, article_sentences(story.body), ms)
        if picked:
            tally.precision.append(
                sum(1 for s in picked if normal(s) and normal(s) in joined) / len(picked))
        longer, _ = timed(story.body, max(1, len(story.reference)), method, story.title)
        scores = scorer.score("\n".join(story.reference), "\n".join(longer))
        tally.r1.append(scores["rouge1"].fmeasure)
        tally.r2.append(scores["rouge2"].fmeasure)
    return tallies


def print_rows(name: str, tallies: dict[str, Tally], which: str) -> None:
    for source in ("CNN", "DailyMail") if which == "cnndm" else ("BBC",):
        t = tallies[source]
        if not t.chars:
            continue
        shape = (f"{_pct(t.dangling):.1f} | {_pct(t.mid_story):.1f} | "
                 f"{statistics.fmean(t.chars):.0f} | "
                 f"{_pct([c <= CARD_CHARS for c in t.chars]):.1f} | "
                 f"{statistics.median(t.ms):.2f}")
        if source == "BBC":
            print(f"| {name} | {statistics.fmean(t.precision):.3f} | "
                  f"{statistics.fmean(t.r1):.3f} | {statistics.fmean(t.r2):.3f} | {shape} |",
                  flush=True)
        else:
            print(f"| {name} | {source} | {_pct(t.r1):.2f} | {_pct(t.r2):.2f} | "
                  f"{_pct(t.rl):.2f} | {shape} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path,
                        help="the shared bench folder (cnndm-dev.jsonl, bbc-dev/)")
    parser.add_argument("--half", choices=("tune", "report"), default="report",
                        help="which fixed half of the stories (default report)")
    parser.add_argument("--limit", type=int, default=0,
                        help="an evenly spaced sample of this many CNN/DM stories (default all)")
    parser.add_argument("--bbc-limit", type=int, default=0,
                        help="an evenly spaced sample of this many BBC stories (default all)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--variants", action="store_true",
                        help="rows for variants of the default method (tuning half only)")
    args = parser.parse_args()
    if args.variants and args.half != "tune":
        parser.error("--variants compares settings: run it on --half tune only")
    cnn = cnn_stories(args.data / "cnndm-dev.jsonl", args.half, args.limit)
    bbc = bbc_stories(args.data / "bbc-dev", args.half, args.bbc_limit)
    sources = {s: sum(1 for r in cnn if source_of(r["id"]) == s) for s in ("CNN", "DailyMail")}
    print(f"half {args.half!r}: CNN {sources['CNN']} · DailyMail {sources['DailyMail']} · "
          f"BBC {len(bbc)} stories\n")
    names = ["lead", *VARIANTS] if args.variants else args.methods
    shape = f"dangling % | mid-story % | mean chars | ≤{CARD_CHARS} chars % | median ms"
    print(f"| method | source | R1 | R2 | RLsum | {shape} |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    results = {}
    for name in names:
        results[name] = (evaluate_variant(name, cnn, bbc) if args.variants and name in VARIANTS
                         else evaluate(name, cnn, bbc))
        print_rows(name, results[name], "cnndm")
    print(f"\n| method | BBC P@3 | BBC R1 | BBC R2 | {shape} |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, tallies in results.items():
        print_rows(name, tallies, "bbc")


def evaluate_variant(name: str, cnn: list[dict], bbc: list[BbcStory]) -> dict[str, Tally]:
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
