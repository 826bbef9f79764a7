"""Print recall@10 of the relevance set for exact-form matching (newsbot before word forms)
and for each analyser, by language and split (dev: the half the analyser was chosen on).

    python -m tests.relevance.recall
"""

from __future__ import annotations

from collections.abc import Callable

from bot import analysis
from tests.relevance.relevance import TOP, filled_store, found, judged_queries


def _simplemma() -> Callable[[str, str], str] | None:
    """simplemma's lemmas for both languages, if installed (it is not a dependency)."""
    try:
        import simplemma
    except ImportError:
        return None
    return lambda word, language: simplemma.lemmatize(
        word, "uk" if language == "ukrainian" else "ru")


def main() -> None:
    candidates: dict[str, Callable[[str, str], str] | None] = {
        "exact form (before)": lambda word, language: "",  # no forms: the raw text only
        f"{analysis.ANALYSER} (chosen)": analysis.ANALYSERS[analysis.ANALYSER],
        "simplemma": _simplemma(),
    }
    judged = judged_queries()
    groups = {
        "uk": lambda j: j.language == "uk", "ru": lambda j: j.language == "ru",
        "dev": lambda j: j.split == "dev", "held-out": lambda j: j.split == "held-out",
        "all": lambda j: True,
    }
    print(f"recall@{TOP}: must-find articles in the first {TOP} results\n")
    print("| analysis | " + " | ".join(f"{g} ({sum(map(f, judged))} q)" for g, f in
                                        groups.items()) + " |")
    print("|---" * (len(groups) + 1) + "|")
    for name, analyse in candidates.items():
        if analyse is None:
            print(f"| {name} | not installed |")
            continue
        analysis.ANALYSERS[name] = analyse
        analysis.ANALYSER = name
        store, names = filled_store()
        hits = {j: len(found(store, names, j)) for j in judged}
        store.close()
        cells = []
        for test in groups.values():
            chosen = [j for j in judged if test(j)]
            wanted = sum(len(j.must_find) for j in chosen)
            cells.append(f"{sum(hits[j] for j in chosen) / wanted:.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
        if analyse is not candidates["exact form (before)"]:
            misses = [f"{j.query} ({len(j.must_find) - hits[j]})"
                      for j in judged if hits[j] < len(j.must_find)]
            print(f"|  misses: {', '.join(misses) or 'none'} |")


if __name__ == "__main__":
    main()
