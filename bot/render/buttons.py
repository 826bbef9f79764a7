"""Inline keyboard buttons: their labels and callback data, always within Telegram's limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram.constants import CallbackQueryLimit, InlineKeyboardButtonLimit

from bot.models import Article, TagCount
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator

CALLBACK_LIMIT = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64 bytes
# Characters in a button's answer (a callback query's alert or notice): 200.
ALERT_LIMIT = int(CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH)
FOLLOW_TAG = N_("Follow {tag}")  # tag buttons' labels
UNFOLLOW_TAG = N_("Unfollow {tag}")
URL_LIMIT = 2048  # characters of a link we show; longer ones are left out


def is_linkable(url: str) -> bool:
    """Whether ``url`` may become a link or a URL button: http(s), not absurdly long (a
    javascript: or data: link must never reach a message)."""
    return url.lower().startswith(("http://", "https://")) and len(url) <= URL_LIMIT


@dataclass(frozen=True, slots=True)
class Button:
    """A callback button (``data``) or, with ``url`` set, a link button."""

    text: str
    data: str | None
    url: str | None = None


def clip(text: str, size: int = 40) -> str:
    """Plain text cut to ``size`` characters, with «…» when cut."""
    return text if len(text) <= size else text[: size - 1] + "…"


def callback_data(verb: str, *args: object) -> str | None:
    """``verb:arg:arg``, or None when it would not fit Telegram's 64-byte limit."""
    data = ":".join([verb, *(str(a) for a in args)])
    return data if len(data.encode("utf-8")) <= CALLBACK_LIMIT else None


def parse_callback(data: str | None) -> tuple[str, list[str]]:
    """Split callback data into its verb and arguments (the last may contain ':')."""
    verb, _, rest = (data or "").partition(":")
    return verb, rest.split(":") if rest else []


def button(text: str, verb: str, *args: object) -> Button | None:
    """A button, or None when its callback data would not fit."""
    data = callback_data(verb, *args)
    return Button(text, data) if data else None


def button_rows(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    """Buttons laid out ``per_row`` to a keyboard row."""
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def full_text_label(number: int | None = None, language: str = DEFAULT_LANGUAGE) -> str:
    """«Full text», or «Full text N» for the Nth item of a list."""
    _ = translator(language).gettext
    return _("Full text") if number is None else _("Full text {number}").format(number=number)


def start_link(bot_username: str, payload: str) -> str | None:
    """A link that opens a private chat with the bot and sends ``/start payload``; None when
    ``payload`` is not a start parameter (1-64 of ``A-Z a-z 0-9 _ -``)."""
    if not (1 <= len(payload) <= 64 and payload.isascii()
            and payload.replace("_", "").replace("-", "").isalnum()):
        return None
    return f"https://t.me/{bot_username}?start={payload}"


def full_text_link(article: Article, bot_username: str, number: int | None = None,
                   language: str = DEFAULT_LANGUAGE) -> Button | None:
    """«Full text» as a link to the article in a private chat with the bot, for a channel's
    posts: a callback button there would post the article into the channel for everyone."""
    url = start_link(bot_username, article.id)
    return Button(full_text_label(number, language), None, url) if url else None


def source_button(article: Article, number: int | None = None,
                  language: str = DEFAULT_LANGUAGE) -> Button | None:
    """«Read at source», a link to the article's page; None without an http(s) url."""
    if not is_linkable(article.url):
        return None
    _ = translator(language).gettext
    label = (_("Read at source") if number is None
             else _("Read at source {number}").format(number=number))
    return Button(label, None, article.url)


def article_buttons(article: Article, number: int | None = None,
                    language: str = DEFAULT_LANGUAGE) -> list[Button]:
    """«Full text», «Follow ‹first tag›» and «Read at source» (when the article has a page);
    the follow button carries the article id, so a tag is followed whole whatever it
    contains."""
    buttons = [button(full_text_label(number, language), "full", article.id)]
    if article.tags:
        label = translator(language).gettext(FOLLOW_TAG).format(tag=clip(article.tags[0], 24))
        buttons.append(button(label, "follow", article.id))
    buttons.append(source_button(article, number, language))
    return [b for b in buttons if b]


def page_buttons(previous: str | None, following: str | None,
                 language: str = DEFAULT_LANGUAGE) -> list[Button]:
    """«‹ Prev» and «Next ›» for a page of results, each given its callback data (or None
    for no such button)."""
    _ = translator(language).gettext
    labels = ((_("‹ Prev"), previous), (_("Next ›"), following))
    return [Button(text, data) for text, data in labels if data]


def tag_buttons(tags: Iterable[TagCount | str], verb: str, label: str = FOLLOW_TAG,
                language: str = DEFAULT_LANGUAGE) -> list[Button]:
    """One button per tag, carrying the whole tag, labelled by ``label`` (an English msgid
    with ``{tag}``, e.g. ``FOLLOW_TAG``) in ``language``; a tag too long for callback data
    gets no button."""
    template = translator(language).gettext(label)
    buttons = []
    for tag in tags:
        name = tag.name if isinstance(tag, TagCount) else tag
        made = button(template.format(tag=clip(name, 30)), verb, name)
        if made:
            buttons.append(made)
    return buttons
