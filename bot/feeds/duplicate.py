"""Near-duplicate stories: the same wire copy from different outlets, told apart from other
stories on the same subject. Pure: text in, signatures and groups out.

Method: MinHash (datasketch) over word 3-shingles of the case-folded title and body, and
MinHash LSH to find candidates; two stories are near-duplicates when their estimated Jaccard
similarity is at least ``THRESHOLD``. Shingles of three words match reworded headlines and
a trimmed or extended tail of the same copy, but not two reports of one event written
separately. ``THRESHOLD`` was set before the labelled pairs in tests/fixtures/duplicates were
written; their precision and recall are in bench/near_duplicates.py's output.

A ``StorySignature`` is 64 unsigned 32-bit values (256 bytes as ``to_bytes()``): the poller
can store one per article and rebuild a ``StoryGrouper`` from them.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
# datasketch 2's default: 32-bit hashes, 32-bit values; stored signatures name no scheme.
SCHEME = "affine32"
SHINGLE_WORDS = 3
THRESHOLD = 0.5
# Shorter stories are not grouped: in Reuters-21578 most false groups within two days were
# short templated items (payouts, reserve operations, weather tables) whose fixed wording
# outweighs their figures. Chosen on that corpus, not on the labelled pairs.
MIN_WORDS = 50
_WORD = re.compile(r"\w+", re.UNICODE)
# One set of permutations for every signature: generating them is most of a MinHash's cost.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def _shingle_hash(data: bytes) -> int:
    """32 bits per shingle, the same in every process; CRC-32 rather than datasketch's SHA-1,
    which was most of a signature's cost."""
    return zlib.crc32(data)


@dataclass(frozen=True, slots=True)
class StorySignature:
    hashvalues: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return np.array(self.hashvalues, dtype=np.uint32).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> StorySignature:
        return cls(tuple(int(v) for v in np.frombuffer(data, dtype=np.uint32)))

    def minhash(self) -> MinHash:
        return MinHash(num_perm=NUM_PERM, permutations=_PERMUTATIONS, scheme=SCHEME,
                       hashvalues=np.array(self.hashvalues, dtype=np.uint32))


def shingles(title: str, body: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word ``size``-grams of the case-folded title and body (the whole text when shorter)."""
    words = _WORD.findall(f"{title}\n{body}".casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def word_count(title: str, body: str) -> int:
    return len(_WORD.findall(title)) + len(_WORD.findall(body))


def is_groupable(title: str, body: str, min_words: int = MIN_WORDS) -> bool:
    """Whether a story is long enough to be grouped with others (see ``MIN_WORDS``)."""
    return word_count(title, body) >= min_words


def story_signature(title: str, body: str) -> StorySignature:
    minhash = MinHash(num_perm=NUM_PERM, permutations=_PERMUTATIONS, scheme=SCHEME,
                      hashfunc=_shingle_hash)
    minhash.update_batch(s.encode("utf-8") for s in shingles(title, body))
    return StorySignature(tuple(int(v) for v in minhash.hashvalues))


def similarity(a: StorySignature, b: StorySignature) -> float:
    """The estimated Jaccard similarity of two stories' shingles, 0.0 to 1.0."""
    return float(a.minhash().jaccard(b.minhash()))


def is_near_duplicate(a: StorySignature, b: StorySignature, threshold: float = THRESHOLD
                      ) -> bool:
    return similarity(a, b) >= threshold


class StoryGrouper:
    """Groups stories as they are added: ``add`` returns the key of the story's group (the key
    of its group's first story), joining it to every group it is a near-duplicate of."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        # 32 bands of 2 rows: a pair at Jaccard 0.5 becomes a candidate with probability
        # 0.9999 (the default bands for 0.5 miss four pairs in ten); candidates are then
        # checked against the threshold.
        self._lsh = MinHashLSH(num_perm=NUM_PERM, params=(32, 2))
        self._minhashes: dict[str, MinHash] = {}
        self._parent: dict[str, str] = {}

    def _root(self, key: str) -> str:
        while self._parent[key] != key:
            self._parent[key] = self._parent[self._parent[key]]
            key = self._parent[key]
        return key

    def add(self, key: str, signature: StorySignature) -> str:
        if key in self._parent:
            return self._root(key)
        minhash = signature.minhash()
        self._parent[key] = key
        for other in self._lsh.query(minhash):
            if minhash.jaccard(self._minhashes[other]) >= self.threshold:
                mine, theirs = self._root(key), self._root(other)
                if mine != theirs:
                    # The earlier story's group absorbs the later one.
                    self._parent[mine] = theirs
        self._lsh.insert(key, minhash)
        self._minhashes[key] = minhash
        return self._root(key)

    def group_of(self, key: str) -> str:
        return self._root(key)

    def groups(self) -> list[list[str]]:
        """Every group, members in the order they were added."""
        found: dict[str, list[str]] = {}
        for key in self._parent:
            found.setdefault(self._root(key), []).append(key)
        return list(found.values())


def group_stories(stories: Iterable[tuple[str, str, str]], threshold: float = THRESHOLD
                  ) -> list[list[str]]:
    """Groups of ``(key, title, body)`` stories that are near-duplicates of each other."""
    grouper = StoryGrouper(threshold)
    for key, title, body in stories:
        grouper.add(key, story_signature(title, body))
    return grouper.groups()


# The store's LSH: 16 bands of 2 rows over the first 32 values. A pair at similarity 0.5
# shares a band with probability 0.99 (0.9992 at 0.6); each band is a row of an index that
# every new article writes into at random places, so half StoryGrouper's 32 bands halves
# the pages a poll's commit writes.
BANDS, ROWS = 16, 2
_BAND_SALT = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signature: StorySignature) -> list[int]:
    """The signature's LSH band keys as signed 64-bit integers (for SQLite): two stories
    share a key when one of their ``BANDS`` bands of ``ROWS`` values is equal, which is how
    the store finds candidates. The band's number is mixed in, so equal values in different
    bands are different keys."""
    values = np.array(signature.hashvalues[:BANDS * ROWS], dtype=np.uint64).reshape(BANDS, ROWS)
    keys = (values[:, 0] << np.uint64(32)) | values[:, 1]
    keys ^= np.arange(1, BANDS + 1, dtype=np.uint64) * _BAND_SALT
    return [int(k) for k in keys.view(np.int64)]


def stored_similarity(a: bytes, b: bytes) -> float:
    """``similarity`` of two signatures in their ``to_bytes()`` form."""
    left, right = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / len(left)
