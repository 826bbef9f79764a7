"""Tag digests on Telegram: delivery with its guarantees, and the job that sends due digests.

Delivery: an article is recorded as delivered only after Telegram accepted the message that
carried it, and a chat's watermark moves only once its whole digest went out. A run that
dies half way therefore resumes with what was not yet accepted, and never repeats an article.

Schedule: one repeating job looks every CHECK_EVERY seconds for chats whose news is due by
their delivery mode (``ChatService.due_chats``: daily at the local digest time, hourly, or
instant a minute after the first new article, quiet hours waited out). Times, timezones,
modes and subscriptions live in the database, so a restart (or `newsbot send-digests` from
cron) picks up exactly where the last run stopped.

Within one process a chat's digest is built and sent by one sender at a time, so two /digest
at once, or /digest during the minute job, deliver each article once. 429s are retried by the
rate limiter (``bot.ratelimit``), not here: a 429 that outlasts it fails the chat for this run.
The commands that ask for a digest or change its schedule live in ``bot.handlers.digests``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import Application

from bot import render
from bot.handlers.common import keyboard_rows
from bot.handlers.context import NewsContext
from bot.models import ChatAddress, Digest
from bot.service import NewsService

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Seconds between looks for due news: instant news goes INSTANT_BATCH after its first
# article's import, and within two minutes of it.
CHECK_EVERY = 30.0
FIRST_CHECK = 5.0  # seconds after start-up
# How long a chat's digest claim outlives a sender that crashed while holding it.
CLAIM_TTL = 600
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DigestRun:
    """What one pass over the chats did."""

    messages: int = 0
    served: list[int] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    unreachable: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)  # another sender held the chat's claim
    migrated: list[tuple[int, int]] = field(default_factory=list)  # (group, its supergroup)

    def summary(self) -> str:
        return (
            f"Sent {self.messages} message{'s' if self.messages != 1 else ''} to "
            f"{len(self.served)} chat{'s' if len(self.served) != 1 else ''}; "
            f"{len(self.empty)} had nothing new, {len(self.unreachable)} unreachable, "
            f"{len(self.failed)} failed (retried next run)."
        )


def holder_is_dead(holder: str) -> bool:
    """A claim holder ("host:pid:token") that was a process on this host which has ended."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isascii() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


# 400s saying the bot may no longer post in the chat: a channel's admin took the right away.
_NO_RIGHT_TO_POST = ("need administrator rights", "not enough rights", "chat_write_forbidden",
                     "chat_admin_required")


def _unreachable(error: TelegramError) -> bool:
    """Blocked by the user, removed from the group or channel ("bot was kicked from the
    group chat", "bot is not a member of the channel chat": all 403), no longer allowed to
    post there, or the chat is gone."""
    if isinstance(error, Forbidden):
        return True
    text = error.message.lower()
    return isinstance(error, BadRequest) and (
        "chat not found" in text or any(phrase in text for phrase in _NO_RIGHT_TO_POST))


def _topic_gone(error: TelegramError) -> bool:
    """The forum topic was deleted or closed; the forum itself is still there."""
    text = error.message.lower()
    return isinstance(error, BadRequest) and (
        "thread not found" in text or "topic_deleted" in text or "topic_closed" in text)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One digest message, ready to send: where it goes, its articles, its HTML text and its
    keyboard."""

    address: ChatAddress
    article_ids: Sequence[str]
    text: str
    markup: InlineKeyboardMarkup | None
    silent: bool = False  # the chat asked for news without a notification sound


class DigestSender:
    """Builds and sends digests; the bot, the clock and the pacing are injected."""

    def __init__(
        self,
        bot: Bot,
        service: NewsService,
        *,
        chat_interval: float = 1.0,
        concurrency: int = 100,
    ) -> None:
        self.bot = bot
        self.service = service
        self.clock: Clock = service.clock
        self.chat_interval = chat_interval  # Telegram: at most one message a second per chat
        # Names this sender in the per-chat claims that keep other processes' senders out.
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._slots = asyncio.Semaphore(concurrency)
        # Group commit: deliveries accepted while the previous batch is being written wait
        # for the next batch, one hop to the thread pool and one transaction for them all.
        self._pending: list[tuple[int, Sequence[str], tuple[int, datetime] | None]] = []
        self._pending_done: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        # chat → its lock and how many senders hold or wait for it
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def send_digest(self, chat_id: int, run: DigestRun | None = None) -> DigestRun:
        """Send one chat what is new for its tags; nothing new means no message.

        A second call for the same chat waits for the first to finish, then sends only what
        is still new. While another sender (another process) holds the chat's claim, nothing
        is sent and the chat is listed in ``run.busy``. A group that became a supergroup
        (Telegram answers ``migrate_to_chat_id``) is moved to its new id in the store, listed
        in ``run.migrated``, and its digest sent there."""
        run = run or DigestRun()
        moved_to = None
        lock, holders = self._chats.get(chat_id, (asyncio.Lock(), 0))
        self._chats[chat_id] = (lock, holders + 1)
        try:
            async with lock:
                # Off the event loop, in as few hops to the thread pool as possible: a
                # broadcast is bound by the event loop's share of the GIL, and a hop costs it
                # more than the SQL.
                built = await asyncio.to_thread(self._claim_and_build, chat_id)
                if built is None:  # another process is sending this chat's digest right now
                    run.busy.append(chat_id)
                    return run
                try:
                    moved_to = await self._send_digest(chat_id, run, *built)
                finally:
                    await asyncio.to_thread(self.service.release_chat, chat_id, self.holder)
        finally:
            lock, holders = self._chats[chat_id]
            if holders == 1:
                del self._chats[chat_id]
            else:
                self._chats[chat_id] = (lock, holders - 1)
        if moved_to is not None and moved_to != chat_id:
            return await self.send_digest(moved_to, run)
        return run

    async def _send_digest(self, chat_id: int, run: DigestRun, digest: Digest,
                           messages: list[OutgoingMessage]) -> int | None:
        """Send the chat's built digest, recording into ``run``; the chat's new id if Telegram
        says it moved (a group that became a supergroup, already moved in the store)."""
        if not messages:
            await self._delivered(chat_id, (), digest.upto_seq)
            run.empty.append(chat_id)
            return None
        last_sent = None
        loop = asyncio.get_running_loop()
        for number, message in enumerate(messages, 1):
            if last_sent is not None:
                await asyncio.sleep(max(0.0, self.chat_interval - (loop.time() - last_sent)))
            try:
                await self._send(message)
            except ChatMigrated as exc:
                new_id = int(exc.new_chat_id)
                logger.info("Chat %s became supergroup %s; its digest goes there", chat_id,
                            new_id)
                await asyncio.to_thread(self.service.migrate_chat, chat_id, new_id)
                run.migrated.append((chat_id, new_id))
                return new_id
            except TelegramError as exc:
                topic_gone = _topic_gone(exc)
                if topic_gone or _unreachable(exc):
                    # A gone topic stops alone; a forum the bot left stops with its topics.
                    gone = chat_id if topic_gone else message.address.chat_id
                    logger.warning("Chat %s is unreachable (%s); its news stops", gone, exc)
                    await asyncio.to_thread(self.service.mark_unreachable, gone)
                    run.unreachable.append(chat_id)
                else:
                    logger.error("Digest for chat %s failed, will retry: %s", chat_id, exc)
                    run.failed.append(chat_id)
                return None
            last_sent = loop.time()
            run.messages += 1
            finished = digest.upto_seq if number == len(messages) else None
            await self._delivered(chat_id, message.article_ids, finished)
        run.served.append(chat_id)
        return None

    def _claim_and_build(self, chat_id: int) -> tuple[Digest, list[OutgoingMessage]] | None:
        """Take the chat's claim and build its digest (one thread hop); None if another
        sender holds the claim. A build that fails gives the claim back."""
        if not self.service.claim_chat(chat_id, self.holder, self.clock(), CLAIM_TTL,
                                       is_dead=holder_is_dead):
            return None
        try:
            return self._build(chat_id)
        except BaseException:
            self.service.release_chat(chat_id, self.holder)
            raise

    def _build(self, chat_id: int) -> tuple[Digest, list[OutgoingMessage]]:
        digest = self.service.build_digest(chat_id)
        if not digest.items:
            return digest, []
        language = render.language_for(self.service.chat_language(chat_id))
        silent = self.service.chat_silent(chat_id)
        address = self.service.chat_address(chat_id)
        # A channel's readers open articles in a private chat with the bot.
        username = self.bot.username if address.is_channel else None
        return digest, [
            OutgoingMessage(address, m.article_ids, m.text, keyboard_rows(m.rows), silent)
            for m in render.render_digest(digest, language, bot_username=username)
        ]

    async def _delivered(
        self, chat_id: int, article_ids: Sequence[str], upto_seq: int | None
    ) -> None:
        """Telegram accepted a message: record its articles and, after the chat's last
        message, move the chat's watermark to ``upto_seq``; return once that is committed."""
        finish = None if upto_seq is None else (upto_seq, self.clock())
        self._pending.append((chat_id, article_ids, finish))
        if self._pending_done is None:
            self._pending_done = asyncio.get_running_loop().create_future()
        done = self._pending_done
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_deliveries())
        await asyncio.shield(done)

    async def _write_deliveries(self) -> None:
        while self._pending:
            batch, done = self._pending, self._pending_done
            self._pending, self._pending_done = [], None
            try:
                await asyncio.to_thread(self.service.record_deliveries, batch)
            except asyncio.CancelledError:
                done.cancel()
                raise
            except Exception as exc:  # every sender waiting on this batch gets the error
                done.set_exception(exc)
                done.exception()  # retrieved here too: no warning if nobody waits any more
            else:
                done.set_result(None)

    async def _send(self, message: OutgoingMessage) -> None:
        await self.bot.send_message(
            message.address.chat_id, message.text, parse_mode=ParseMode.HTML,
            message_thread_id=message.address.thread_id,
            link_preview_options=NO_PREVIEW, reply_markup=message.markup,
            disable_notification=message.silent,
        )

    async def send_chats(self, chats: Sequence[int]) -> DigestRun:
        run = DigestRun()

        async def one(chat_id: int) -> None:
            async with self._slots:
                try:
                    await self.send_digest(chat_id, run)
                except Exception:
                    # One chat's surprise must not stop the others; the next run retries it.
                    logger.exception("Digest for chat %s failed", chat_id)
                    run.failed.append(chat_id)

        await asyncio.gather(*(one(chat_id) for chat_id in chats))
        return run

    async def send_due(self) -> DigestRun:
        """Every digest whose time has come."""
        chats = await asyncio.to_thread(self.service.due_chats, self.clock())
        return await self.send_chats([c.chat_id for c in chats])

    async def send_all(self) -> DigestRun:
        """Every active chat's digest, now, whatever its schedule."""
        chats = await asyncio.to_thread(self.service.digest_chats)
        return await self.send_chats([c.chat_id for c in chats])


# -- in-process schedule ----------------------------------------------------------------------


async def send_due_digests(context: NewsContext) -> None:
    """Job: send the digests that are due."""
    run = await context.digests.send_due()
    if run.messages or run.unreachable or run.failed:
        logger.info("Digests: %s", run.summary())


def schedule_digests(application: Application, *, check_every: float = CHECK_EVERY,
                     first: float = FIRST_CHECK) -> None:
    """Look for due digests every ``check_every`` seconds, the first time after ``first``."""
    application.job_queue.run_repeating(
        send_due_digests, interval=check_every, first=first, name="send_due_digests"
    )
