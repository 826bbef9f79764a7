"""Chats: followed tags, digest schedules and digests' content, delivery records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.articles import normalise_tags
from bot.errors import EmptyArgument
from bot.models import ChatSettings, Digest, DigestItem
from bot.query import parse_tag_list
from bot.schedule import (
    in_quiet_hours,
    is_due,
    parse_delivery_mode,
    parse_digest_time,
    parse_quiet_hours,
    parse_timezone,
)
from bot.service.stories import StoryService

# Instant delivery waits this long after the first new article, so what arrives within it
# (a feed poll's 40 articles) goes as one message.
INSTANT_BATCH = timedelta(minutes=1)
HOURLY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    added: list[str]
    already: list[str]
    unknown: list[str]  # followed, but no article carries them yet


class ChatService(StoryService):
    """Subscriptions, schedules, digest claims, digests and deliveries."""

    def subscribe(self, chat_id: int, tags_text: str) -> SubscribeResult:
        """Follow the tags of a user's argument text: comma-separated, a quoted tag may
        contain commas (``query.parse_tag_list``). Raises EmptyArgument("tags")."""
        return self.subscribe_tags(chat_id, parse_tag_list(tags_text))

    def subscribe_tags(self, chat_id: int, tags: Sequence[str]) -> SubscribeResult:
        """Follow each of ``tags`` as one tag, commas and all (matched case-insensitively)."""
        wanted = normalise_tags(tags)
        if not wanted:
            raise EmptyArgument("tags")
        already_followed = {t.casefold() for t in self.store.subscriptions(chat_id)}
        display = []
        unknown = []
        for tag in wanted:
            known = self.store.tag_name(tag)
            if known is None:
                unknown.append(tag)
            display.append(known or tag)
        added = self.store.subscribe(chat_id, display, self.clock())
        already = [t for t in display if t.casefold() in already_followed]
        return SubscribeResult(added, already, unknown)

    def unsubscribe(self, chat_id: int, tag: str) -> str | None:
        tag = " ".join(tag.split())
        if not tag:
            raise EmptyArgument("tag")
        return self.store.unsubscribe(chat_id, tag)

    def subscriptions(self, chat_id: int) -> list[str]:
        return self.store.subscriptions(chat_id)

    def touch_chat(self, chat_id: int, language: str | None = None) -> str | None:
        """A chat wrote to us: it is reachable again, and one without a language gets
        ``language`` (its first writer's). Returns the chat's language."""
        return self.store.touch_chat(chat_id, language)

    def chat_language(self, chat_id: int) -> str | None:
        """The chat's interface language; None until someone in it has written."""
        return self.store.chat_language(chat_id)

    def set_chat_language(self, chat_id: int, language: str) -> None:
        """Speak ``language`` (a code the caller knows, e.g. "uk") in the chat from now on."""
        self.store.update_chat(chat_id, language=language)

    # -- digests --------------------------------------------------------------------------

    def chat_settings(self, chat_id: int) -> ChatSettings:
        return self.store.chat_settings(chat_id)

    def chat_timezone(self, chat: ChatSettings) -> str:
        return chat.timezone or self.default_timezone

    def set_digest_time(self, chat_id: int, text: str) -> ChatSettings:
        self.store.update_chat(chat_id, digest_time=parse_digest_time(text))
        return self.store.chat_settings(chat_id)

    def set_timezone(self, chat_id: int, text: str) -> ChatSettings:
        self.store.update_chat(chat_id, timezone=parse_timezone(text))
        return self.store.chat_settings(chat_id)

    def set_digest_enabled(self, chat_id: int, enabled: bool) -> ChatSettings:
        self.store.update_chat(chat_id, digest_enabled=int(enabled))
        return self.store.chat_settings(chat_id)

    def set_delivery(self, chat_id: int, text: str) -> ChatSettings:
        """Deliver the chat's news ``instant``, ``hourly`` or ``daily``; raises
        InvalidQuery("delivery")."""
        self.store.update_chat(chat_id, delivery=parse_delivery_mode(text))
        return self.store.chat_settings(chat_id)

    def set_quiet_hours(self, chat_id: int, text: str) -> ChatSettings:
        """Quiet hours ``HH:MM-HH:MM`` in the chat's timezone, or ``off``; raises
        InvalidQuery("quiet")."""
        hours = parse_quiet_hours(text)
        start, end = hours if hours else (None, None)
        self.store.update_chat(chat_id, quiet_start=start, quiet_end=end)
        return self.store.chat_settings(chat_id)

    def set_silent(self, chat_id: int, silent: bool) -> ChatSettings:
        """Send the chat's news without a notification sound, or with one again."""
        self.store.update_chat(chat_id, silent=int(silent))
        return self.store.chat_settings(chat_id)

    def chat_silent(self, chat_id: int) -> bool:
        return self.store.chat_silent(chat_id)

    def claim_chat(self, chat_id: int, holder: str, now: datetime, ttl_seconds: int,
                   *, is_dead: Callable[[str], bool] = lambda holder: False) -> bool:
        """Take the chat's digest claim for ``holder``; False while another holder has it,
        unless ``is_dead(other_holder)`` says that holder can no longer send."""
        if self.store.claim_chat(chat_id, holder, now, ttl_seconds):
            return True
        other = self.store.chat_claim_holder(chat_id)
        return other is not None and is_dead(other) and self.store.claim_chat(
            chat_id, holder, now, ttl_seconds, replacing=other)

    def release_chat(self, chat_id: int, holder: str) -> None:
        self.store.release_chat(chat_id, holder)

    def mark_unreachable(self, chat_id: int) -> None:
        """The chat blocked the bot or is gone: stop its news, and its forum topics', until it
        writes again (given a topic's destination id, that topic's alone)."""
        self.store.deactivate_chat(chat_id)

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group ``old_chat_id`` is now the supergroup ``new_chat_id``: its subscriptions,
        settings and delivery history move there (nothing is sent twice). False if there was
        nothing to move (already migrated, or a group that never used the bot)."""
        return self.store.migrate_chat(old_chat_id, new_chat_id)

    def digest_chats(self) -> list[ChatSettings]:
        return self.store.digest_chats()

    def due_chats(self, now: datetime) -> list[ChatSettings]:
        """Chats whose news is due by their delivery mode: ``daily``, the digest time has
        come since the previous digest; ``hourly``, an hour has passed since it; ``instant``,
        the first article imported since it is INSTANT_BATCH old. Instant and hourly chats
        wait out their quiet hours, then get what waited as one delivery."""
        first_imports: dict[int, datetime | None] = {}  # many chats share a watermark
        due = []
        for chat in self.store.digest_chats():
            zone = self.chat_timezone(chat)
            if chat.delivery == "daily":
                if is_due(now, chat.last_digest_at, chat.digest_time, zone):
                    due.append(chat)
                continue
            if in_quiet_hours(now, chat.quiet_start, chat.quiet_end, zone):
                continue
            if chat.delivery == "hourly":
                if chat.last_digest_at is None or now - chat.last_digest_at >= HOURLY:
                    due.append(chat)
                continue
            seq = chat.last_digest_seq
            if seq not in first_imports:
                first_imports[seq] = self.store.first_import_after(seq)
            first = first_imports[seq]
            if first is not None and now - first >= INSTANT_BATCH:
                due.append(chat)
        return due

    def build_digest(self, chat_id: int, limit: int = 10) -> Digest:
        """What is new for the chat's tags and saved searches since its previous digest, not
        yet delivered; a story once (``also`` naming its other copies' sources), and none the
        chat already got from another outlet."""
        after, upto = self.store.digest_window(chat_id)
        candidates = self.store.digest_candidates(chat_id, after, upto)
        candidates = self.one_per_story(candidates, lambda candidate: candidate[0])
        shown = candidates[:limit]
        articles = self.with_also([article for article, _, _ in shown])
        summaries = self.summaries(articles)
        items = [DigestItem(a, tags, summaries[a.id], queries)
                 for a, (_, tags, queries) in zip(articles, shown, strict=True)]
        rest = candidates[limit:]
        more_tag = next((tags[0] for _, tags, _ in rest if tags), None)
        return Digest(chat_id, items, len(rest), more_tag, upto)

    def record_deliveries(
        self, records: Sequence[tuple[int, Sequence[str], tuple[int, datetime] | None]]
    ) -> None:
        """Called only after Telegram accepted the messages: for each (chat_id, article_ids,
        finish), record the articles as delivered and, with ``finish`` = (upto_seq, when) after
        a digest's last message, move the chat's watermark as ``finish_digest`` does; all in
        one transaction."""
        if records:
            self.store.record_deliveries(records)

    def finish_digest(self, chat_id: int, upto_seq: int, when: datetime) -> None:
        self.store.finish_digest(chat_id, upto_seq, when)

    def delivered_ids(self, chat_id: int) -> list[str]:
        return self.store.delivered_ids(chat_id)
