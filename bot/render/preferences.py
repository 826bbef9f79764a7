"""A chat's preferences in words: its digest schedule and its interface language."""

from __future__ import annotations

from datetime import datetime

from bot.render.buttons import Button, callback_data
from bot.render.i18n import DEFAULT_LANGUAGE, N_, language_name, languages, translator
from bot.render.markup import escape

LANGUAGE_VERB = "lang"  # callback data: lang:<code>
# A CLDR pattern, translated per language: the next digest's weekday, day and time.
NEXT_DIGEST_PATTERN = N_("EEE d MMM, HH:mm")


def render_schedule(enabled: bool, digest_time: str, zone: str, upcoming: datetime,
                    language: str = DEFAULT_LANGUAGE) -> str:
    """When the chat's daily digest arrives (``upcoming`` in the chat's timezone), or that
    digests are off."""
    t = translator(language)
    if not enabled:
        return t.gettext("Daily digests are off. /digest_on turns them back on.")
    return t.gettext("Your digest arrives daily at {time} ({zone}); next: {next}.").format(
        time=digest_time, zone=escape(zone),
        next=escape(t.format_datetime(upcoming, NEXT_DIGEST_PATTERN)))


def render_nothing_new(language: str = DEFAULT_LANGUAGE) -> str:
    """/digest when nothing is new for the chat's tags."""
    return translator(language).gettext(
        "Nothing new for your tags since your last digest. /latest shows the newest articles.")


def render_digest_posted(language: str = DEFAULT_LANGUAGE) -> str:
    """/digest for a managed channel: the digest went to the channel."""
    return translator(language).gettext("Posted the digest in the channel.")


def render_language_choice(language: str = DEFAULT_LANGUAGE) -> str:
    """/language: the question above the buttons."""
    return translator(language).gettext(
        "The bot speaks {language} in this chat. Choose a language:").format(
            language=escape(language_name(language)))


def language_buttons() -> list[Button]:
    """One button per language, each labelled in its own language."""
    return [Button(language_name(code), data) for code in languages()
            if (data := callback_data(LANGUAGE_VERB, code))]


def render_language_set(language: str) -> str:
    """The answer to a language button, in the language chosen."""
    return translator(language).gettext("From now on I speak {language} here.").format(
        language=escape(language_name(language)))


def render_not_chat_admin(language: str = DEFAULT_LANGUAGE) -> str:
    """A language button pressed in a group by someone who is not its admin (plain text)."""
    return translator(language).gettext("Only this chat's administrators can change its language.")
