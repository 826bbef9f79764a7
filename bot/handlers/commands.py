"""The one table of commands, read by registration, ``/help`` and the command menus; and
the one router of button presses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update

from bot import render
from bot.errors import NewsbotError
from bot.handlers import (
    admin,
    alerts,
    channels,
    delivery,
    digests,
    feeds,
    language,
    reading,
    subscriptions,
)
from bot.handlers.common import Handler, chat_language, is_private, reply
from bot.handlers.context import NewsContext
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator


@dataclass(frozen=True, slots=True)
class Command:
    """A command: ``help`` is its line in /help and the menu (an English msgid, translated
    by ``menu``); None keeps it out of both. ``private``: used only in a private chat, so
    groups' menus and /help leave it out."""

    name: str
    handler: Handler
    help: str | None
    admin: bool = False
    private: bool = False


async def help_command(update: Update, context: NewsContext) -> None:
    """List every command this user may use, one line each; a group sees everyone's only
    (who administers the bot is nobody else's business) and none of the private chat's."""
    user = update.effective_user
    private = is_private(update)
    is_admin = private and context.settings.is_admin(user.id if user else None)
    language = await chat_language(update, context)
    commands = menu(admin=is_admin, language=language, group=not private)
    await reply(update, render.render_help(commands, language))


COMMANDS: tuple[Command, ...] = (
    Command("start", reading.start_command, None),
    Command("latest", reading.latest_command, N_("Newest articles: /latest [N] [tag]")),
    Command("search", reading.search_command, N_('Search: /search words "a phrase" tag:Economy')),
    Command("article", reading.article_command, N_("One article in full: /article ID")),
    Command("tags", subscriptions.tags_command, N_("Most used tags, to follow")),
    Command("subscribe", subscriptions.subscribe_command,
            N_("Follow tags: /subscribe Economy, Climate")),
    Command("follow", subscriptions.subscribe_command, None),
    Command("unsubscribe", subscriptions.unsubscribe_command,
            N_("Stop following a tag: /unsubscribe Economy")),
    Command("unfollow", subscriptions.unsubscribe_command, None),
    Command("subscriptions", subscriptions.subscriptions_command, N_("The tags you follow")),
    Command("alert", alerts.alert_command,
            N_("Save a search; new matches come here: /alert Belarus -sport")),
    Command("alerts", alerts.alerts_command, N_("Your saved searches, to remove")),
    Command("help", help_command, N_("Every command")),
    Command("digest", digests.digest_command, N_("Your digest of followed tags, now")),
    Command("digest_time", digests.digest_time_command,
            N_("When your daily digest arrives: /digest_time 08:00")),
    Command("timezone", digests.timezone_command, N_("Your timezone: /timezone Europe/Kyiv")),
    Command("digest_off", digests.digest_off_command, N_("Pause daily digests")),
    Command("digest_on", digests.digest_on_command, N_("Resume daily digests")),
    Command("delivery", delivery.delivery_command,
            N_("How news arrives: instant, hourly or daily")),
    Command("quiet", delivery.quiet_command, N_("Quiet hours: /quiet 23:00-07:00 or off")),
    Command("silent", delivery.silent_command, N_("News without a sound: /silent on|off")),
    Command("language", language.language_command, N_("The bot's language in this chat")),
    Command("channel", channels.channel_command,
            N_("Manage a channel from here: /channel @name, or off"), private=True),
    Command("channels", channels.channels_command, N_("The channels you manage"),
            private=True),
    Command("reimport", admin.reimport_command, N_("Admin: re-import the seed articles"),
            admin=True),
    Command("stats", admin.stats_command, N_("Admin: store statistics"), admin=True),
    Command("feeds", feeds.feeds_command, N_("Admin: followed feeds, failing ones marked"),
            admin=True),
    Command("addfeed", feeds.addfeed_command, N_("Admin: follow a feed: /addfeed URL [tags]"),
            admin=True),
    Command("removefeed", feeds.removefeed_command,
            N_("Admin: stop following: /removefeed ID"), admin=True),
    Command("pollnow", feeds.pollnow_command, N_("Admin: poll every feed now"), admin=True),
)


def menu(*, admin: bool, language: str = DEFAULT_LANGUAGE,
         group: bool = False) -> list[tuple[str, str]]:
    """(command, help line in ``language``) for /help and set_my_commands: everyone's, and
    admins' too; in a ``group``, without the private chat's own."""
    _ = translator(language).gettext
    return [(c.name, _(c.help)) for c in COMMANDS
            if c.help is not None and (admin or not c.admin) and not (group and c.private)]


ButtonHandler = Callable[[Update, NewsContext, list[str]], Awaitable[None]]

BUTTONS: dict[str, ButtonHandler] = {
    "full": reading.full_text_button,
    "open": reading.open_button,
    "page": reading.search_page_button,
    "follow": subscriptions.follow_button,
    "tag": subscriptions.tag_button,
    "unsub": subscriptions.unsubscribe_button,
    render.REMOVE_ALERT_VERB: alerts.remove_alert_button,
    render.DELIVERY_VERB: delivery.delivery_button,
    render.LANGUAGE_VERB: language.language_button,
    render.CHANNEL_VERB: channels.channel_button,
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
        language = await chat_language(update, context)
        await query.answer(render.translate(render.EXPIRED, language), show_alert=True)
        return
    try:
        await handler(update, context, args)
    except NewsbotError as exc:
        language = await chat_language(update, context)
        await query.answer(render.error_alert(exc, language), show_alert=True)
