"""Reading the news: /start, /latest, /search and its pages, /article, cards, inline mode."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import render
from bot.errors import NewsbotError
from bot.handlers.common import (
    call,
    chat_language,
    friendly_errors,
    keyboard,
    keyboard_rows,
    reply,
    search_slot,
)
from bot.handlers.context import NewsContext
from bot.models import Article, Summary
from bot.query import parse_count_and_rest
from bot.service import NewsService

LATEST_DEFAULT, LATEST_MAX = 5, 20
SEARCH_PAGE = 5
INLINE_RESULTS = 20
_KEPT_SEARCHES = 50  # per chat, for the «Next ›» buttons


@friendly_errors
async def start_command(update: Update, context: NewsContext) -> None:
    """Welcome the user with three things to try; ``/start ID`` (a channel post's «Full
    text» link, ``render.start_link``) shows that article in full."""
    if context.args:
        await send_full_article(update, context, context.args[0])
        return
    await reply(update, render.render_welcome(await chat_language(update, context)))


def _briefs(service: NewsService, articles: Sequence[Article]) -> list[tuple[Article, Summary]]:
    summaries = service.summaries(articles)
    return [(a, summaries[a.id]) for a in articles]


@friendly_errors
async def latest_command(update: Update, context: NewsContext) -> None:
    """Send the newest N articles (optionally for one tag) as one numbered list.

    One message rather than a card each: Telegram lets a bot send a chat about one message a
    second, so five cards would trickle in over five seconds.
    """
    count, rest = parse_count_and_rest(context.args or [], LATEST_DEFAULT, 1, LATEST_MAX)
    tag = rest or None
    service = context.service

    def work() -> list[tuple[Article, Summary]]:
        return _briefs(service, service.latest(count, tag=tag))

    briefs = await call(work)
    language = await chat_language(update, context)
    if not briefs:
        await reply(update, render.render_no_latest(tag, language))
        return
    for message in render.render_latest(briefs, tag, language):
        await reply(update, message.text, keyboard_rows(message.rows))


def _remember_search(context: NewsContext, query: str) -> str:
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
    context: NewsContext, query: str, offset: int, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    service = context.service

    def work():
        page = service.search(query, limit=SEARCH_PAGE, offset=offset)
        unsnipped = [h.article for h in page.hits if not h.snippet]
        return page, service.summaries(unsnipped)

    with search_slot(context):
        page, summaries = await call(work)
    if not page.hits:
        return render.render_no_results(query, language), None
    token = _remember_search(context, query)
    buttons = [
        render.Button(str(n), render.callback_data("open", hit.article.id))
        for n, hit in enumerate(page.hits, offset + 1)
    ]
    previous = (render.callback_data("page", token, max(0, offset - SEARCH_PAGE))
                if offset > 0 else None)
    following = render.callback_data("page", token, offset + SEARCH_PAGE) if page.has_more else None
    nav = render.page_buttons(previous, following, language)
    return render.render_search_page(page, summaries, language), keyboard_rows([buttons, nav])


@friendly_errors
async def search_command(update: Update, context: NewsContext) -> None:
    """Search the store; results come five to a page with buttons."""
    query = " ".join(context.args or []).strip()
    language = await chat_language(update, context)
    if not query:
        await reply(update, render.render_usage("search", language))
        return
    text, markup = await _search_page(context, query, 0, language)
    await reply(update, text, markup)


@friendly_errors
async def article_command(update: Update, context: NewsContext) -> None:
    """Send one article in full, over several messages when needed."""
    if not context.args:
        await reply(update, render.render_usage("article", await chat_language(update, context)))
        return
    await send_full_article(update, context, context.args[0])


async def send_full_article(update: Update, context: NewsContext, article_id: str) -> None:
    article = await call(context.service.article, article_id)
    for text in render.render_full_article(article, await chat_language(update, context)):
        await reply(update, text)


async def full_text_button(update: Update, context: NewsContext, args: list[str]) -> None:
    await send_full_article(update, context, args[0])
    await update.callback_query.answer()


async def open_button(update: Update, context: NewsContext, args: list[str]) -> None:
    service = context.service

    def work() -> tuple[Article, Summary]:
        article = service.article(args[0])
        return article, service.summary(article)

    article, summary = await call(work)
    language = await chat_language(update, context)
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, render.render_card(article, summary, language=language),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(render.article_buttons(article, language=language)),
    )


async def search_page_button(update: Update, context: NewsContext, args: list[str]) -> None:
    query = update.callback_query
    searches: dict[str, str] = context.chat_data.get("searches", {})
    language = await chat_language(update, context)
    if len(args) != 2 or args[0] not in searches or not (args[1].isascii() and args[1].isdigit()):
        await query.answer(render.translate(render.EXPIRED, language), show_alert=True)
        return
    text, markup = await _search_page(context, searches[args[0]], int(args[1]), language)
    await query.answer()
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as exc:
        # A second tap on the same button before the first edit showed: already on that page.
        if "message is not modified" not in exc.message.lower():
            raise


async def inline_query(update: Update, context: NewsContext) -> None:
    """Offer search results (or the latest articles) in any chat."""
    text = update.inline_query.query.strip()
    service = context.service

    def work() -> list[tuple[Article, Summary]]:
        if text:
            articles = [h.article for h in service.search(text, limit=INLINE_RESULTS).hits]
        else:
            articles = service.latest(INLINE_RESULTS)
        return _briefs(service, articles)

    language = await chat_language(update, context)
    try:
        with search_slot(context) if text else contextlib.nullcontext():
            briefs = await call(work)
    except NewsbotError as exc:
        # No chat to answer in: a button above the (empty) results says why.
        await update.inline_query.answer(
            [], cache_time=0, is_personal=True, button=InlineQueryResultsButton(
                text=render.inline_notice(exc, language), start_parameter="help"))
        return
    results = []
    for article, summary in briefs:
        source = render.source_button(article, language=language)
        results.append(InlineQueryResultArticle(
            id=article.id,
            title=article.title[:256],
            description=(summary.sentences[0] if summary.sentences else article.subtitle)[:256],
            input_message_content=InputTextMessageContent(
                render.render_card(article, summary, language=language),
                parse_mode=ParseMode.HTML
            ),
            url=source.url if source else None,
            reply_markup=keyboard([source]) if source else None,
        ))
    await update.inline_query.answer(results, cache_time=30, is_personal=False)
