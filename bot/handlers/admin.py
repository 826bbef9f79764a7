"""Admin commands: /reimport and /stats, for the users in ADMIN_IDS only."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.errors import ImportInProgress
from bot.handlers.common import admin_only, call, chat_language, friendly_errors, reply
from bot.handlers.context import NewsContext


@admin_only
async def reimport_command(update: Update, context: NewsContext) -> None:
    """Re-import the seeds directory and report what changed."""
    service = context.service
    language = await chat_language(update, context)
    already = render.translate(render.ALREADY_IMPORTING, language)
    if service.import_running:
        await reply(update, already)
        return
    await reply(update, render.translate(render.REIMPORTING, language))
    try:
        report = await call(service.import_seeds)
    except ImportInProgress:
        await reply(update, already)
        return
    await reply(update, render.render_import_report(report, language=language))


@admin_only
@friendly_errors
async def stats_command(update: Update, context: NewsContext) -> None:
    """Articles, tags, subscribers, last import and database size."""
    stats = await call(context.service.stats)
    await reply(update, render.render_stats(stats, await chat_language(update, context)))
