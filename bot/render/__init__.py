"""All user-visible wording for Telegram: HTML escaping, message layout, the one ≤ 4,096-char
packer, callback data.

Every piece of article or user text goes through ``escape`` before it reaches a message, and
every message through ``markup.pack`` or ``markup.fit``, which guarantee Telegram's limit
and well-formed HTML whatever the input. Layout functions return HTML strings (or lists of
them) and plain button descriptions; the handlers turn those into ``telegram`` objects.

    markup     escaping, length, shorten / split / pack / fit: the one cutter
    buttons    Button, callback data (≤ 64 bytes), keyboard rows
    cards      article headers, cards, the full text, search pages
    lists      /latest and digests: numbered items with a keyboard row each
    wording    help, usage, errors, tag lists, reports
"""

from bot.render.buttons import (
    CALLBACK_LIMIT,
    Button,
    article_buttons,
    button_rows,
    callback_data,
    clip,
    parse_callback,
    source_button,
    tag_buttons,
)
from bot.render.cards import (
    article_header,
    format_date,
    highlight,
    render_card,
    render_full_article,
    render_search_page,
    render_summary,
    source_link,
)
from bot.render.lists import ListMessage, render_digest, render_latest
from bot.render.markup import (
    ELLIPSIS,
    MESSAGE_LIMIT,
    escape,
    fit,
    pack,
    shorten,
    split,
    telegram_length,
)
from bot.render.wording import (
    ARTICLE_USAGE,
    DIGEST_TIME_USAGE,
    EXPIRED,
    LATEST_USAGE,
    NOT_ADMIN,
    SEARCH_USAGE,
    SOMETHING_WRONG,
    SUBSCRIBE_USAGE,
    TIMEZONE_USAGE,
    UNSUBSCRIBE_USAGE,
    USAGES,
    WELCOME,
    error_alert,
    follow_alert,
    render_error,
    render_help,
    render_import_report,
    render_no_latest,
    render_no_results,
    render_stats,
    render_subscribed,
    render_subscriptions,
    render_tags,
    render_unsubscribed,
    unfollow_alert,
)

__all__ = [
    "ARTICLE_USAGE", "CALLBACK_LIMIT", "DIGEST_TIME_USAGE", "ELLIPSIS",
    "EXPIRED", "LATEST_USAGE", "MESSAGE_LIMIT", "NOT_ADMIN", "SEARCH_USAGE", "SOMETHING_WRONG",
    "SUBSCRIBE_USAGE", "TIMEZONE_USAGE", "UNSUBSCRIBE_USAGE", "USAGES",
    "WELCOME", "Button", "ListMessage", "article_buttons", "article_header", "button_rows",
    "callback_data", "clip", "error_alert", "escape", "fit", "follow_alert", "format_date",
    "highlight", "pack", "parse_callback", "render_card", "render_digest", "render_error",
    "render_full_article", "render_help", "render_import_report", "render_latest",
    "render_no_latest", "render_no_results", "render_search_page", "render_stats",
    "render_subscribed", "render_subscriptions", "render_summary", "render_tags",
    "render_unsubscribed", "shorten", "source_button", "source_link", "split", "tag_buttons",
    "telegram_length",
    "unfollow_alert",
]
