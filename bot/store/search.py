"""Full-text search: one function per query strategy, and the page they share.

Each strategy returns the page's rows as (seq, rank) or (seq, rank, snippet), best first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.articles import tag_key
from bot.models import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from bot.query import SearchQuery, fts_expression
from bot.store.articles import ARTICLE_COLUMNS, article_from_row
from bot.store.database import Database, reading

# Column weights for bm25(): title above tags above subtitle above body.
_WEIGHTS = "10.0, 2.5, 5.0, 1.0"
_BM25 = f"bm25(articles_fts, {_WEIGHTS})"
_SNIPPET = "snippet(articles_fts, -1, ?, ?, '…', 24)"
# Word searches rank the newest this many matches (by import order); filters see them all.
RANK_WINDOW = 1000

Rows = list[tuple[Any, ...]]


def _filters(
    query: SearchQuery, seq: str, exclude: str | None, tags: Sequence[str]
) -> tuple[list[str], list]:
    """SQL conditions and parameters on the article ``seq`` for ``tags`` (those the caller
    does not join itself), the excluded tags and words, and the categories. A tag is one
    primary-key lookup per candidate: ``IN (SELECT ...)`` would build the whole list of a
    tag's articles on every search."""
    where: list[str] = []
    params: list[Any] = []
    linked = (
        "EXISTS (SELECT 1 FROM article_tags x WHERE x.article_seq = {seq}"
        " AND x.tag_id = (SELECT id FROM tags WHERE key = ?))"
    )
    for tag in tags:
        where.append(linked.format(seq=seq))
        params.append(tag_key(tag))
    for tag in query.excluded_tags:
        where.append("NOT " + linked.format(seq=seq))
        params.append(tag_key(tag))
    if query.categories:
        where.append(f"a.category_key IN ({','.join('?' * len(query.categories))})")
        params.extend(" ".join(c.split()).casefold() for c in query.categories)
    if exclude:
        where.append(f"{seq} NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(exclude)
    return where, params


def rank_words(
    conn: sqlite3.Connection, query: SearchQuery, match: str, limit: int, offset: int,
    window: int,
) -> Rows:
    """Words alone: ranked inside the FTS index, only among the newest ``window`` matches."""
    floor = conn.execute(
        "SELECT min(rowid) FROM (SELECT rowid FROM articles_fts"
        " WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?)",
        (match, window),
    ).fetchone()[0]
    if any(term.prefix for term in query.terms):
        # FTS5 sorts by rank itself and makes snippets for the page only: a prefix expands to
        # many terms, and a snippet looked up by rowid afterwards would expand it again.
        return conn.execute(
            f"SELECT rowid, rank, {_SNIPPET} FROM articles_fts"
            " WHERE articles_fts MATCH ? AND rank MATCH ? AND rowid >= ?"
            " ORDER BY rank LIMIT ? OFFSET ?",
            (HIGHLIGHT_START, HIGHLIGHT_END, match, f"bm25({_WEIGHTS})", floor or 0, limit,
             offset),
        ).fetchall()
    return conn.execute(
        f"SELECT rowid, {_BM25} AS rank FROM articles_fts"
        " WHERE articles_fts MATCH ? AND rowid >= ? ORDER BY rank LIMIT ? OFFSET ?",
        (match, floor or 0, limit, offset),
    ).fetchall()


def rank_filtered_words(
    conn: sqlite3.Connection, query: SearchQuery, match: str, exclude: str | None, limit: int,
    offset: int,
) -> Rows:
    """Words and filters: every match is ranked, the FTS index driving. Each tag is a
    primary-key lookup in article_tags per match; the articles table, whose rows are large
    and scattered, is joined only for a category."""
    joins: list[str] = []
    params: list[Any] = []
    if query.categories:
        joins.append("CROSS JOIN articles a ON a.seq = articles_fts.rowid")
    for n, tag in enumerate(query.tags):
        joins.append(
            f"CROSS JOIN article_tags t{n} ON t{n}.article_seq = articles_fts.rowid"
            f" AND t{n}.tag_id = (SELECT id FROM tags WHERE key = ?)"
        )
        params.append(tag_key(tag))
    where, filter_params = _filters(query, "articles_fts.rowid", exclude, ())
    sql = (
        f"SELECT articles_fts.rowid, {_BM25} AS rank FROM articles_fts "
        + " ".join(joins) + " WHERE articles_fts MATCH ?"
        + "".join(" AND " + condition for condition in where)
        + " ORDER BY rank LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*params, match, *filter_params, limit, offset]).fetchall()


def newest_tagged(
    conn: sqlite3.Connection, query: SearchQuery, exclude: str | None, limit: int, offset: int
) -> Rows:
    """Filters only, one of them a tag: walk that tag's newest links, as latest() does."""
    where, params = _filters(query, "t.article_seq", exclude, query.tags[1:])
    sql = (
        "SELECT t.article_seq, 0.0 AS rank FROM article_tags t"
        + (" JOIN articles a ON a.seq = t.article_seq" if query.categories else "")
        + " WHERE t.tag_id = (SELECT id FROM tags WHERE key = ?)"
        + "".join(" AND " + condition for condition in where)
        + " ORDER BY t.published_ts DESC, t.article_seq DESC LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [tag_key(query.tags[0]), *params, limit, offset]).fetchall()


def newest_filtered(
    conn: sqlite3.Connection, query: SearchQuery, exclude: str | None, limit: int, offset: int
) -> Rows:
    """Filters only, without a tag: the newest articles that pass them."""
    where, params = _filters(query, "a.seq", exclude, ())
    sql = (
        "SELECT a.seq, 0.0 AS rank FROM articles a WHERE " + " AND ".join(where)
        + " ORDER BY a.published_ts DESC, a.seq DESC LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*params, limit, offset]).fetchall()


class SearchStore(Database):
    """Search over the articles."""

    rank_window: int = RANK_WINDOW

    @reading
    def search(self, query: SearchQuery, limit: int = 5, offset: int = 0) -> list[SearchHit]:
        """Articles matching a parsed query, best first (newest first without words)."""
        if query.is_empty:
            return []
        conn = self._reader()
        match = fts_expression(query.terms)
        exclude = fts_expression(query.excluded, " OR ")
        if match and not (exclude or query.tags or query.excluded_tags or query.categories):
            page = rank_words(conn, query, match, limit, offset, self.rank_window)
        elif match:
            page = rank_filtered_words(conn, query, match, exclude, limit, offset)
        elif query.tags:
            page = newest_tagged(conn, query, exclude, limit, offset)
        else:
            page = newest_filtered(conn, query, exclude, limit, offset)
        return _hits(conn, page, match)


def _hits(conn: sqlite3.Connection, page: Rows, match: str | None) -> list[SearchHit]:
    """The page's rows as hits: their articles, and snippets where the strategy made none."""
    if not page:
        return []
    seqs = [row[0] for row in page]
    marks = ",".join("?" * len(seqs))
    articles = {
        row[0]: article_from_row(row[1:])
        for row in conn.execute(
            f"SELECT a.seq, {ARTICLE_COLUMNS} FROM articles a WHERE a.seq IN ({marks})", seqs
        )
    }
    snippets: dict[int, str] = {row[0]: row[2] for row in page if len(row) > 2}
    if match and not snippets:
        # Snippets only for the page, not for every match the ranking looked at.
        snippets = dict(
            conn.execute(
                f"SELECT rowid, {_SNIPPET} FROM articles_fts"
                f" WHERE articles_fts MATCH ? AND rowid IN ({marks})",
                [HIGHLIGHT_START, HIGHLIGHT_END, match, *seqs],
            )
        )
    return [
        SearchHit(articles[row[0]], snippets.get(row[0], ""), row[1])
        for row in page
        if row[0] in articles
    ]
