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
    preferences  a chat's digest schedule and its language
    i18n       languages, gettext catalogs (bot/locales), plural forms, dates with Babel

Every function that words something takes the chat's ``language`` (default English).
"""

from bot.render.buttons import (
    CALLBACK_LIMIT,
    FOLLOW_TAG,
    UNFOLLOW_TAG,
    Button,
    article_buttons,
    button_rows,
    callback_data,
    clip,
    full_text_label,
    page_buttons,
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
from bot.render.i18n import DEFAULT_LANGUAGE, language_for, languages
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
from bot.render.preferences import (
    LANGUAGE_VERB,
    language_buttons,
    render_language_choice,
    render_language_set,
    render_not_chat_admin,
    render_nothing_new,
    render_schedule,
)
from bot.render.wording import (
    ALREADY_IMPORTING,
    ARTICLE_USAGE,
    CHAT_ADMINS_ONLY,
    DIGEST_TIME_USAGE,
    EXPIRED,
    LATEST_USAGE,
    NO_TAGS_ON_ARTICLE,
    NOT_ADMIN,
    PRIVATE_CHAT_ONLY,
    REIMPORTING,
    SEARCH_USAGE,
    SOMETHING_WRONG,
    SUBSCRIBE_USAGE,
    TIMEZONE_USAGE,
    UNSUBSCRIBE_USAGE,
    USAGES,
    WELCOME,
    error_alert,
    follow_alert,
    inline_notice,
    render_error,
    render_help,
    render_import_report,
    render_no_latest,
    render_no_results,
    render_no_subscriptions,
    render_stats,
    render_subscribed,
    render_subscriptions,
    render_tags,
    render_unsubscribed,
    render_usage,
    render_welcome,
    translate,
    unfollow_alert,
)

__all__ = [
    "ALREADY_IMPORTING", "ARTICLE_USAGE", "CALLBACK_LIMIT", "CHAT_ADMINS_ONLY", "DEFAULT_LANGUAGE",
    "DIGEST_TIME_USAGE", "ELLIPSIS", "EXPIRED", "FOLLOW_TAG", "LANGUAGE_VERB", "LATEST_USAGE",
    "MESSAGE_LIMIT", "NOT_ADMIN", "NO_TAGS_ON_ARTICLE", "PRIVATE_CHAT_ONLY", "REIMPORTING",
    "SEARCH_USAGE", "SOMETHING_WRONG", "SUBSCRIBE_USAGE", "TIMEZONE_USAGE", "UNFOLLOW_TAG",
    "UNSUBSCRIBE_USAGE", "USAGES", "WELCOME", "Button", "ListMessage", "article_buttons",
    "article_header", "button_rows", "callback_data", "clip", "error_alert", "escape", "fit",
    "follow_alert", "format_date", "full_text_label", "highlight", "inline_notice",
    "language_buttons", "language_for", "languages", "pack", "page_buttons", "parse_callback",
    "render_card", "render_digest", "render_error", "render_full_article", "render_help",
    "render_import_report", "render_language_choice", "render_language_set", "render_latest",
    "render_no_latest", "render_no_results", "render_no_subscriptions", "render_not_chat_admin",
    "render_nothing_new", "render_schedule", "render_search_page", "render_stats",
    "render_subscribed", "render_subscriptions", "render_summary", "render_tags",
    "render_unsubscribed", "render_usage", "render_welcome", "shorten", "source_button",
    "source_link", "split", "tag_buttons", "telegram_length", "translate", "unfollow_alert",
]
