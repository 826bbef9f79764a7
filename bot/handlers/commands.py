"""The one table of commands, read by registration, ``/help`` and the command menus; and
the one router of button presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update

from bot import render
from bot.errors import NewsbotError
from bot.handlers import admin, digests, feeds, reading, subscriptions
from bot.handlers.common import Handler, reply
from bot.handlers.context import NewsContext


@dataclass(frozen=True, slots=True)
class Command:
    """A command: ``help`` is its line in /help and the menu; None keeps it out of both."""

    name: str
    handler: Handler
    help: str | None
    admin: bool = False


async def help_command(update: Update, context: NewsContext) -> None:
    """List every command this user may use, one line each."""
    user = update.effective_user
    is_admin = context.settings.is_admin(user.id if user else None)
    await reply(update, render.render_help(menu(admin=is_admin)))


COMMANDS: tuple[Command, ...] = (
    Command("start", reading.start_command, None),
    Command("latest", reading.latest_command, "Newest articles: /latest [N] [tag]"),
    Command("search", reading.search_command, 'Search: /search words "a phrase" tag:Economy'),
    Command("article", reading.article_command, "One article in full: /article ID"),
    Command("tags", subscriptions.tags_command, "Most used tags, to follow"),
    Command("subscribe", subscriptions.subscribe_command,
            "Follow tags: /subscribe Economy, Climate"),
    Command("follow", subscriptions.subscribe_command, None),
    Command("unsubscribe", subscriptions.unsubscribe_command,
            "Stop following a tag: /unsubscribe Economy"),
    Command("unfollow", subscriptions.unsubscribe_command, None),
    Command("subscriptions", subscriptions.subscriptions_command, "The tags you follow"),
    Command("help", help_command, "Every command"),
    Command("digest", digests.digest_command, "Your digest of followed tags, now"),
    Command("digest_time", digests.digest_time_command,
            "When your daily digest arrives: /digest_time 08:00"),
    Command("timezone", digests.timezone_command, "Your timezone: /timezone Europe/Kyiv"),
    Command("digest_off", digests.digest_off_command, "Pause daily digests"),
    Command("digest_on", digests.digest_on_command, "Resume daily digests"),
    Command("reimport", admin.reimport_command, "Admin: re-import the seed articles",
            admin=True),
    Command("stats", admin.stats_command, "Admin: store statistics", admin=True),
    Command("feeds", feeds.feeds_command, "Admin: followed feeds, failing ones marked",
            admin=True),
    Command("addfeed", feeds.addfeed_command, "Admin: follow a feed: /addfeed URL [tags]",
            admin=True),
    Command("removefeed", feeds.removefeed_command, "Admin: stop following: /removefeed ID",
            admin=True),
    Command("pollnow", feeds.pollnow_command, "Admin: poll every feed now", admin=True),
)


def menu(*, admin: bool) -> list[tuple[str, str]]:
    """(command, help line) for /help and set_my_commands: everyone's, and admins' too."""
    return [(c.name, c.help) for c in COMMANDS
            if c.help is not None and (admin or not c.admin)]


ButtonHandler = Callable[[Update, NewsContext, list[str]], Awaitable[None]]

BUTTONS: dict[str, ButtonHandler] = {
    "full": reading.full_text_button,
    "open": reading.open_button,
    "page": reading.search_page_button,
    "follow": subscriptions.follow_button,
    "tag": subscriptions.tag_button,
    "unsub": subscriptions.unsubscribe_button,
    "feeds": feeds.feeds_page_button,
    "rmfeed": feeds.remove_feed_button,
}


async def button(update: Update, context: NewsContext) -> None:
    """Route every callback query by its verb; unknown, stale or forged data, and a button
    whose message Telegram no longer shows, get a short answer."""
    query = update.callback_query
    verb, args = render.parse_callback(query.data)
    handler = BUTTONS.get(verb)
    if handler is None or not args or update.effective_chat is None:
        await query.answer(render.EXPIRED, show_alert=True)
        return
    try:
        await handler(update, context, args)
    except NewsbotError as exc:
        await query.answer(render.error_alert(exc), show_alert=True)
