"""Tag digests on Telegram: sending with delivery guarantees, the schedule, the commands.

Delivery: an article is recorded as delivered only after Telegram accepted the message that
carried it, and a chat's watermark moves only once its whole digest went out. A run that
dies half way therefore resumes with what was not yet accepted, and never repeats an article.

Schedule: one repeating job looks every minute for chats whose local digest time has passed
since their previous digest. Times, timezones and subscriptions live in the database, so a
restart (or `newsbot send-digests` from cron) picks up exactly where the last run stopped.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot import render
from bot.handlers import friendly_errors, reply
from bot.models import ChatSettings, Digest
from bot.schedule import next_occurrence
from bot.service import NewsService

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
CHECK_EVERY = 60.0  # seconds between looks for due digests
RETRY_AFTER_ATTEMPTS = 5
SEND_MESSAGE = "sendMessage"

# Digests go out through Bot.do_api_request (see DigestSender._send), which warns that
# Bot.sendMessage exists; that is known and deliberate here.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.sendMessage' instead", category=PTBUserWarning
)


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

    def summary(self) -> str:
        return (
            f"Sent {self.messages} message{'s' if self.messages != 1 else ''} to "
            f"{len(self.served)} chat{'s' if len(self.served) != 1 else ''}; "
            f"{len(self.empty)} had nothing new, {len(self.unreachable)} unreachable, "
            f"{len(self.failed)} failed (retried next run)."
        )


def retry_after_seconds(error: RetryAfter) -> float:
    # PTB 22 warns that retry_after will become a timedelta; accept either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        delay = error.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


def _unreachable(error: TelegramError) -> bool:
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and "chat not found" in error.message.lower()


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One digest message, ready to send: its articles and its sendMessage parameters."""

    article_ids: Sequence[str]
    parameters: dict


def _send_message_parameters(chat_id: int, message: render.ListMessage) -> dict:
    parameters = {
        "chat_id": chat_id,
        "text": message.text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if message.buttons:
        parameters["reply_markup"] = {"inline_keyboard": [
            [{"text": b.text, "callback_data": b.data} for b in row]
            for row in render.button_rows(message.buttons, 3)
        ]}
    return parameters


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
        self._slots = asyncio.Semaphore(concurrency)
        # Group commit: deliveries accepted while the previous batch is being written wait
        # for the next batch, one hop to the thread pool and one transaction for them all.
        self._pending: list[tuple[int, Sequence[str], tuple[int, datetime] | None]] = []
        self._pending_done: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None

    async def send_digest(self, chat_id: int, run: DigestRun | None = None) -> DigestRun:
        """Send one chat what is new for its tags; nothing new means no message."""
        run = run or DigestRun()
        # Off the event loop, in as few hops to the thread pool as possible: a broadcast is
        # bound by the event loop's share of the GIL, and a hop costs it more than the SQL.
        digest, messages = await asyncio.to_thread(self._build, chat_id)
        if not messages:
            await self._delivered(chat_id, (), digest.upto_seq)
            run.empty.append(chat_id)
            return run
        last_sent = None
        loop = asyncio.get_running_loop()
        for number, message in enumerate(messages, 1):
            if last_sent is not None:
                await asyncio.sleep(max(0.0, self.chat_interval - (loop.time() - last_sent)))
            try:
                await self._send(chat_id, message)
            except TelegramError as exc:
                if _unreachable(exc):
                    logger.warning("Chat %s is unreachable (%s); digests stop", chat_id, exc)
                    await asyncio.to_thread(self.service.mark_unreachable, chat_id)
                    run.unreachable.append(chat_id)
                else:
                    logger.error("Digest for chat %s failed, will retry: %s", chat_id, exc)
                    run.failed.append(chat_id)
                return run
            last_sent = loop.time()
            run.messages += 1
            finished = digest.upto_seq if number == len(messages) else None
            await self._delivered(chat_id, message.article_ids, finished)
        run.served.append(chat_id)
        return run

    def _build(self, chat_id: int) -> tuple[Digest, list[OutgoingMessage]]:
        digest = self.service.build_digest(chat_id)
        return digest, [OutgoingMessage(m.article_ids, _send_message_parameters(chat_id, m))
                        for m in render.render_digest(digest)]

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

    async def _send(self, chat_id: int, message: OutgoingMessage) -> None:
        for attempt in range(RETRY_AFTER_ATTEMPTS):
            try:
                # sendMessage as plain JSON both ways: the same request and errors as
                # Bot.send_message, through the rate limiter as every send, but no keyboard
                # objects to build and no returned Message to parse, which nothing here reads
                # (together half the event loop's CPU for a message).
                await self.bot.do_api_request(SEND_MESSAGE, api_kwargs=dict(message.parameters))
                return
            except RetryAfter as exc:
                # The rate limiter retries too; this covers a bot built without one.
                if attempt == RETRY_AFTER_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(retry_after_seconds(exc))

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


def _sender(context: ContextTypes.DEFAULT_TYPE) -> DigestSender:
    return context.bot_data["digest_sender"]


async def send_due_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: send the digests that are due."""
    run = await _sender(context).send_due()
    if run.messages or run.unreachable or run.failed:
        logger.info("Digests: %s", run.summary())


def install(application: Application, *, chat_interval: float = 1.0,
            check_every: float | None = CHECK_EVERY) -> None:
    """Register the digest commands and the job that sends due digests."""
    service: NewsService = application.bot_data["service"]
    application.bot_data["digest_sender"] = DigestSender(
        application.bot, service, chat_interval=chat_interval
    )
    application.bot_data["extra_commands"] = DIGEST_COMMANDS
    for name, callback in (
        ("digest", digest_command),
        ("digest_time", digest_time_command),
        ("timezone", timezone_command),
        ("digest_on", digest_on_command),
        ("digest_off", digest_off_command),
    ):
        application.add_handler(CommandHandler(name, callback))
    if check_every is not None and application.job_queue is not None:
        application.job_queue.run_repeating(
            send_due_digests, interval=check_every, first=5.0, name="send_due_digests"
        )


DIGEST_COMMANDS: tuple[tuple[str, str], ...] = (
    ("digest", "Your digest of followed tags, now"),
    ("digest_time", "When your daily digest arrives: /digest_time 08:00"),
    ("timezone", "Your timezone: /timezone Europe/Kyiv"),
    ("digest_off", "Pause daily digests"),
    ("digest_on", "Resume daily digests"),
)


# -- commands ---------------------------------------------------------------------------------


def _schedule_line(service: NewsService, chat: ChatSettings, now: datetime) -> str:
    zone = service.chat_timezone(chat)
    if not chat.digest_enabled:
        return "Daily digests are off. /digest_on turns them back on."
    upcoming = next_occurrence(now, chat.digest_time, zone).astimezone(ZoneInfo(zone))
    return (
        f"Your digest arrives daily at {chat.digest_time} ({render.escape(zone)}); "
        f"next: {upcoming.strftime('%a %-d %b, %H:%M')}."
    )


@friendly_errors
async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send this chat's digest now."""
    sender = _sender(context)
    chat_id = update.effective_chat.id
    if not await asyncio.to_thread(sender.service.subscriptions, chat_id):
        await reply(update, "You follow no tags yet. Try /tags or <code>/subscribe Economy</code>.")
        return
    run = await sender.send_digest(chat_id)
    if chat_id in run.empty:
        await reply(update, "Nothing new for your tags since your last digest. "
                            "/latest shows the newest articles.")


async def _update_schedule(
    update: Update, context: ContextTypes.DEFAULT_TYPE, change: Callable[[], ChatSettings]
) -> None:
    sender = _sender(context)
    chat = await asyncio.to_thread(change)
    await reply(update, _schedule_line(sender.service, chat, sender.clock()))


@friendly_errors
async def digest_time_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set the local time of the daily digest."""
    service = _sender(context).service
    if not context.args:
        chat = await asyncio.to_thread(service.chat_settings, update.effective_chat.id)
        await reply(update, render.DIGEST_TIME_USAGE + "\n"
                    + _schedule_line(service, chat, _sender(context).clock()))
        return
    await _update_schedule(update, context, lambda: service.set_digest_time(
        update.effective_chat.id, " ".join(context.args)))


@friendly_errors
async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set the chat's IANA timezone."""
    service = _sender(context).service
    if not context.args:
        chat = await asyncio.to_thread(service.chat_settings, update.effective_chat.id)
        await reply(update, render.TIMEZONE_USAGE + "\n"
                    + _schedule_line(service, chat, _sender(context).clock()))
        return
    await _update_schedule(update, context, lambda: service.set_timezone(
        update.effective_chat.id, " ".join(context.args)))


@friendly_errors
async def digest_on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Resume daily digests."""
    service = _sender(context).service
    await _update_schedule(update, context, lambda: service.set_digest_enabled(
        update.effective_chat.id, True))


@friendly_errors
async def digest_off_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pause daily digests."""
    service = _sender(context).service
    await _update_schedule(update, context, lambda: service.set_digest_enabled(
        update.effective_chat.id, False))
