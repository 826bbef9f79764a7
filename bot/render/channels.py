"""Channels managed from a private chat: /channel's answers, the /channels list and its
buttons, refusals, and the heading that says an answer is about a channel."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import ChannelRefused
from bot.models import Channel
from bot.render.buttons import ALERT_LIMIT, Button, button, clip
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator
from bot.render.markup import escape, fit

CHANNEL_VERB = "chan"  # callback data: chan:<channel id>, or chan:off
CHANNEL_USAGE = N_(
    "Usage: <code>/channel @name</code> (or forward me a post from the channel) — then "
    "/subscribe, /alert, /delivery, /digest_time and the other settings apply to the channel.\n"
    "<code>/channel off</code> — back to this chat. /channels — the channels you manage."
)
_TITLE = 60  # characters of a channel's title shown


# Why a channel was refused (``errors.CHANNEL_REFUSALS``), and what would fix it.
_REFUSALS = {
    "not_found": N_("I can't find the channel {channel}. Check the name, and add me to the "
                    "channel as an administrator first."),
    "not_a_channel": N_("{channel} is not a channel. To post into a group, add me there and "
                        "use the commands in the group."),
    "bot_not_admin": N_("I'm not an administrator of {channel}. Add me to the channel as an "
                        "administrator, then try again."),
    "bot_cannot_post": N_("I may not post in {channel}. Give me the right to post messages in "
                          "the channel's administrator settings."),
    "not_admin": N_("Only the channel's administrators can manage {channel}."),
}


def channel_name(channel: Channel) -> str:
    """The channel's title, and its @username when it has one (HTML-escaped)."""
    title = escape(clip(channel.title, _TITLE))
    return f"{title} (@{escape(channel.username)})" if channel.username else title


def for_target(text: str, channel: Channel | None) -> str:
    """An answer to a settings command, headed by the channel's name when it was about a
    channel managed from a private chat."""
    if channel is None:
        return text
    return fit([f"📣 <b>{channel_name(channel)}</b>", text])


def alert_for_target(text: str, channel: Channel | None) -> str:
    """A button's answer (plain text, at most 200 characters), prefixed with the channel's
    title when the press changed a channel managed from a private chat."""
    if channel is None:
        return text
    return clip(f"📣 {clip(channel.title, 40)}: {text}", ALERT_LIMIT)


def render_channel_selected(channel: Channel, language: str = DEFAULT_LANGUAGE) -> str:
    """/channel @name accepted: what now applies to the channel, and the way back."""
    _ = translator(language).gettext
    return fit([_("Now managing the channel {channel}.").format(channel=channel_name(channel)),
                _("/subscribe, /alert, /delivery, /digest_time and the other settings apply "
                  "to it; /latest and /search stay here. /channel off — back to this chat.")])


def render_channel_status(channel: Channel | None, language: str = DEFAULT_LANGUAGE) -> str:
    """/channel alone: which channel the settings apply to, or how to choose one."""
    _ = translator(language).gettext
    if channel is None:
        return _(CHANNEL_USAGE)
    return fit([_("Settings apply to the channel {channel}. /channel off — back to this "
                  "chat.").format(channel=channel_name(channel))])


def render_channel_off(channel: Channel | None, language: str = DEFAULT_LANGUAGE) -> str:
    """/channel off: settings apply to this chat again."""
    _ = translator(language).gettext
    if channel is None:
        return _("Settings already apply to this chat.")
    return fit([_("No longer managing {channel}; settings apply to this chat again.").format(
        channel=channel_name(channel))])


def render_channels(channels: Sequence[Channel], current: Channel | None,
                    language: str = DEFAULT_LANGUAGE) -> str:
    """/channels: the channels the user manages, the selected one marked."""
    _ = translator(language).gettext
    if not channels:
        return _("You manage no channels yet.") + "\n" + _(CHANNEL_USAGE)
    lines = [_("<b>Your channels</b> (tap one to manage it)")]
    for channel in channels:
        mark = " ✓" if current is not None and channel.chat_id == current.chat_id else ""
        lines.append(f"📣 {channel_name(channel)}{mark}")
    return fit(lines, "\n")


def channel_buttons(channels: Sequence[Channel], current: Channel | None,
                    language: str = DEFAULT_LANGUAGE) -> list[Button]:
    """A button per channel to manage it, and «This chat» while one is managed."""
    buttons = [button(f"📣 {clip(channel.title, 30)}", CHANNEL_VERB, channel.chat_id)
               for channel in channels]
    if current is not None:
        buttons.append(button(translator(language).gettext("This chat"), CHANNEL_VERB, "off"))
    return [b for b in buttons if b]


def render_channel_refused(exc: ChannelRefused, language: str = DEFAULT_LANGUAGE) -> str:
    """Why the channel cannot be managed from here, and what would fix it."""
    return translator(language).gettext(_REFUSALS[exc.reason]).format(
        channel=escape(clip(exc.channel, _TITLE)))


def render_not_channel_admin(channel: Channel, language: str = DEFAULT_LANGUAGE) -> str:
    """A settings command for a managed channel from someone no longer its administrator
    (plain text: it may be a button's alert)."""
    return translator(language).gettext(
        "You are no longer an administrator of {channel}. /channel off — back to this chat."
    ).format(channel=clip(channel.title, _TITLE))
