"""Full-text search: one function per query strategy, and the page they share.

Words are ranked by bm25 (title above tags above subtitle above body) times a recency factor
of the publication time: ``RECENCY_SECONDS / (RECENCY_SECONDS + age)``, the age counted from
the store's newest article, so an article that much older needs twice the relevance. A word
with more matches than the rank window is ranked a window at a time: the newest ``window``
matches by publication time first, then the next older ``window``, and so on, so paging
reaches every match.

Each strategy returns the page's rows as (seq, rank), best first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.articles import category_key, tag_key
from bot.errors import TooBroadSearch
from bot.models import HIGHLIGHT_END, HIGHLIGHT_START, SearchHit
from bot.query import SearchQuery, fts_expression, fts_highlight
from bot.store.articles import ARTICLE_COLUMNS, article_from_row
from bot.store.database import Database, QueryOverBudget, reading

# Column weights for bm25(): title above tags above subtitle above body, for the raw text
# and then for its word forms alike.
_BM25 = "bm25(articles_fts, 10.0, 2.5, 5.0, 1.0, 10.0, 2.5, 5.0, 1.0)"
_SNIPPET = "snippet(articles_fts, -1, ?, ?, '…', 24)"
RECENCY_SECONDS = 30 * 86400
# How many matches of a common word are ranked together (see the module docstring).
RANK_WINDOW = 1000
# Each prefix* term expands to every indexed word it begins; more are refused.
MAX_PREFIX_TERMS = 8
# The publication time of a match from a small index instead of the large article rows.
_PUBLISHED = "articles p INDEXED BY articles_published_by_seq"

Rows = list[tuple[Any, ...]]


def _score(published: str, newest: int) -> str:
    """bm25 (negative: lower is better) shrunk towards 0 for articles older than ``newest``;
    the numbers are the store's own integers, written into the SQL."""
    recency = f"{RECENCY_SECONDS:d}.0"
    return f"{_BM25} * ({recency} / ({recency} + max(0, {int(newest):d} - {published})))"


def filters(
    query: SearchQuery, seq: str, exclude: str | None, tags: Sequence[str],
    fts: str = "articles_fts",
) -> tuple[list[str], list]:
    """SQL conditions and parameters on the article ``seq`` for ``tags`` (those the caller
    does not join itself), the excluded tags and words (looked up in the FTS table ``fts``),
    and the categories (on the articles row ``a``). A tag is one
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
        params.extend(category_key(c) for c in query.categories)
    if exclude:
        where.append(f"{seq} NOT IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)")
        params.append(exclude)
    return where, params


def rank_words(
    conn: sqlite3.Connection, match: str, limit: int, offset: int, window: int, newest: int
) -> Rows:
    """Words alone. Up to ``window`` matches are all ranked together; more are ranked a
    window at a time, newest publication first."""
    count = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)",
        (match, _WALK_FROM * window + 1),
    ).fetchone()[0]
    if count <= window:
        return conn.execute(
            f"SELECT articles_fts.rowid, {_score('p.published_ts', newest)} AS score"
            " FROM articles_fts"
            f" CROSS JOIN {_PUBLISHED} ON p.seq = articles_fts.rowid"
            " WHERE articles_fts MATCH :match"
            " ORDER BY score, articles_fts.rowid DESC LIMIT :limit OFFSET :offset",
            {"match": match, "limit": limit, "offset": offset},
        ).fetchall()
    common = count > _WALK_FROM * window
    members = _WALK if common else _SORT
    rows: Rows = []
    first, last = offset // window, (offset + limit - 1) // window
    for number in range(first, last + 1):
        start = max(offset - number * window, 0)
        stop = min(offset + limit - number * window, window)
        chosen = _newest_by_import(conn, match, window) if common and number == 0 else None
        if chosen is None:
            chosen = conn.execute(
                members, {"match": match, "window": window, "skip": number * window}
            ).fetchall()
        if not chosen:
            break
        published = dict(chosen)
        relevance = conn.execute(
            f"SELECT rowid, {_BM25} FROM articles_fts"
            " WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?"
            " AND +rowid IN (SELECT value FROM json_each(?))",
            (match, min(published), max(published), json.dumps(list(published))),
        ).fetchall()
        # The recency factor in Python: as in _score, without a second lookup per match.
        half = RECENCY_SECONDS
        ranked = sorted(
            ((seq, bm25 * half / (half + max(0, newest - published[seq])))
             for seq, bm25 in relevance),
            key=lambda row: (row[1], -row[0]),
        )
        rows += ranked[start:stop]
    return rows


def _newest_by_import(
    conn: sqlite3.Connection, match: str, window: int
) -> list[tuple[int, int]] | None:
    """The newest ``window`` matches by publication time as (seq, published_ts), found from
    the newest by import when the store was imported about in publication order; None when
    more than ``window`` older imports were published after those."""
    recent = conn.execute(
        "SELECT p.seq, p.published_ts FROM articles_fts"
        f" CROSS JOIN {_PUBLISHED} ON p.seq = articles_fts.rowid"
        " WHERE articles_fts MATCH ? ORDER BY articles_fts.rowid DESC LIMIT ?",
        (match, window),
    ).fetchall()
    oldest = min(published for _, published in recent)
    floor = min(seq for seq, _ in recent)
    # Older imports published no earlier than the oldest of the recent ones may displace them.
    late = [seq for (seq,) in conn.execute(
        "SELECT seq FROM articles INDEXED BY articles_newest"
        " WHERE published_ts >= ? AND seq < ? LIMIT ?",
        (oldest, floor, window + 1),
    )]
    if len(late) > window:
        return None
    if late:
        recent += conn.execute(
            "SELECT p.seq, p.published_ts FROM articles_fts"
            f" CROSS JOIN {_PUBLISHED} ON p.seq = articles_fts.rowid"
            " WHERE articles_fts MATCH ? AND articles_fts.rowid BETWEEN ? AND ?"
            " AND +articles_fts.rowid IN (SELECT value FROM json_each(?))",
            (match, min(late), max(late), json.dumps(late)),
        ).fetchall()
    recent.sort(key=lambda row: (row[1], row[0]), reverse=True)
    return recent[:window]


# A window's members, the matches at publication-time positions [skip, skip + window), when
# the import order does not give them: sorted from every match's time, or, past _WALK_FROM
# windows of matches, by walking the publication-time index until the window is full
# (100,000 articles: `bank`, 17,847 matches, walk 4.5 ms, sort 19.5 ms; `trade deficit`,
# 1,975 matches, walk 14.7 ms, sort 4.3 ms).
_WALK_FROM = 4
_SORT = (
    "SELECT p.seq, p.published_ts FROM articles_fts"
    f" CROSS JOIN {_PUBLISHED} ON p.seq = articles_fts.rowid WHERE articles_fts MATCH :match"
    " ORDER BY p.published_ts DESC, p.seq DESC LIMIT :window OFFSET :skip"
)
_WALK = (
    "SELECT a.seq, a.published_ts FROM articles a INDEXED BY articles_newest"
    " WHERE a.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match)"
    " ORDER BY a.published_ts DESC, a.seq DESC LIMIT :window OFFSET :skip"
)


def rank_filtered_words(
    conn: sqlite3.Connection, query: SearchQuery, match: str, exclude: str | None, limit: int,
    offset: int, newest: int,
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
    # The publication time from a row already joined, or else from the small index.
    if query.tags:
        published = "t0.published_ts"
    elif query.categories:
        published = "a.published_ts"
    else:
        published = "p.published_ts"
        joins.append(f"CROSS JOIN {_PUBLISHED} ON p.seq = articles_fts.rowid")
    where, filter_params = filters(query, "articles_fts.rowid", exclude, ())
    sql = (
        f"SELECT articles_fts.rowid, {_score(published, newest)} AS score FROM articles_fts "
        + " ".join(joins) + " WHERE articles_fts MATCH ?"
        + "".join(" AND " + condition for condition in where)
        + " ORDER BY score, articles_fts.rowid DESC LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*params, match, *filter_params, limit, offset]).fetchall()


def newest_tagged(
    conn: sqlite3.Connection, query: SearchQuery, exclude: str | None, limit: int, offset: int
) -> Rows:
    """Filters only, one of them a tag: walk that tag's newest links, as latest() does."""
    where, params = filters(query, "t.article_seq", exclude, query.tags[1:])
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
    where, params = filters(query, "a.seq", exclude, ())
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
        """Articles matching a parsed query, best first (newest first without words).

        TooBroadSearch for more than MAX_PREFIX_TERMS prefix terms, or a search over the
        store's ``query_budget``."""
        prefix_terms = sum(term.prefix for term in (*query.terms, *query.excluded))
        if prefix_terms > MAX_PREFIX_TERMS:
            raise TooBroadSearch(prefix_terms, MAX_PREFIX_TERMS)
        try:
            with self.within_budget():
                return self._search(query, limit, offset)
        except QueryOverBudget as exc:
            raise TooBroadSearch(prefix_terms, MAX_PREFIX_TERMS, budget=exc.seconds) from exc

    def _search(self, query: SearchQuery, limit: int, offset: int) -> list[SearchHit]:
        if query.is_empty:
            return []
        conn = self._reader()
        match = fts_expression(query.terms)
        exclude = fts_expression(query.excluded, " OR ")
        newest_ts = 0
        if match:  # recency counts from the store's newest article
            newest_ts = conn.execute(
                "SELECT coalesce(max(published_ts), 0) FROM articles").fetchone()[0]
        if match and not (exclude or query.tags or query.excluded_tags or query.categories):
            page = rank_words(conn, match, limit, offset, self.rank_window, newest_ts)
        elif match:
            page = rank_filtered_words(conn, query, match, exclude, limit, offset, newest_ts)
        elif query.tags:
            page = newest_tagged(conn, query, exclude, limit, offset)
        else:
            page = newest_filtered(conn, query, exclude, limit, offset)
        return _hits(conn, page, fts_highlight(query.terms))


def _hits(conn: sqlite3.Connection, page: Rows, highlight: str | None) -> list[SearchHit]:
    """The page's rows as hits, with their articles and, for word searches, snippets of the
    raw text (``highlight`` matches only the raw columns, never the word forms)."""
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
    snippets: dict[int, str] = {}
    if highlight:
        # Snippets for the page only. One pass over the page's range of the index: looking
        # each rowid up would expand a prefix again for every hit (11 ms for `earn*`).
        snippets = dict(
            conn.execute(
                f"SELECT rowid, {_SNIPPET} FROM articles_fts WHERE articles_fts MATCH ?"
                f" AND rowid BETWEEN ? AND ? AND +rowid IN ({marks})",
                [HIGHLIGHT_START, HIGHLIGHT_END, highlight, min(seqs), max(seqs), *seqs],
            )
        )
    return [
        SearchHit(articles[row[0]], snippets.get(row[0], ""), row[1])
        for row in page
        if row[0] in articles
    ]
