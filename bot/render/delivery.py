"""How news reaches a chat, in words: its delivery mode, quiet hours and silent delivery."""

from __future__ import annotations

from bot.models import ChatSettings
from bot.render.buttons import Button, button
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator
from bot.render.markup import escape

DELIVERY_VERB = "deliver"  # callback data: deliver:<mode>
QUIET_USAGE = N_(
    "Usage: <code>/quiet HH:MM-HH:MM</code> in your timezone, e.g. "
    "<code>/quiet 23:00-07:00</code>, or <code>/quiet off</code>"
)
SILENT_USAGE = N_("Usage: <code>/silent on</code> or <code>/silent off</code>")
_MODES = {
    "instant": N_("Instant: new articles within two minutes, what arrives within a minute "
                  "in one message"),
    "hourly": N_("Hourly: what is new, once an hour"),
    "daily": N_("Daily: one digest at your digest time"),
}
_LABELS = {"instant": N_("Instant"), "hourly": N_("Hourly"), "daily": N_("Daily")}


def render_delivery(chat: ChatSettings, zone: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The chat's delivery mode, quiet hours and sound, with what the buttons do."""
    _ = translator(language).gettext
    lines = [_("<b>News arrives</b> — {mode}.").format(mode=_(_MODES[chat.delivery]))]
    if chat.quiet_start and chat.quiet_end:
        lines.append(_("Quiet hours: {start}–{end} ({zone}); instant and hourly news waits "
                       "and arrives as one message at the end.").format(
                           start=chat.quiet_start, end=chat.quiet_end, zone=escape(zone)))
    else:
        lines.append(_("No quiet hours. Set them with <code>/quiet 23:00-07:00</code>."))
    if chat.silent:
        lines.append(_("News arrives silently (/silent off for a sound)."))
    else:
        lines.append(_("News arrives with a notification (/silent on to mute it)."))
    return "\n".join(lines)


def delivery_buttons(language: str = DEFAULT_LANGUAGE) -> list[Button]:
    """«Instant», «Hourly», «Daily»."""
    _ = translator(language).gettext
    return [b for mode, label in _LABELS.items()
            if (b := button(_(label), DELIVERY_VERB, mode))]


def delivery_alert(chat: ChatSettings, language: str = DEFAULT_LANGUAGE) -> str:
    """A delivery button's answer (plain text)."""
    _ = translator(language).gettext
    return _("News now arrives: {mode}.").format(mode=_(_LABELS[chat.delivery]).lower())
