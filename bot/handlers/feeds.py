"""Feed commands for admins: /feeds (paged, failing feeds marked), /addfeed, /removefeed and
its buttons, /pollnow. Polling itself is ``bot.feeds.job.FeedPolling``'s."""

from __future__ import annotations

import functools

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import render
from bot.errors import NewsbotError
from bot.feeds.model import FeedSettings
from bot.handlers.common import Handler, admin_only, call, chat_language, keyboard_rows, reply
from bot.handlers.context import NewsContext
from bot.query import parse_tag_list
from bot.render import feeds as words


def feed_errors(handler: Handler) -> Handler:
    """Answer the feeds' errors (no such feed, followed already) in their words, and any
    other NewsbotError as every command does."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: NewsContext) -> None:
        try:
            await handler(update, context)
        except NewsbotError as exc:
            command = handler.__name__.removesuffix("_command")
            language = await chat_language(update, context)
            await reply(update, words.render_feed_error(exc, language)
                        or render.render_error(exc, command, language))

    return wrapper


async def _feeds_page(context: NewsContext, offset: int, language: str):
    feeds = await call(context.service.list_feeds)
    text, rows = words.render_feeds_page(feeds, offset, language=language)
    return text, keyboard_rows(rows)


@admin_only
@feed_errors
async def feeds_command(update: Update, context: NewsContext) -> None:
    """List the followed feeds, a page at a time, failing ones marked with the reason."""
    await reply(update, *await _feeds_page(context, 0, await chat_language(update, context)))


@admin_only
@feed_errors
async def addfeed_command(update: Update, context: NewsContext) -> None:
    """Follow a feed after one poll shows it is one: /addfeed URL [tags]."""
    language = await chat_language(update, context)
    args = context.args or []
    url = args[0].strip() if args else ""
    if not url.lower().startswith(("http://", "https://")):
        await reply(update, render.translate(words.ADDFEED_USAGE, language))
        return
    tags = tuple(parse_tag_list(" ".join(args[1:])))
    check = await context.feeds.check_and_add(FeedSettings(url, tags=tags))
    if check.feed is None:
        await reply(update, words.render_feed_refused(url, check.result, language))
        return
    await reply(update, words.render_feed_added(check.feed, check.report, language))


@admin_only
@feed_errors
async def removefeed_command(update: Update, context: NewsContext) -> None:
    """Stop following a feed by its id (or URL); its articles stay."""
    language = await chat_language(update, context)
    ref = " ".join(context.args or []).strip()
    if not ref:
        await reply(update, render.translate(words.REMOVEFEED_USAGE, language))
        return
    feed = await call(context.service.remove_feed, ref)
    await reply(update, words.render_feed_removed(feed, language))


@admin_only
@feed_errors
async def pollnow_command(update: Update, context: NewsContext) -> None:
    """Poll every feed now; the report follows when the poll is done."""
    language = await chat_language(update, context)
    if context.feeds.running:
        await reply(update, render.translate(words.POLL_BUSY, language))
        return
    # First: a quick poll's report must come after it.
    await reply(update, render.translate(words.POLLING, language))
    if context.feeds.start(every_feed=True, report_to=update.effective_chat.id,
                           language=language) is None:
        await reply(update, render.translate(words.POLL_BUSY, language))


def _is_admin(update: Update, context: NewsContext) -> bool:
    user = update.effective_user
    return context.settings.is_admin(user.id if user else None)


async def feeds_page_button(update: Update, context: NewsContext, args: list[str]) -> None:
    """«‹ Prev» / «Next ›» under /feeds."""
    query = update.callback_query
    language = await chat_language(update, context)
    if not _is_admin(update, context):
        await query.answer(render.translate(render.NOT_ADMIN, language), show_alert=True)
        return
    if not (args[0].isascii() and args[0].isdigit()):
        await query.answer(render.translate(words.FEEDS_EXPIRED, language), show_alert=True)
        return
    await _show_page(update, context, int(args[0]), language)
    await query.answer()


async def remove_feed_button(update: Update, context: NewsContext, args: list[str]) -> None:
    """«Remove N» under /feeds: stop following feed N and show the list again."""
    query = update.callback_query
    language = await chat_language(update, context)
    if not _is_admin(update, context):
        await query.answer(render.translate(render.NOT_ADMIN, language), show_alert=True)
        return
    if len(args) != 2 or not all(a.isascii() and a.isdigit() for a in args):
        await query.answer(render.translate(words.FEEDS_EXPIRED, language), show_alert=True)
        return
    try:
        feed = await call(context.service.remove_feed, args[0])
    except NewsbotError as exc:
        if words.render_feed_error(exc, language) is None:
            raise
        await query.answer(words.feed_gone_alert(args[0], language), show_alert=True)
    else:
        await query.answer(words.feed_removed_alert(feed, language))
    await _show_page(update, context, int(args[1]), language)


async def _show_page(update: Update, context: NewsContext, offset: int, language: str) -> None:
    text, markup = await _feeds_page(context, offset, language)
    try:
        await update.callback_query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True)
    except BadRequest as exc:
        if "message is not modified" not in exc.message.lower():
            raise
