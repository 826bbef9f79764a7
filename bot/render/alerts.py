"""Saved searches (alerts): /alert's answers, the /alerts list and its «Remove» buttons."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import SavedAlert
from bot.render.buttons import ALERT_LIMIT, Button, button, clip
from bot.render.i18n import DEFAULT_LANGUAGE, N_, translator
from bot.render.markup import escape, fit

ALERT_USAGE = N_(
    "Usage: <code>/alert QUERY</code> — new articles matching the search come to this chat.\n"
    "Example: <code>/alert Belarus -sport</code> or "
    "<code>/alert \"interest rates\" tag:Economy</code>"
)
REMOVE_ALERT_VERB = "unalert"
_QUERY = 200  # characters of a saved query quoted back


def _quoted(query: str) -> str:
    return "“" + escape(clip(query, _QUERY)) + "”"


def render_alert_saved(alert: SavedAlert, added: bool, language: str = DEFAULT_LANGUAGE) -> str:
    """/alert's answer: saved, or the chat already had the same search."""
    _ = translator(language).gettext
    if added:
        text = _("Saved the search {query}: new articles matching it will come here. "
                 "See /alerts.")
    else:
        text = _("This chat already has the search {query}. See /alerts.")
    return fit([text.format(query=_quoted(alert.query))])


def render_alerts(alerts: Sequence[SavedAlert], language: str = DEFAULT_LANGUAGE) -> str:
    """/alerts: the chat's saved searches, numbered as their «Remove» buttons are."""
    _ = translator(language).gettext
    if not alerts:
        return _("No saved searches yet. Try <code>/alert Belarus -sport</code>.")
    lines = [_("<b>Saved searches</b> (tap to remove one)")]
    lines += [f"{number}. {_quoted(alert.query)}" for number, alert in enumerate(alerts, 1)]
    return fit(lines, "\n")


def alert_buttons(alerts: Sequence[SavedAlert], language: str = DEFAULT_LANGUAGE
                  ) -> list[Button]:
    """A «Remove N» button per saved search, carrying its id."""
    template = translator(language).gettext("Remove {number}")
    buttons = []
    for number, alert in enumerate(alerts, 1):
        made = button(template.format(number=number), REMOVE_ALERT_VERB, alert.id)
        if made:
            buttons.append(made)
    return buttons


def alert_removed(removed: SavedAlert | None, language: str = DEFAULT_LANGUAGE) -> str:
    """A «Remove» button's answer (plain text, within a callback answer's 200 characters)."""
    _ = translator(language).gettext
    if removed is None:
        return _("That search was already removed.")
    return clip(_("Removed the search “{query}”.").format(query=clip(removed.query, 150)),
                ALERT_LIMIT)
