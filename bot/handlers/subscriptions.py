"""Following tags: /tags, /subscribe, /unsubscribe, /subscriptions and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import render
from bot.handlers.common import (
    call,
    chat_admin_only,
    chat_language,
    friendly_errors,
    keyboard,
    readable_target,
    reply,
    reply_for,
    settings_target,
)
from bot.handlers.context import NewsContext


@friendly_errors
async def tags_command(update: Update, context: NewsContext) -> None:
    """Show the most used tags, each a button to follow it."""
    tags = await call(context.service.tags, 20)
    language = await chat_language(update, context)
    await reply(update, render.render_tags(tags, language),
                keyboard(render.tag_buttons(tags, "tag", render.FOLLOW_TAG, language)))


@friendly_errors
@chat_admin_only
async def subscribe_command(update: Update, context: NewsContext) -> None:
    """Follow one or more comma-separated tags."""
    target = await settings_target(update, context)
    text = " ".join(context.args or [])
    language = await chat_language(update, context)
    if not text.strip(" ,"):
        await reply(update, render.render_usage("subscribe", language))
        return
    result = await call(context.service.subscribe, target.chat_id, text)
    await reply_for(update, target, render.render_subscribed(
        result.added, result.already, result.unknown, language))


@friendly_errors
@chat_admin_only
async def unsubscribe_command(update: Update, context: NewsContext) -> None:
    """Stop following a tag."""
    target = await settings_target(update, context)
    tag = " ".join(context.args or []).strip()
    language = await chat_language(update, context)
    if not tag:
        await reply(update, render.render_usage("unsubscribe", language))
        return
    removed = await call(context.service.unsubscribe, target.chat_id, tag)
    await reply_for(update, target, render.render_unsubscribed(removed, tag, language))


@friendly_errors
async def subscriptions_command(update: Update, context: NewsContext) -> None:
    """List followed tags with an unsubscribe button each."""
    target = await readable_target(update, context)
    if target is None:
        return
    tags = await call(context.service.subscriptions, target.chat_id)
    language = await chat_language(update, context)
    await reply_for(update, target, render.render_subscriptions(tags, language),
                    keyboard(render.tag_buttons(tags, "unsub", render.UNFOLLOW_TAG, language)))


@chat_admin_only
async def follow_button(update: Update, context: NewsContext, args: list[str]) -> None:
    article = await call(context.service.article, args[0])
    if not article.tags:
        language = await chat_language(update, context)
        await update.callback_query.answer(render.translate(render.NO_TAGS_ON_ARTICLE, language))
        return
    await _follow(update, context, article.tags[0])


@chat_admin_only
async def tag_button(update: Update, context: NewsContext, args: list[str]) -> None:
    await _follow(update, context, ":".join(args))


async def _follow(update: Update, context: NewsContext, tag: str) -> None:
    target = await settings_target(update, context)
    result = await call(context.service.subscribe_tags, target.chat_id, [tag])
    language = await chat_language(update, context)
    await update.callback_query.answer(render.alert_for_target(
        render.follow_alert(bool(result.added), tag, language), target.channel))


@chat_admin_only
async def unsubscribe_button(update: Update, context: NewsContext, args: list[str]) -> None:
    target = await settings_target(update, context)
    service = context.service
    chat_id = target.chat_id
    tag = ":".join(args)
    removed = await call(service.unsubscribe, chat_id, tag)
    language = await chat_language(update, context)
    await update.callback_query.answer(
        render.alert_for_target(render.unfollow_alert(removed, tag, language), target.channel))
    if removed:
        tags = await call(service.subscriptions, chat_id)
        await update.callback_query.edit_message_text(
            render.for_target(render.render_subscriptions(tags, language), target.channel),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(render.tag_buttons(tags, "unsub", render.UNFOLLOW_TAG,
                                                     language)),
        )
