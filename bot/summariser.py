"""Extractive summaries on sumy's document model: the only module that imports sumy.

``summarise(text, sentences, method, language, title)`` returns a ``Summary`` of sentences
copied from the text, in document order. It raises ``SummaryError`` only for an unknown method
or a length below one; any text at all (empty, one word, numbers and links only, 50,000 words)
gives a summary, maybe empty.

Parsing is separate from scoring, as in sumy: ``bot.sentences`` splits the text offline
(sumy's own tokenizer needs NLTK data that pip does not install), and this module builds sumy's
``ObjectDocumentModel`` from it, with the language's stemmer (sumy's Ukrainian one, NLTK's
pure-Python Snowball for English, Russian and a few others) and stop words (sumy's, or
``bot/data/stopwords-<language>.txt``). Each method is a sumy summarizer, ``summarizer(document,
count)``; "lead" and "default" are ours, in the same shape.

Only the first ``MAX_SENTENCES`` sentences are scored, which bounds the quadratic methods on
very long bodies; news puts what matters first.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
from nltk.stem import snowball
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import null_stemmer
from sumy.nlp.stemmers.ukrainian import stem_word as ukrainian_stem
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from bot.errors import SummaryError
from bot.language import detect_language
from bot.models import SUMMARY_METHODS, Summary
from bot.sentences import SentenceTokenizer, leans_on_previous, paragraphs

__all__ = ["METHODS", "CentralLeadSummarizer", "detect_language", "summarise"]

METHODS = SUMMARY_METHODS
MAX_SENTENCES = 200
# Text past this many characters is not even split into sentences.
_MAX_CHARS = 60_000

_SNOWBALL = frozenset(snowball.SnowballStemmer.languages)


@lru_cache(maxsize=16)
def _stemmer(language: str) -> Callable[[str], str]:
    """The language's stemmer, memoised: news repeats its words, stemming is the slow part."""
    if language == "ukrainian":
        stem = ukrainian_stem
    elif language in _SNOWBALL:
        stem = snowball.SnowballStemmer(language).stem
    else:
        stem = null_stemmer
    return lru_cache(maxsize=100_000)(stem)


# Word → stem ("" for a stop word), per stemmer and stop list; bounded for long-running bots.
_MAX_CACHED_STEMS = 200_000
_STEM_TABLES: dict[tuple[int, int], dict[str, str]] = {}


def _content_stems(stemmer: Callable[[str], str], stop_words: frozenset[str]) -> dict[str, str]:
    """The shared word → stem table for this stemmer and stop list (both are memoised)."""
    return _STEM_TABLES.setdefault((id(stemmer), id(stop_words)), {})


@lru_cache(maxsize=16)
def _stop_words(language: str) -> frozenset[str]:
    try:
        words = get_stop_words(language)
    except LookupError:
        path = resources.files("bot") / "data" / f"stopwords-{language}.txt"
        if not path.is_file():
            return frozenset()
        words = path.read_text(encoding="utf-8").split()
    return frozenset(w.strip().lower() for w in words if w.strip())


def _document(text: str, title: str, language: str) -> ObjectDocumentModel:
    """sumy's model of the text: paragraphs of sentences, the title as a heading."""
    tokenizer = SentenceTokenizer(language)
    built: list[Paragraph] = []
    remaining = MAX_SENTENCES
    for number, paragraph in enumerate(paragraphs(text[:_MAX_CHARS])):
        if remaining <= 0:
            break
        found = [Sentence(s, tokenizer) for s in tokenizer.to_sentences(paragraph)[:remaining]]
        remaining -= len(found)
        if number == 0 and title.strip():
            found.insert(0, Sentence(" ".join(title.split()), tokenizer, is_heading=True))
        built.append(Paragraph(found))
    return ObjectDocumentModel(built)


class LeadSummarizer(AbstractSummarizer):
    """The first sentences: what a news writer put first."""

    def __call__(self, document: ObjectDocumentModel, count: int) -> tuple[Sentence, ...]:
        return tuple(document.sentences[:count])


def _summarizer(method: str, language: str, title_words: Sequence[str]) -> AbstractSummarizer:
    """A configured sumy summarizer (or one of ours) for the method."""
    stem = _stemmer(language)
    stop_words = _stop_words(language)
    if method == "default":
        return CentralLeadSummarizer(stem, stop_words, language)
    if method == "lead":
        return LeadSummarizer(stem)
    if method == "edmundson":
        # Edmundson without its cue method, for want of cue-word lists in our languages: the
        # key method rewards the title's words, the title and location methods as in sumy.
        summarizer = EdmundsonSummarizer(stem, cue_weight=0.0, key_weight=1.0)
        summarizer.null_words = stop_words or {""}
        summarizer.bonus_words = [w.lower() for w in title_words] or {""}
        return summarizer
    classes = {
        "lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer, "kl": KLSummarizer, "sumbasic": SumBasicSummarizer,
        "reduction": ReductionSummarizer,
    }
    summarizer = classes[method](stem)
    summarizer.stop_words = stop_words
    return summarizer


def summarise(
    text: str,
    sentences: int = 3,
    method: str = "default",
    language: str | None = None,
    title: str = "",
) -> Summary:
    """Pick ``sentences`` sentences of ``text`` with ``method``; see the module docstring."""
    if method not in METHODS:
        raise SummaryError(f"Unknown summary method {method!r}; choose one of: "
                           f"{', '.join(METHODS)}.")
    if not isinstance(sentences, int) or sentences < 1:
        raise SummaryError(f"A summary needs at least one sentence, not {sentences!r}.")
    language = (language or "").strip().lower() or detect_language(text)
    document = _document(text, title, language)
    if not document.sentences:
        return Summary((), method, language)
    if len(document.sentences) <= sentences:
        return Summary(tuple(str(s) for s in document.sentences), method, language)
    summarizer = _summarizer(method, language, [w for h in document.headings for w in h.words])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # Degenerate inputs (no shared words, one-word sentences) make some of sumy's
        # matrices divide zero by zero: the scores go NaN and are replaced by the lead.
        warnings.simplefilter("ignore", RuntimeWarning)
        # LSA warns when a text has fewer distinct words than sentences; it still ranks them.
        warnings.simplefilter("ignore", UserWarning)
        try:
            picked = summarizer(document, sentences)
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):
            picked = ()
    if not picked:
        picked = document.sentences[:sentences]
    return Summary(tuple(str(s) for s in picked), method, language)


class CentralLeadSummarizer(AbstractSummarizer):
    """The default: sentences that share the article's recurring words, near the top, on topic,
    each readable on its own.

    A sentence's score multiplies four factors:

    * centrality: for each distinct content word, how many other sentences use it, divided by
      the number of distinct words to the power ``length_power``, so that long sentences do not
      win by length alone (human highlights are short);
    * position: ``(1 + position_weight * index) ** -position_power``, a gentle preference for
      the top that keeps central sentences further down within reach;
    * quality: sentences of fewer than ``short_sentence`` content words are scaled down;
    * title: up to ``1 + title_weight`` times the score for a sentence using all of the title's
      content words.

    Sentences are taken best first. A sentence that leans on the one before it
    (``bot.sentences.leans_on_previous``: «She said …», «Але …») comes with its predecessors
    back to one that stands alone, or is passed over when they do not fit in the count. A
    sentence whose words are mostly (over ``redundancy``) in one already taken is skipped, and
    so is one that would take the summary past ``chars_per_sentence`` characters a sentence;
    if too few remain, those two rules are dropped, and the lead fills any gap. The result is
    in document order and never has more than ``count`` sentences.

    The constants were chosen on the tuning half of ``bench/summary_quality.py``.
    """

    position_weight = 3.0
    position_power = 0.3
    length_power = 0.6
    short_sentence = 6
    title_weight = 1.0
    redundancy = 0.6
    chars_per_sentence = 200
    take_antecedents = True

    def __init__(self, stemmer: Callable[[str], str], stop_words: frozenset[str],
                 language: str = "english") -> None:
        super().__init__(stemmer)
        self._language = language
        self._stop_words = stop_words
        self._stems = _content_stems(stemmer, stop_words)

    def _content_words(self, sentence: Sentence) -> list[str]:
        """Stems of the sentence's words that are not stop words."""
        stems = self._stems
        found = []
        for word in sentence.words:
            stem = stems.get(word)
            if stem is None:
                lowered = word.lower()
                stem = "" if lowered in self._stop_words else self._stemmer(lowered)
                if len(stems) < _MAX_CACHED_STEMS:
                    stems[word] = stem
            if stem:
                found.append(stem)
        return found

    def __call__(self, document: ObjectDocumentModel, count: int) -> tuple[Sentence, ...]:
        sentences = document.sentences
        content = [self._content_words(s) for s in sentences]
        distinct = [frozenset(words) for words in content]
        spread = Counter(w for words in distinct for w in words)
        title = frozenset(w for heading in document.headings for w in self._content_words(heading))
        scores = []
        for index, (words, unique) in enumerate(zip(content, distinct, strict=True)):
            if not unique:
                scores.append(0.0)
                continue
            score = sum(spread[w] - 1 for w in unique) / len(unique) ** self.length_power
            score *= (1 + self.position_weight * index) ** -self.position_power
            score *= min(1.0, len(words) / self.short_sentence)
            if title:
                score *= 1 + self.title_weight * len(title & unique) / len(title)
            scores.append(score)
        texts = [str(s) for s in sentences]
        leans = [index > 0 and self.take_antecedents
                 and leans_on_previous(text, self._language)
                 for index, text in enumerate(texts)]
        # Best first; ties (say, no word shared at all) keep document order: the lead.
        ranked = sorted(range(len(sentences)), key=lambda i: -scores[i])
        budget = self.chars_per_sentence * count
        chosen: list[int] = []
        used = 0
        for strict in (True, False):
            for index in ranked:
                if len(chosen) == count:
                    break
                if index in chosen:
                    continue
                if strict and any(self._repeats(distinct[index], distinct[c]) for c in chosen):
                    continue
                first = index
                while leans[first] and first - 1 not in chosen:
                    first -= 1
                group = range(first, index + 1)
                size = sum(len(texts[i]) + 1 for i in group)
                if len(chosen) + len(group) > count or (strict and used + size > budget):
                    continue
                chosen.extend(group)
                used += size
        # Filling from the top never leaves a sentence without its predecessor.
        for index in range(len(sentences)):
            if len(chosen) == count:
                break
            if index not in chosen:
                chosen.append(index)
        return tuple(sentences[i] for i in sorted(chosen))

    def _repeats(self, words: frozenset[str], earlier: frozenset[str]) -> bool:
        return bool(words) and len(words & earlier) > self.redundancy * len(words)
