"""Feed commands: ``newsbot feeds add|list|remove|poll|import-opml|export-opml`` and
``newsbot prune``. Each opens the store, calls the service (and, to fetch, the poller), and
words the outcome for the terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.articles import normalise_tags
from bot.cli.terminal import EXIT_FAILED, EXIT_OK, print_json, terminal_safe
from bot.config import Settings
from bot.feeds.errors import FeedAlreadyFollowed, FeedNotFound, OpmlFormatError
from bot.feeds.model import (
    DEFAULT_INTERVAL,
    FeedPollReport,
    FeedSettings,
    FeedState,
    PollResult,
    StoredFeed,
)
from bot.service import NewsService

Command = Callable[[NewsService, argparse.Namespace], int]


def _now() -> datetime:
    return datetime.now(UTC)


def _fetcher(settings: Settings) -> Any:
    from bot.feeds.fetch import Fetcher

    return Fetcher(allow_private=settings.allow_private_urls or None)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def feed_json(feed: StoredFeed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.settings.url,
        "name": feed.settings.name,
        "title": feed.title,
        "tags": list(feed.settings.tags),
        "category": feed.settings.category,
        "interval_minutes": int(feed.settings.interval.total_seconds() // 60),
        "full_text": feed.settings.full_text,
        "status": feed.status,
        "last_error": feed.state.last_error,
        "last_polled": _when(feed.last_polled),
        "next_poll": _when(feed.state.next_poll),
        "articles": feed.articles,
    }


def _label(feed: StoredFeed) -> str:
    return terminal_safe(feed.settings.name or feed.title or feed.settings.url)


def describe_failed_poll(result: PollResult) -> str:
    """Why a feed could not be followed, for the terminal."""
    fetch = result.fetch
    error = result.state.last_error or fetch.outcome.value
    reasons = {
        "not_a_feed": "the page is not an RSS, Atom or JSON feed",
        "internal": "newsbot failed on this feed (the log has the traceback)",
        "private_address": "it resolves to a loopback, private or link-local address "
                           "(set NEWSBOT_ALLOW_PRIVATE_URLS=1 to allow)",
        "scheme": "only http and https URLs can be followed",
        "timeout": "no complete answer in time",
        "too_large": "the response is over the size limit",
        "connect": "cannot connect",
        "dns": "the host name does not resolve",
    }
    reason = reasons.get(error, error.replace("_", " "))
    detail = f" ({terminal_safe(fetch.detail)})" if fetch.detail and error != "not_a_feed" else ""
    return f"{reason}{detail}"


async def _poll_once(settings: Settings, feed: FeedSettings, now: datetime) -> PollResult:
    from bot.feeds.poll import poll_feed

    async with _fetcher(settings) as fetcher:
        return await poll_feed(fetcher, feed, FeedState(feed.url), now)


def feeds_add_command(service: NewsService, args: argparse.Namespace) -> int:
    """Fetch the URL once; follow it only if it is a feed, storing what it holds."""
    url = args.url.strip()
    try:
        existing = service.get_feed(url)
    except FeedNotFound:
        existing = None
    if existing is not None:
        raise FeedAlreadyFollowed(url, existing.id)
    settings = FeedSettings(
        url=url, name=args.name or "", tags=tuple(normalise_tags((args.tags or "").split(","))),
        category=args.category or "", interval=timedelta(minutes=args.interval),
        full_text=args.full_text,
    )
    now = _now()
    result = asyncio.run(_poll_once(args.settings, settings, now))
    if result.feed is None:
        print(f"newsbot feeds add: cannot follow {terminal_safe(url)}: "
              f"{describe_failed_poll(result)}", file=sys.stderr)
        return EXIT_FAILED
    feed = service.add_feed(settings)
    report = service.save_poll(feed.id, result, now)
    feed = service.get_feed(str(feed.id))
    if args.json:
        print_json({**feed_json(feed), "entries": len(result.entries), "added": report.added})
    else:
        skipped = f", {len(result.feed.skipped)} skipped" if result.feed.skipped else ""
        entries = len(result.entries)
        print(f"Following feed {feed.id}: {_label(feed)} — {entries} entr"
              f"{'ies' if entries != 1 else 'y'}"
              f"{skipped}, {report.added} new articles.")
    return EXIT_OK


def feeds_list_command(service: NewsService, args: argparse.Namespace) -> int:
    feeds = service.list_feeds()
    if args.json:
        print_json([feed_json(feed) for feed in feeds])
        return EXIT_OK
    if not feeds:
        print("No feeds followed. Add one with: newsbot feeds add URL "
              "(or newsbot feeds import-opml seeds/feeds.opml)")
    for feed in feeds:
        mark = {"ok": "  ", "error": "⚠ ", "disabled": "✕ "}[feed.status]
        print(f"{feed.id:4d} {mark}{_label(feed)}  <{terminal_safe(feed.settings.url)}>")
        details = [f"{feed.articles} article{'s' if feed.articles != 1 else ''}"]
        if feed.settings.tags:
            details.append("tags: " + ", ".join(feed.settings.tags))
        if feed.settings.category:
            details.append(f"category: {feed.settings.category}")
        if feed.status == "disabled":
            details.append("disabled: the feed is gone (410)")
        elif feed.status == "error":
            details.append(f"failing: {feed.state.last_error} "
                           f"({feed.state.failures} in a row)")
        if feed.state.next_poll and feed.status != "disabled":
            details.append(f"next poll {feed.state.next_poll:%Y-%m-%d %H:%M} UTC")
        print("       " + terminal_safe(" · ".join(details)))
    return EXIT_OK


def feeds_remove_command(service: NewsService, args: argparse.Namespace) -> int:
    feed = service.remove_feed(args.feed)
    print(f"Stopped following feed {feed.id}: {_label(feed)}. The articles it brought stay.")
    return EXIT_OK


def alert_line(feed: StoredFeed, report: FeedPollReport) -> str:
    """One alert for the terminal (what admins get on Telegram when a token is set)."""
    if report.alert == "recovered":
        return f"feed {feed.id} ({_label(feed)}) has recovered"
    failures = feed.state.failures
    reason = terminal_safe(report.error or "unknown")
    if report.status == "disabled":
        return f"feed {feed.id} ({_label(feed)}) is gone (410) and was disabled"
    return f"feed {feed.id} ({_label(feed)}) is failing: {reason} ({failures} times in a row)"


async def _send_alerts(settings: Settings, alerts: list[tuple[StoredFeed, FeedPollReport]],
                       service: NewsService) -> bool:
    """Send the alerts to the admins on Telegram; False when that is not possible here (no
    token or no ADMIN_IDS, or the bot's alert module is missing)."""
    if not (settings.token and settings.admin_ids):
        return False
    from bot.app import build_bot
    from bot.feeds.alerts import admin_languages, send_feed_alerts

    languages = admin_languages(service, settings.admin_ids)  # the CLI's one loop: may block
    async with build_bot(settings) as bot:
        await send_feed_alerts(bot, settings.admin_ids, alerts, languages.get)
    return True


def feeds_poll_command(service: NewsService, args: argparse.Namespace) -> int:
    """Poll the due feeds (or all enabled ones) once; exit 1 if any failed."""
    from bot.feeds.poller import poll_feeds

    now = _now()
    alerts: list[tuple[StoredFeed, FeedPollReport]] = []

    async def collect(feed: StoredFeed, report: FeedPollReport) -> None:
        alerts.append((feed, report))

    async def poll() -> list[FeedPollReport]:
        feeds = [f for f in service.list_feeds() if not f.state.disabled] if args.all else None
        async with _fetcher(args.settings) as fetcher:
            reports = await poll_feeds(service, fetcher, now=now, feeds=feeds, on_alert=collect)
        if alerts and not await _send_alerts(args.settings, alerts, service):
            for feed, report in alerts:
                print(f"newsbot: alert: {alert_line(feed, report)}", file=sys.stderr)
        return reports

    reports = asyncio.run(poll())
    if args.json:
        print_json([report.as_dict() for report in reports])
    else:
        if not reports:
            print("No feed is due." if not args.all else "No feeds to poll.")
        for report in reports:
            line = (f"{report.id:4d} {report.status:<12} +{report.added} ~{report.updated} "
                    f"={report.unchanged}  {terminal_safe(report.url)}")
            if report.error:
                line += f"  ({terminal_safe(report.error)})"
            print(line)
    return EXIT_FAILED if any(r.failed for r in reports) else EXIT_OK


def feeds_import_opml_command(service: NewsService, args: argparse.Namespace) -> int:
    """Follow every feed an OPML file lists; nothing is fetched until `feeds poll`."""
    from bot.feeds.opml import parse_opml

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OpmlFormatError(str(path), exc.strerror or str(exc)) from None
    added: list[StoredFeed] = []
    already = 0
    for settings in parse_opml(data, str(path)):
        try:
            added.append(service.add_feed(settings))
        except FeedAlreadyFollowed:
            already += 1
    if args.json:
        print_json({"added": [feed_json(f) for f in added], "already_followed": already})
    else:
        print(f"Following {len(added)} new feed{'s' if len(added) != 1 else ''} "
              f"({already} already followed). Fetch them with: newsbot feeds poll")
    return EXIT_OK


def feeds_export_opml_command(service: NewsService, args: argparse.Namespace) -> int:
    from bot.feeds.opml import export_opml

    # Other readers show the outline's text: the feed's own title when the admin named none.
    document = export_opml([replace(feed.settings, name=feed.settings.name or feed.title)
                            for feed in service.list_feeds()])
    if args.file is None:
        sys.stdout.write(document)
    else:
        args.file.write_text(document, encoding="utf-8")
    return EXIT_OK


def prune_command(service: NewsService, args: argparse.Namespace) -> int:
    pruned = service.prune(timedelta(days=args.older_than), _now())
    if args.json:
        print_json({"pruned": pruned})
    else:
        print(f"Deleted {pruned} article{'s' if pruned != 1 else ''} published more than "
              f"{args.older_than} days ago.")
    return EXIT_OK


def add_feed_commands(
    command: Callable[..., argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    positive: Callable[[str], int],
) -> None:
    """The ``feeds`` command with its subcommands, and ``prune``, on the main parser."""
    feeds = command("feeds", feeds_list_command, "follow RSS, Atom and JSON feeds")
    sub = feeds.add_subparsers(dest="feeds_command", metavar="SUBCOMMAND")

    def subcommand(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        parser.set_defaults(func=func)
        return parser

    parser = subcommand("add", feeds_add_command, "fetch a feed once and follow it")
    parser.add_argument("url", metavar="URL")
    parser.add_argument("--name", help="the source name for its articles (default: its title)")
    parser.add_argument("--tags", metavar="T1,T2", help="tags added to each of its articles")
    parser.add_argument("--category", help="category for its articles (default: the entry's)")
    parser.add_argument("--interval", type=positive, metavar="MIN",
                        default=int(DEFAULT_INTERVAL.total_seconds() // 60),
                        help="minutes between polls, 1 or more (default 15)")
    parser.add_argument("--full-text", action="store_true",
                        help="fetch the page of entries shorter than about 80 words")
    subcommand("list", feeds_list_command, "followed feeds and how they fare")
    parser = subcommand("remove", feeds_remove_command, "stop following a feed (articles stay)")
    parser.add_argument("feed", metavar="ID|URL")
    parser = subcommand("poll", feeds_poll_command,
                        "poll the due feeds once, then exit (for cron); exit 1 if any failed")
    parser.add_argument("--all", action="store_true", help="every enabled feed, due or not")
    parser = subcommand("import-opml", feeds_import_opml_command,
                        "follow the feeds of an OPML file (nothing is fetched yet)")
    parser.add_argument("file", type=Path, metavar="FILE")
    parser = subcommand("export-opml", feeds_export_opml_command,
                        "write the followed feeds as OPML (stdout without FILE)")
    parser.add_argument("file", type=Path, nargs="?", metavar="FILE")

    parser = command("prune", prune_command,
                     "delete articles published more than DAYS days ago (never sent again)")
    parser.add_argument("--older-than", type=positive, required=True, metavar="DAYS")
