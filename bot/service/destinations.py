"""Destinations beyond a chat itself: forum topics, each following its own tags and saved
searches, and channels, whose settings are changed from an administrator's private chat.

A destination is named by one id everywhere a chat is (``ChatService``, ``AlertService``):
a chat's own id, a channel's id, or a topic's id from ``topic_destination``.
Checking that someone administers a channel is Telegram's business (``bot.handlers``)."""

from __future__ import annotations

from bot.models import Channel, ChatAddress
from bot.service.base import ServiceBase


class DestinationService(ServiceBase):
    """Forum topics and managed channels."""

    def topic_destination(self, chat_id: int, thread_id: int) -> int:
        """The destination id of one topic of a forum; a new topic starts with the forum's
        delivery settings and follows nothing."""
        return self.store.topic_destination(chat_id, thread_id)

    def chat_address(self, destination: int) -> ChatAddress:
        """Where to send the destination's news on Telegram."""
        return self.store.chat_address(destination)

    def manage_channel(self, user_chat_id: int, channel: Channel,
                       language: str | None = None) -> None:
        """Called once Telegram confirmed that the user and the bot administer ``channel``
        and the bot may post there: settings commands in the user's private chat apply to the
        channel from now on. The channel posts in ``language`` from now on (None: as
        before)."""
        self.store.manage_channel(user_chat_id, channel, language)

    def stop_managing(self, user_chat_id: int) -> Channel | None:
        """Settings commands apply to the private chat again; the channel they applied to."""
        return self.store.stop_managing(user_chat_id)

    def managed_channel(self, user_chat_id: int) -> Channel | None:
        return self.store.managed_channel(user_chat_id)

    def channels_managed_by(self, user_id: int) -> list[Channel]:
        return self.store.channels_managed_by(user_id)

    def forget_channel(self, user_id: int, channel_id: int) -> None:
        """The user no longer administers the channel: off their list, and unselected."""
        self.store.forget_channel(user_id, channel_id)
