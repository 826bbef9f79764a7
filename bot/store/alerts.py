"""Saved searches (alerts): each chat's list, and matching a batch of new articles.

Matching runs when articles are imported, not against the whole store: the batch's new
articles are indexed in a temporary FTS5 table with the same columns and tokenizer as
``articles_fts`` (the Ukrainian and Russian word forms included), and each distinct saved
query runs against that small index. Every query runs under the store's query budget
(``Database.within_budget``): one that goes over is skipped for this batch and reported, so a
hostile alert cannot stall an import.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.errors import TooManyAlerts
from bot.models import AlertMatchReport, SavedAlert
from bot.query import SearchQuery, fts_expression
from bot.store.articles import FTS_COLUMNS
from bot.store.database import Database, QueryOverBudget, now_text, reading, writing
from bot.store.schema import TOKENIZER
from bot.store.search import filters

logger = logging.getLogger(__name__)

_BATCH = "alert_batch"  # the temporary index of one batch, one per connection
_ALERT_COLUMNS = "id, chat_id, query, created_at"


def _alert(row: Sequence) -> SavedAlert:
    return SavedAlert(row[0], row[1], row[2], datetime.fromisoformat(row[3]))


def _match_sql(query: SearchQuery) -> tuple[str, list]:
    """SQL for the batch's articles matching ``query``, and its parameters."""
    match = fts_expression(query.terms)
    exclude = fts_expression(query.excluded, " OR ")
    if match:
        seq = f"{_BATCH}.rowid"
        where, params = filters(query, seq, exclude, query.tags, fts=_BATCH)
        join = f" CROSS JOIN articles a ON a.seq = {seq}" if query.categories else ""
        sql = (f"SELECT {seq} FROM {_BATCH}{join} WHERE {_BATCH} MATCH ?"
               + "".join(" AND " + condition for condition in where))
        return sql, [match, *params]
    where, params = filters(query, "a.seq", exclude, query.tags, fts=_BATCH)
    sql = (f"SELECT a.seq FROM articles a WHERE a.seq IN (SELECT rowid FROM {_BATCH})"
           + "".join(" AND " + condition for condition in where))
    return sql, params


class AlertStore(Database):
    """Saved searches and the new articles they matched."""

    @writing
    def add_alert(self, chat_id: int, query: str, limit: int) -> tuple[SavedAlert, bool]:
        """Save ``query`` for the chat; (the alert, True) if new, (the existing one, False) if
        the chat already had it. TooManyAlerts if the chat already has ``limit``."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE chat_id = ? AND query = ?",
                (chat_id, query)).fetchone()
            if row:
                return _alert(row), False
            count = conn.execute(
                "SELECT count(*) FROM alerts WHERE chat_id = ?", (chat_id,)).fetchone()[0]
            if count >= limit:
                raise TooManyAlerts(limit)
            conn.execute(
                "INSERT INTO chats (chat_id, created_at, last_digest_seq)"
                " VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) FROM articles))"
                " ON CONFLICT (chat_id) DO UPDATE SET active = 1",
                (chat_id, now_text()))
            row = conn.execute(
                f"INSERT INTO alerts (chat_id, query, created_at) VALUES (?, ?, ?)"
                f" RETURNING {_ALERT_COLUMNS}", (chat_id, query, now_text())).fetchone()
        return _alert(row), True

    @writing
    def remove_alert(self, chat_id: int, alert_id: int) -> SavedAlert | None:
        """Delete the chat's alert ``alert_id`` and its undelivered matches; None if the chat
        has no such alert."""
        with self._transaction() as conn:
            row = conn.execute(
                f"DELETE FROM alerts WHERE chat_id = ? AND id = ? RETURNING {_ALERT_COLUMNS}",
                (chat_id, alert_id)).fetchone()
            conn.execute("DELETE FROM alert_matches WHERE alert_id = ?", (alert_id,))
        return _alert(row) if row else None

    @reading
    def alerts(self, chat_id: int | None = None) -> list[SavedAlert]:
        """One chat's alerts, or every chat's (``chat_id`` None), oldest first."""
        where, params = ("WHERE chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
        rows = self._reader().execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts {where} ORDER BY chat_id, id", params)
        return [_alert(row) for row in rows]

    @reading
    def match_alerts(
        self, seqs: Sequence[int], queries: Sequence[tuple[Sequence[int], SearchQuery]]
    ) -> AlertMatchReport:
        """Match the articles ``seqs`` against each (alert ids, parsed query): the alerts
        sharing a query are matched once. Each query runs under the query budget; one over
        it is skipped and its alerts listed in ``refused``."""
        report = AlertMatchReport()
        if not seqs or not queries:
            return report
        conn = self._reader()
        self._index_batch(conn, seqs)
        try:
            for alert_ids, query in queries:
                sql, params = _match_sql(query)
                try:
                    with self.within_budget():
                        found = [seq for (seq,) in conn.execute(sql, params)]
                except QueryOverBudget:
                    logger.warning("Alerts %s went over the query budget; skipped for this "
                                   "batch", list(alert_ids))
                    report.refused.extend(alert_ids)
                    continue
                report.matches.extend(
                    (alert_id, seq) for alert_id in alert_ids for seq in found)
        finally:
            conn.execute(f"DELETE FROM temp.{_BATCH}")
            if conn.in_transaction:  # sqlite3 opened one for the temporary writes: end it
                conn.commit()
        return report

    def _index_batch(self, conn: sqlite3.Connection, seqs: Sequence[int]) -> None:
        """Fill this connection's temporary index with the articles ``seqs``."""
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_BATCH} USING fts5"
            f" ({FTS_COLUMNS}, tokenize='{TOKENIZER}')")
        conn.execute(f"DELETE FROM temp.{_BATCH}")
        conn.execute(
            f"INSERT INTO temp.{_BATCH} (rowid, {FTS_COLUMNS})"
            f" SELECT seq, {FTS_COLUMNS} FROM articles"
            " WHERE seq IN (SELECT value FROM json_each(?))", (json.dumps(list(seqs)),))

    @writing
    def record_alert_matches(self, matches: Sequence[tuple[int, int]]) -> int:
        """Keep (alert id, article seq) matches for their chats' next delivery; returns how
        many were new."""
        added = 0
        with self._transaction() as conn:
            for alert_id, seq in matches:
                added += conn.execute(
                    "INSERT OR IGNORE INTO alert_matches (chat_id, article_seq, alert_id)"
                    " SELECT chat_id, ?, id FROM alerts WHERE id = ?", (seq, alert_id)
                ).rowcount
        return added

    @reading
    def seqs_of(self, article_ids: Sequence[str]) -> list[int]:
        """The seqs of the stored articles among ``article_ids``."""
        return [seq for (seq,) in self._reader().execute(
            "SELECT seq FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(article_ids)),))]
