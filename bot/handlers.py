"""Telegram handlers: parse the update, call the service off the event loop, render, reply.

Handlers catch only ``NewsbotError`` (and answer briefly); everything else reaches
``error_handler``, which logs the traceback and apologises to the user.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import render
from bot.config import Settings
from bot.errors import ImportInProgress, NewsbotError
from bot.models import Article, Summary
from bot.query import parse_count_and_rest
from bot.service import NewsService

logger = logging.getLogger(__name__)

LATEST_DEFAULT, LATEST_MAX = 5, 20
SEARCH_PAGE = 5
INLINE_RESULTS = 20
_KEPT_SEARCHES = 50  # per chat, for the «Next ›» buttons

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def _service(context: ContextTypes.DEFAULT_TYPE) -> NewsService:
    return context.bot_data["service"]


def _settings(context: ContextTypes.DEFAULT_TYPE) -> Settings:
    return context.bot_data["settings"]


async def _call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking) service call in a worker thread, off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


def keyboard_rows(rows: Sequence[Sequence[render.Button]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in rows]
    )


def keyboard(buttons: Sequence[render.Button], per_row: int = 2) -> InlineKeyboardMarkup | None:
    return keyboard_rows(render.button_rows(buttons, per_row))


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_message.reply_html(
        text, reply_markup=markup, disable_web_page_preview=True
    )


def friendly_errors(handler: Handler) -> Handler:
    """Answer a NewsbotError briefly in the chat; let anything else reach error_handler."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except NewsbotError as exc:
            if update.callback_query:
                await update.callback_query.answer()
            if update.effective_message:
                command = handler.__name__.removesuffix("_command")
                await reply(update, render.render_error(exc, command))

    return wrapper


def admin_only(handler: Handler) -> Handler:
    """Refuse, and log, admin commands from anyone not in ADMIN_IDS."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if not _settings(context).is_admin(user.id if user else None):
            logger.warning(
                "Refused /%s for non-admin user id %s",
                handler.__name__.removesuffix("_command"), user.id if user else None,
            )
            await reply(update, render.NOT_ADMIN)
            return
        await handler(update, context)

    return wrapper


async def track_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A chat that writes to us is reachable again (digests resume)."""
    chat = update.effective_chat
    if chat is not None and update.effective_message is not None:
        await _call(_service(context).touch_chat, chat.id)


# -- plain commands ----------------------------------------------------------------------------


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user with three things to try."""
    await reply(update, render.WELCOME)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List every command with one line each."""
    user = update.effective_user
    is_admin = _settings(context).is_admin(user.id if user else None)
    extra = context.bot_data.get("extra_commands", ())
    await reply(update, render.render_help(is_admin, extra))


def _briefs(service: NewsService, articles: Sequence[Article]) -> list[tuple[Article, Summary]]:
    summaries = service.summaries(articles)
    return [(a, summaries[a.id]) for a in articles]


@friendly_errors
async def latest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the newest N articles (optionally for one tag) as one numbered list.

    One message rather than a card each: Telegram lets a bot send a chat about one message a
    second, so five cards would trickle in over five seconds.
    """
    count, rest = parse_count_and_rest(context.args or [], LATEST_DEFAULT, 1, LATEST_MAX)
    tag = rest or None
    service = _service(context)

    def work() -> list[tuple[Article, Summary]]:
        return _briefs(service, service.latest(count, tag=tag))

    briefs = await _call(work)
    if not briefs:
        await reply(update, render.render_no_latest(tag))
        return
    for message in render.render_latest(briefs, tag):
        await reply(update, message.text, keyboard_rows(message.rows))


def _remember_search(context: ContextTypes.DEFAULT_TYPE, query: str) -> str:
    searches: dict[str, str] = context.chat_data.setdefault("searches", {})
    for token, known in searches.items():
        if known == query:
            return token
    token = secrets.token_urlsafe(6)
    searches[token] = query
    while len(searches) > _KEPT_SEARCHES:
        searches.pop(next(iter(searches)))
    return token


async def _search_page(
    context: ContextTypes.DEFAULT_TYPE, query: str, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    service = _service(context)

    def work():
        page = service.search(query, limit=SEARCH_PAGE, offset=offset)
        unsnipped = [h.article for h in page.hits if not h.snippet]
        return page, service.summaries(unsnipped)

    page, summaries = await _call(work)
    if not page.hits:
        return render.render_no_results(query), None
    token = _remember_search(context, query)
    buttons = [
        render.Button(str(n), render.callback_data("open", hit.article.id))
        for n, hit in enumerate(page.hits, offset + 1)
    ]
    nav = []
    if offset > 0:
        nav.append(render.Button("‹ Prev", render.callback_data(
            "page", token, max(0, offset - SEARCH_PAGE))))
    if page.has_more:
        nav.append(render.Button("Next ›", render.callback_data(
            "page", token, offset + SEARCH_PAGE)))
    rows = [[InlineKeyboardButton(b.text, callback_data=b.data) for b in buttons]]
    if nav:
        rows.append([InlineKeyboardButton(b.text, callback_data=b.data) for b in nav])
    return render.render_search_page(page, summaries), InlineKeyboardMarkup(rows)


@friendly_errors
async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Search the store; results come five to a page with buttons."""
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, render.SEARCH_USAGE)
        return
    text, markup = await _search_page(context, query, 0)
    await reply(update, text, markup)


@friendly_errors
async def article_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send one article in full, over several messages when needed."""
    if not context.args:
        await reply(update, render.ARTICLE_USAGE)
        return
    await send_full_article(update, context, context.args[0])


async def send_full_article(
    update: Update, context: ContextTypes.DEFAULT_TYPE, article_id: str
) -> None:
    article = await _call(_service(context).article, article_id)
    messages = render.render_full_article(article)
    chat_id = update.effective_chat.id
    for text in messages:
        await context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        )


@friendly_errors
async def tags_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the most used tags, each a button to follow it."""
    tags = await _call(_service(context).tags, 20)
    await reply(update, render.render_tags(tags),
                keyboard(render.tag_buttons(tags, "tag", "Follow")))


@friendly_errors
async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow one or more comma-separated tags."""
    text = " ".join(context.args or [])
    if not text.strip(" ,"):
        await reply(update, render.SUBSCRIBE_USAGE)
        return
    result = await _call(_service(context).subscribe, update.effective_chat.id, text)
    await reply(update, render.render_subscribed(result.added, result.already, result.unknown))


@friendly_errors
async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop following a tag."""
    tag = " ".join(context.args or []).strip()
    if not tag:
        await reply(update, render.UNSUBSCRIBE_USAGE)
        return
    removed = await _call(_service(context).unsubscribe, update.effective_chat.id, tag)
    await reply(update, render.render_unsubscribed(removed, tag))


@friendly_errors
async def subscriptions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List followed tags with an unsubscribe button each."""
    tags = await _call(_service(context).subscriptions, update.effective_chat.id)
    await reply(update, render.render_subscriptions(tags),
                keyboard(render.tag_buttons(tags, "unsub", "Unfollow")))


# -- admin commands ---------------------------------------------------------------------------


@admin_only
async def reimport_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-import the seeds directory and report what changed."""
    service = _service(context)
    if service.import_running:
        await reply(update, "An import is already running; I will not start another.")
        return
    await reply(update, "Re-importing the articles…")
    try:
        report = await _call(service.import_seeds)
    except ImportInProgress:
        await reply(update, "An import is already running; I will not start another.")
        return
    await reply(update, render.render_import_report(report))


@admin_only
@friendly_errors
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Articles, tags, subscribers, last import and database size."""
    stats = await _call(_service(context).stats)
    await reply(update, render.render_stats(stats))


# -- buttons ----------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route every callback query by its verb; unknown or stale data is answered politely."""
    query = update.callback_query
    verb, args = render.parse_callback(query.data)
    handler = _BUTTONS.get(verb)
    if handler is None or not args:
        await query.answer(render.EXPIRED, show_alert=True)
        return
    try:
        await handler(update, context, args)
    except NewsbotError as exc:
        await query.answer(render.error_alert(exc), show_alert=True)


async def full_text_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           args: list[str]) -> None:
    await send_full_article(update, context, args[0])
    await update.callback_query.answer()


async def open_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                      args: list[str]) -> None:
    service = _service(context)

    def work() -> tuple[Article, Summary]:
        article = service.article(args[0])
        return article, service.summary(article)

    article, summary = await _call(work)
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, render.render_card(article, summary),
        parse_mode=ParseMode.HTML, reply_markup=keyboard(render.article_buttons(article)),
    )


async def follow_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                        args: list[str]) -> None:
    service = _service(context)
    article = await _call(service.article, args[0])
    if not article.tags:
        await update.callback_query.answer("This article has no tags.")
        return
    await _follow(update, context, article.tags[0])


async def tag_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                     args: list[str]) -> None:
    await _follow(update, context, ":".join(args))


async def _follow(update: Update, context: ContextTypes.DEFAULT_TYPE, tag: str) -> None:
    result = await _call(_service(context).subscribe_tags, update.effective_chat.id, [tag])
    await update.callback_query.answer(render.follow_alert(bool(result.added), tag))


async def unsubscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                             args: list[str]) -> None:
    service = _service(context)
    chat_id = update.effective_chat.id
    tag = ":".join(args)
    removed = await _call(service.unsubscribe, chat_id, tag)
    await update.callback_query.answer(render.unfollow_alert(removed, tag))
    if removed:
        tags = await _call(service.subscriptions, chat_id)
        await update.callback_query.edit_message_text(
            render.render_subscriptions(tags), parse_mode=ParseMode.HTML,
            reply_markup=keyboard(render.tag_buttons(tags, "unsub", "Unfollow")),
        )


async def search_page_button(update: Update, context: ContextTypes.DEFAULT_TYPE,
                             args: list[str]) -> None:
    query = update.callback_query
    searches: dict[str, str] = context.chat_data.get("searches", {})
    if len(args) != 2 or args[0] not in searches or not (args[1].isascii() and args[1].isdigit()):
        await query.answer(render.EXPIRED, show_alert=True)
        return
    text, markup = await _search_page(context, searches[args[0]], int(args[1]))
    await query.answer()
    await query.edit_message_text(
        text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
    )


_BUTTONS: dict[str, Callable[[Update, ContextTypes.DEFAULT_TYPE, list[str]], Awaitable[None]]] = {
    "full": full_text_button,
    "open": open_button,
    "follow": follow_button,
    "tag": tag_button,
    "unsub": unsubscribe_button,
    "page": search_page_button,
}


# -- inline mode ------------------------------------------------------------------------------


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer search results (or the latest articles) in any chat."""
    text = update.inline_query.query.strip()
    service = _service(context)

    def work() -> list[tuple[Article, Summary]]:
        if text:
            articles = [h.article for h in service.search(text, limit=INLINE_RESULTS).hits]
        else:
            articles = service.latest(INLINE_RESULTS)
        return _briefs(service, articles)

    briefs = await _call(work)
    results = [
        InlineQueryResultArticle(
            id=article.id,
            title=article.title[:256],
            description=(summary.sentences[0] if summary.sentences else article.subtitle)[:256],
            input_message_content=InputTextMessageContent(
                render.render_card(article, summary), parse_mode=ParseMode.HTML
            ),
        )
        for article, summary in briefs
    ]
    await update.inline_query.answer(results, cache_time=30, is_personal=False)


# -- errors -----------------------------------------------------------------------------------


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception with its traceback and tell the user something went wrong."""
    logger.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update):
        if update.callback_query:
            try:
                await update.callback_query.answer(render.SOMETHING_WRONG)
            except TelegramError:  # already reporting a failure; don't raise another
                logger.debug("Could not answer the callback query", exc_info=True)
        if update.effective_chat and update.effective_message:
            await context.bot.send_message(update.effective_chat.id, render.SOMETHING_WRONG)
