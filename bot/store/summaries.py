"""The summary cache, keyed by the text a summary was made from, its method and length."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from bot.models import Article, Summary
from bot.store.articles import ARTICLE_COLUMNS, article_from_row
from bot.store.database import SQL_CHUNK, Database, reading, writing


class SummaryStore(Database):
    """Stored summaries."""

    def get_summary(self, text_hash: str, method: str, sentences: int) -> Summary | None:
        return self.get_summaries([text_hash], method, sentences).get(text_hash)

    @reading
    def get_summaries(
        self, text_hashes: Sequence[str], method: str, sentences: int
    ) -> dict[str, Summary]:
        """The stored summaries of these texts (at most SQL_CHUNK), by text hash."""
        marks = ",".join("?" * len(text_hashes))
        rows = self._reader().execute(
            "SELECT text_hash, language, summary_json FROM summaries"
            f" WHERE method = ? AND sentences = ? AND text_hash IN ({marks})",
            [method, sentences, *text_hashes],
        )
        return {h: Summary(tuple(json.loads(j)), method, lang) for h, lang, j in rows}

    @writing
    def save_summaries(self, items: Iterable[tuple[str, int, Summary]]) -> None:
        """Store (text_hash, sentences, summary) triples, replacing older ones."""
        rows = [
            (text_hash, s.method, n, s.language, json.dumps(s.sentences, ensure_ascii=False))
            for text_hash, n, s in items
        ]
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO summaries"
                " (text_hash, method, sentences, language, summary_json) VALUES (?,?,?,?,?)",
                rows,
            )

    @reading
    def missing_summaries(
        self, article_ids: Sequence[str], method: str, sentences: int
    ) -> list[Article]:
        """Of these articles, those without a stored summary for the method and length."""
        missing: list[Article] = []
        for start in range(0, len(article_ids), SQL_CHUNK):
            chunk = list(article_ids[start : start + SQL_CHUNK])
            marks = ",".join("?" * len(chunk))
            rows = self._reader().execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.id IN ({marks})"
                " AND NOT EXISTS (SELECT 1 FROM summaries s WHERE s.text_hash = a.text_hash"
                " AND s.method = ? AND s.sentences = ?)",
                [*chunk, method, sentences],
            )
            missing.extend(article_from_row(row) for row in rows)
        return missing
