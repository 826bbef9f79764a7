"""Saved searches (alerts): saving, listing, removing, and matching each import's new articles.

A chat's matches wait in the store for its next delivery, which sends each article once
whatever alerts and tags it matched (``ChatService.build_digest``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.errors import EmptyArgument, TooBroadSearch
from bot.models import AlertMatchReport, SavedAlert
from bot.query import SearchQuery, parse_query
from bot.service.base import ServiceBase
from bot.store.search import MAX_PREFIX_TERMS

logger = logging.getLogger(__name__)

MAX_ALERTS = 50  # saved searches per chat


def _checked(text: str) -> tuple[str, SearchQuery]:
    """(the query text with its whitespace collapsed, the parsed query); EmptyArgument for
    a query that matches nothing, TooBroadSearch past the prefix cap of a search."""
    text = " ".join(text.split())
    query = parse_query(text)
    if query.is_empty:
        raise EmptyArgument("query")
    prefix_terms = sum(term.prefix for term in (*query.terms, *query.excluded))
    if prefix_terms > MAX_PREFIX_TERMS:
        raise TooBroadSearch(prefix_terms, MAX_PREFIX_TERMS)
    return text, query


class AlertService(ServiceBase):
    """Saved searches per chat, matched at import."""

    def add_alert(self, chat_id: int, text: str) -> tuple[SavedAlert, bool]:
        """Save a search in the full search language for the chat: (the alert, True), or
        (the same saved search, False) if the chat had it. Raises EmptyArgument("query"),
        TooBroadSearch (too many prefix terms) or TooManyAlerts (MAX_ALERTS)."""
        query_text, _ = _checked(text)
        return self.store.add_alert(chat_id, query_text, MAX_ALERTS)

    def remove_alert(self, chat_id: int, alert_id: int) -> SavedAlert | None:
        """Delete one of the chat's alerts; None if it has no such alert (already removed)."""
        return self.store.remove_alert(chat_id, alert_id)

    def alerts(self, chat_id: int) -> list[SavedAlert]:
        """The chat's saved searches, oldest first."""
        return self.store.alerts(chat_id)

    def all_alerts(self) -> list[SavedAlert]:
        """Every chat's saved searches, by chat, oldest first: for operators."""
        return self.store.alerts()

    def match_alerts(self, article_ids: Sequence[str]) -> AlertMatchReport:
        """Match newly imported articles against every saved search and keep the matches for
        their chats' next delivery. A query over the store's query budget is skipped for this
        batch (logged, listed in ``refused``); a query saved before the parser changed that no
        longer parses to anything is skipped too."""
        if not article_ids:
            return AlertMatchReport()
        by_query: dict[str, list[int]] = {}
        for alert in self.store.alerts():
            by_query.setdefault(alert.query, []).append(alert.id)
        if not by_query:
            return AlertMatchReport()
        queries = []
        for text, ids in by_query.items():
            query = parse_query(text)
            if not query.is_empty:
                queries.append((ids, query))
        seqs = self.store.seqs_of(article_ids)
        report = self.store.match_alerts(seqs, queries)
        if report.matches:
            self.store.record_alert_matches(report.matches)
        if report.refused:
            logger.warning("%d alerts skipped for over-budget queries", len(report.refused))
        return report
