"""Stories: near-identical copies of one story from different outlets share a story key.

A new article's earlier copies are found by its MinHash signature's LSH band keys
(``bot.feeds.duplicate``): one indexed lookup per article finds the stored articles, published
within ``STORY_WINDOW`` of it, that share a band; those whose signatures are similar enough
are copies. The article joins the story of the most similar one; the story's key is the id
of its first copy. Articles without copies keep ``story`` NULL: a story of their own.

Reading collapses by story key (``latest`` and digests here, search in the service) and
names the other copies' sources (``story_copies``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.store.database import Database, reading

# Copies of one wire story appear within hours of each other; a window keeps stories on the
# same subject weeks apart (and templated items of other days) out of each other's groups.
STORY_WINDOW = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class StoryPrint:
    """What grouping needs of one article: its id, signature bytes and band keys."""

    article_id: str
    signature: bytes
    band_keys: Sequence[int]


class StoryStore(Database):
    """Story keys: assigned as articles arrive, read to collapse copies."""

    def _assign_stories(self, conn: sqlite3.Connection, prints: Sequence[StoryPrint]) -> None:
        """Inside a write transaction: store each print and join its article to the story of
        its most similar earlier copy, if any (ties: the earliest copy)."""
        if not prints:
            return
        # Imported here: datasketch and numpy take a while to load; most commands never group.
        from bot.feeds.duplicate import THRESHOLD, stored_similarity

        window = int(STORY_WINDOW.total_seconds())
        for item in prints:
            row = conn.execute(
                "SELECT seq, published_ts FROM articles WHERE id = ?", (item.article_id,)
            ).fetchone()
            if row is None:
                continue
            seq, published_ts = row
            keys = json.dumps(list(item.band_keys))
            candidates = conn.execute(
                "SELECT s.article_seq, s.signature, coalesce(a.story, a.id)"
                " FROM (SELECT DISTINCT article_seq FROM story_bands"
                "       WHERE band_key IN (SELECT value FROM json_each(?))) b"
                " JOIN articles a ON a.seq = b.article_seq"
                " JOIN story_signatures s ON s.article_seq = b.article_seq"
                " WHERE a.published_ts BETWEEN ? AND ? AND a.seq != ? ORDER BY a.seq",
                (keys, published_ts - window, published_ts + window, seq),
            ).fetchall()
            best: tuple[float, int, str] | None = None
            for other_seq, signature, story in candidates:
                score = stored_similarity(item.signature, signature)
                if score >= THRESHOLD and (best is None or score > best[0]):
                    best = (score, other_seq, story)
            if best is not None:
                _, other_seq, story = best
                conn.execute("UPDATE articles SET story = ? WHERE seq IN (?, ?)",
                             (story, seq, other_seq))
            conn.execute(
                "INSERT OR REPLACE INTO story_signatures (article_seq, signature) VALUES (?, ?)",
                (seq, item.signature),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO story_bands (band_key, article_seq) VALUES (?, ?)",
                [(key, seq) for key in item.band_keys],
            )

    @reading
    def story_keys(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Each stored article's story key (its own id when it has no copies)."""
        rows = self._reader().execute(
            "SELECT id, coalesce(story, id) FROM articles"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),),
        )
        return dict(rows)

    @reading
    def story_copies(self, article_ids: Sequence[str]) -> dict[str, list[str]]:
        """For each of these articles that has copies: the other copies' sources, oldest
        first, each source once and never the article's own."""
        rows = self._reader().execute(
            "SELECT a.id, a.source, b.source FROM articles a"
            " JOIN articles b ON b.story = a.story AND b.seq != a.seq"
            " WHERE a.id IN (SELECT value FROM json_each(?)) AND a.story IS NOT NULL"
            " ORDER BY b.published_ts, b.seq",
            (json.dumps(list(article_ids)),),
        )
        copies: dict[str, list[str]] = {}
        for article_id, own, other in rows:
            sources = copies.setdefault(article_id, [])
            if other != own and other not in sources:
                sources.append(other)
        return {k: v for k, v in copies.items() if v}
