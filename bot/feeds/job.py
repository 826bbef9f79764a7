"""The running bot's feed polling: a repeating job polls the due feeds in the background,
/pollnow polls them all, /addfeed checks a new feed by polling it once.

One poll runs at a time (a second request while one runs is refused, not queued). With a
store on disk it runs as a child process, ``newsbot feeds poll --json`` (``child_poll``):
parsing and summarising hundreds of entries is CPU-bound Python, and in the bot's own
process it would hold the interpreter lock that replies need; the child sends its alerts
itself, as it does from cron. Otherwise (an in-memory store, or an injected fetcher or poll
for tests) it runs in a thread with an event loop and worker threads of its own. Either way
the job returns at once, a slow feed holds up neither replies, the next tick, nor shutdown
(``stop`` cancels it, ending the child).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.feeds.alerts import admin_languages, send_feed_alerts
from bot.feeds.fetch import Fetcher
from bot.feeds.model import FeedPollReport, FeedSettings, FeedState, PollResult, StoredFeed
from bot.feeds.poll import poll_feed
from bot.feeds.poller import poll_feeds
from bot.render.feeds import render_poll_reports
from bot.render.i18n import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from bot.handlers.context import NewsContext
    from bot.service import NewsService

logger = logging.getLogger(__name__)

POLL_EVERY = 60.0  # seconds between looks for due feeds
FIRST_POLL = 10.0  # seconds after start-up
POLL_WORKERS = 2  # threads for a poll's parsing, writing and summarising
POLL_NICENESS = 10  # the poll child's nice increment
PollFeeds = Callable[..., Awaitable[list[FeedPollReport]]]
AlertCallback = Callable[[StoredFeed, FeedPollReport], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """What /addfeed's validating poll came to: ``feed`` None means refused, nothing
    stored, and ``result`` says why; else the stored feed and what its first poll saved."""

    result: PollResult
    feed: StoredFeed | None = None
    report: FeedPollReport | None = None


class FeedPolling:
    """Polls feeds for the running bot. ``fetcher`` makes the Fetcher for one poll;
    ``poll`` is ``poll_feeds`` (both injectable for tests and the benchmark)."""

    def __init__(self, bot: Bot, service: NewsService, admin_ids: Iterable[int], *,
                 fetcher: Callable[[], Fetcher] = Fetcher, poll: PollFeeds = poll_feeds,
                 child_poll: Sequence[str] | None = None) -> None:
        self.bot = bot
        self.service = service
        self.admin_ids = frozenset(admin_ids)
        self._fetcher = fetcher
        self._poll = poll
        self.child_poll = child_poll
        self._task: asyncio.Task[list[FeedPollReport]] | None = None
        self._thread = ThreadPoolExecutor(1, "feed-poll")
        self._inner: tuple[asyncio.AbstractEventLoop, asyncio.Task | None] | None = None
        self._stopping = False  # set once the poll is cancelled: the thread must not start

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, *, every_feed: bool = False, report_to: int | None = None,
              language: str = DEFAULT_LANGUAGE) -> asyncio.Task[list[FeedPollReport]] | None:
        """Start polling the due feeds (``every_feed``: all but disabled ones) in the
        background, and when it is done send chat ``report_to`` (if given) what came of it,
        in ``language``; None when a poll is running already.

        The task is this object's, not a handler's: python-telegram-bot's ``stop`` waits for
        handlers, and must not wait for a slow feed."""
        if self.running:
            return None
        self._task = asyncio.create_task(
            self._run(every_feed, report_to, language), name="poll_feeds")
        return self._task

    async def _run(self, every_feed: bool, report_to: int | None,
                   language: str) -> list[FeedPollReport]:
        reports = await self._poll_once(every_feed)
        if report_to is not None:
            try:
                await self.bot.send_message(report_to, render_poll_reports(reports, language),
                                            parse_mode=ParseMode.HTML)
            except TelegramError as exc:
                logger.error("Could not send the poll report to chat %s: %s", report_to, exc)
        return reports

    async def _poll_once(self, every_feed: bool) -> list[FeedPollReport]:
        if self.child_poll is not None:
            return await self._poll_in_child(every_feed)
        bot_loop = asyncio.get_running_loop()

        async def alert(feed: StoredFeed, report: FeedPollReport) -> None:
            # The bot's HTTP client belongs to the bot's loop: send from there.
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(
                self._alert(feed, report), bot_loop))

        try:
            reports = await bot_loop.run_in_executor(
                self._thread, self._poll_in_own_loop, every_feed, alert)
        except asyncio.CancelledError:
            self._cancel_inner()
            raise
        except Exception:
            # The next tick tries again; one broken poll must not end the job.
            logger.exception("Polling feeds failed")
            return []
        if reports:
            logger.info("Polled %d feeds: %d new articles, %d failed", len(reports),
                        sum(r.added for r in reports),
                        sum(1 for r in reports if r.status in ("error", "disabled")))
        return reports

    async def _poll_in_child(self, every_feed: bool) -> list[FeedPollReport]:
        """``newsbot … feeds poll --json [--all]`` as a child process; its reports. A child
        that fails to run is logged and the next tick tries again."""
        command = [*self.child_poll, "feeds", "poll", "--json", *(["--all"] if every_feed else [])]
        nice = shutil.which("nice")
        if nice is not None:  # on a busy machine the bot's replies get the CPU first
            command = [nice, "-n", str(POLL_NICENESS), *command]
        child = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE)
        try:
            out, _ = await child.communicate()  # its stderr (alerts, log lines) is ours
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()  # a poll killed half way loses and repeats nothing
            await child.wait()
            raise
        try:
            reports = [FeedPollReport(**item) for item in json.loads(out or b"[]")]
        except (ValueError, TypeError):
            logger.error("Polling feeds in a child process failed (exit %s)", child.returncode)
            return []
        if reports:
            logger.info("Polled %d feeds: %d new articles, %d failed", len(reports),
                        sum(r.added for r in reports), sum(1 for r in reports if r.failed))
        return reports

    def _poll_in_own_loop(self, every_feed: bool, alert: AlertCallback) -> list[FeedPollReport]:
        """The poll, on an event loop of its own in the polling thread, its blocking work
        in ``POLL_WORKERS`` threads of its own: the bot's loop and its worker threads (which
        run the replies' queries) only ever wait for the result."""
        with asyncio.Runner() as runner:
            runner.get_loop().set_default_executor(
                ThreadPoolExecutor(POLL_WORKERS, "feed-poll-work"))
            try:
                return runner.run(self._poll_feeds(every_feed, alert))
            finally:
                self._inner = None

    async def _poll_feeds(self, every_feed: bool, alert: AlertCallback) -> list[FeedPollReport]:
        self._inner = (asyncio.get_running_loop(), asyncio.current_task())
        if self._stopping:
            raise asyncio.CancelledError
        now = self.service.clock()
        feeds = None
        if every_feed:
            listed = await asyncio.to_thread(self.service.list_feeds)
            feeds = [f for f in listed if f.status != "disabled"]
        async with self._fetcher() as fetcher:
            return await self._poll(self.service, fetcher, now=now, feeds=feeds,
                                    on_alert=alert)

    def _cancel_inner(self) -> None:
        self._stopping = True
        inner = self._inner
        if inner is not None:
            loop, task = inner
            with contextlib.suppress(RuntimeError):  # that loop has just closed
                loop.call_soon_threadsafe(task.cancel)  # type: ignore[union-attr]

    async def _alert(self, feed: StoredFeed, report: FeedPollReport) -> None:
        languages = await asyncio.to_thread(admin_languages, self.service, self.admin_ids)
        await send_feed_alerts(self.bot, self.admin_ids, [(feed, report)], languages.get)

    async def check_and_add(self, settings: FeedSettings) -> FeedCheck:
        """Poll ``settings.url`` once; if it gave a feed, store it with what it brought
        (``add_feed`` then ``save_poll``), else store nothing."""
        now = self.service.clock()
        async with self._fetcher() as fetcher:
            result = await poll_feed(fetcher, settings, FeedState(settings.url), now)
        if result.feed is None:
            return FeedCheck(result)
        feed = await asyncio.to_thread(self.service.add_feed, settings)
        report = await asyncio.to_thread(self.service.save_poll, feed.id, result, now)
        feed = await asyncio.to_thread(self.service.get_feed, str(feed.id))
        return FeedCheck(result, feed, report)

    async def stop(self) -> None:
        """Cancel a running poll (shutdown must not wait for a slow feed) and wait for its
        thread to end (at most the blocking call it is in: one save or parse)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self._thread.shutdown)


async def poll_due_feeds(context: NewsContext) -> None:
    """Job: start polling the due feeds, unless a poll is still running."""
    context.bot_data.feeds.start()


def schedule_feed_polling(application: Application, *, every: float = POLL_EVERY,
                          first: float = FIRST_POLL) -> None:
    """Look for due feeds every ``every`` seconds, the first time after ``first``."""
    application.job_queue.run_repeating(poll_due_feeds, interval=every, first=first,
                                        name="poll_due_feeds")


async def stop_feed_polling(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """``post_stop``: cancel a poll still running."""
    feeds = application.bot_data.feeds
    if feeds is not None:
        await feeds.stop()
