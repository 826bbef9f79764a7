"""Commands over the store: import, latest, search, show, tags, categories, stats, summarise."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.cli.terminal import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    article_json,
    describe_error,
    highlight,
    hit_json,
    print_article_line,
    print_json,
    terminal_safe,
)
from bot.errors import (
    NewsbotError,
)
from bot.models import (
    Summary,
    TagCount,
)
from bot.service import NewsService

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


def import_command(service: NewsService, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    with tqdm(unit=" articles", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
        report = service.import_paths(args.paths, progress=bar.update, summarise=args.summarise)
    if args.json:
        print_json(report.as_dict())
    else:
        total = report.added + report.updated + report.unchanged
        print(
            f"Imported {total} article{'s' if total != 1 else ''}: {report.added} added, "
            f"{report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed."
        )
        for failure in report.failed:
            print(f"  failed: {terminal_safe(failure.where)}: {terminal_safe(failure.error)}",
                  file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


def latest_command(service: NewsService, args: argparse.Namespace) -> int:
    articles = service.latest(args.n, tag=args.tag, category=args.category, source=args.source)
    if args.json:
        print_json([article_json(a) for a in articles])
    elif not articles:
        print("No articles yet. Import some with: newsbot import seeds/")
    for article in [] if args.json else articles:
        print_article_line(article)
    return EXIT_OK


def search_command(service: NewsService, args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    page = service.search(text, limit=args.n, offset=(args.page - 1) * args.n)
    if args.json:
        print_json([hit_json(hit) for hit in page.hits])
        return EXIT_OK
    if not page.hits:
        print(f"No results for {text!r}." + (" Try fewer or broader words." if args.page == 1
                                               else " That page is past the last result."))
        return EXIT_OK
    for hit in page.hits:
        print_article_line(hit.article, highlight(hit.snippet.replace("\n", " ")))
    if page.has_more:
        print(f"More results: newsbot search {' '.join(args.query)} --page {args.page + 1}")
    return EXIT_OK


def show_command(service: NewsService, args: argparse.Namespace) -> int:
    article = service.article(args.id)
    if args.json:
        print_json({**article_json(article), "subtitle": article.subtitle,
                     "body": article.body})
        return EXIT_OK
    print(article.title)
    if article.subtitle and article.subtitle != article.title:
        print(article.subtitle)
    print(f"{article.published.isoformat()} · {article.source} · {article.category}")
    if article.url:
        print(article.url)
    if article.tags:
        print("Tags: " + ", ".join(article.tags))
    print()
    print(article.body)
    return EXIT_OK


def _print_counts(counts: Sequence[TagCount], key: str, as_json: bool) -> int:
    """Names with their article counts: ``[{key, "articles"}]`` as JSON, else one a line."""
    if as_json:
        print_json([{key: c.name, "articles": c.count} for c in counts])
    else:
        for count in counts:
            print(f"{count.count:6d}  {count.name}")
    return EXIT_OK


def tags_command(service: NewsService, args: argparse.Namespace) -> int:
    return _print_counts(service.tags(limit=1000), "tag", args.json)


def categories_command(service: NewsService, args: argparse.Namespace) -> int:
    return _print_counts(service.categories(), "category", args.json)


def stats_command(service: NewsService, args: argparse.Namespace) -> int:
    stats = service.stats()
    values = {
        "articles": stats.articles,
        "tags": stats.tags,
        "categories": stats.categories,
        "sources": stats.sources,
        "subscribers": stats.subscribers,
        "last_import": stats.last_import.isoformat() if stats.last_import else None,
        "database_bytes": stats.database_bytes,
    }
    if args.json:
        print_json(values)
    else:
        for key, value in values.items():
            print(f"{key.replace('_', ' '):15} {value if value is not None else '—'}")
    return EXIT_OK


def summarise_command(service: NewsService, args: argparse.Namespace) -> int:
    from bot.articles import read_article_file

    if not args.ids and not args.file:
        raise UsageError("give article IDs or --file PATH...")
    outputs: list[dict[str, Any]] = []
    failed = 0

    def emit(key: str, label: str, summary: Summary) -> None:
        outputs.append({key: label, "method": summary.method, "language": summary.language,
                        "sentences": list(summary.sentences)})
        if not args.json:
            print(f"{label} ({summary.language}, {summary.method}):")
            for sentence in summary.sentences:
                print(f"  • {sentence}")
            print()

    for article_id in args.ids:
        try:
            article = service.article(article_id)
        except NewsbotError as exc:
            print(f"newsbot: {describe_error(exc)}", file=sys.stderr)
            failed += 1
            continue
        summary = service.summary(article, args.sentences, args.method, args.language)
        emit("id", article.id, summary)
    for path in args.file:
        try:
            article = read_article_file(path, service.max_article_bytes)
        except NewsbotError as exc:
            print(f"newsbot: {describe_error(exc)}", file=sys.stderr)
            failed += 1
            continue
        summary = service.summary(article, args.sentences, args.method, args.language)
        emit("path", str(path), summary)
    if args.json:
        for output in outputs:
            print(json.dumps(output, ensure_ascii=False))
    return EXIT_FAILED if failed else EXIT_OK


