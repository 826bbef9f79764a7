"""Admin commands: /reimport and /stats, for the users in ADMIN_IDS only."""

from __future__ import annotations

from telegram import Update

from bot import render
from bot.errors import ImportInProgress
from bot.handlers.common import admin_only, call, friendly_errors, reply
from bot.handlers.context import NewsContext

ALREADY_IMPORTING = "An import is already running; I will not start another."


@admin_only
async def reimport_command(update: Update, context: NewsContext) -> None:
    """Re-import the seeds directory and report what changed."""
    service = context.service
    if service.import_running:
        await reply(update, ALREADY_IMPORTING)
        return
    await reply(update, "Re-importing the articles…")
    try:
        report = await call(service.import_seeds)
    except ImportInProgress:
        await reply(update, ALREADY_IMPORTING)
        return
    await reply(update, render.render_import_report(report))


@admin_only
@friendly_errors
async def stats_command(update: Update, context: NewsContext) -> None:
    """Articles, tags, subscribers, last import and database size."""
    stats = await call(context.service.stats)
    await reply(update, render.render_stats(stats))
