"""Typed shared state: ``BotData`` in ``context.bot_data``, through python-telegram-bot's
``ContextTypes`` (as its contexttypesbot example does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.handlers.chat_admins import ChatAdmins

if TYPE_CHECKING:
    from bot.digests import DigestSender
    from bot.feeds.job import FeedPolling
    from bot.service import NewsService


@dataclass
class BotData:
    """What every handler shares; ``build_application`` fills it in before the bot starts.

    python-telegram-bot creates it without arguments, hence the defaults.
    """

    service: NewsService | None = None
    settings: Settings = field(default_factory=Settings)
    digests: DigestSender | None = None
    chat_admins: ChatAdmins = field(default_factory=ChatAdmins)
    feeds: FeedPolling | None = None


class NewsContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """The handlers' context: ``context.service``, ``context.settings``, ``context.digests``,
    ``context.chat_admins``, ``context.feeds``."""

    def __init__(self, application: Application, chat_id: int | None = None,
                 user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def service(self) -> NewsService:
        service = self.bot_data.service
        if service is None:
            raise RuntimeError("BotData.service is unset: build the bot with build_application")
        return service

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def chat_admins(self) -> ChatAdmins:
        return self.bot_data.chat_admins

    @property
    def digests(self) -> DigestSender:
        sender = self.bot_data.digests
        if sender is None:
            raise RuntimeError("BotData.digests is unset: build the bot with build_application")
        return sender

    @property
    def feeds(self) -> FeedPolling:
        polling = self.bot_data.feeds
        if polling is None:
            raise RuntimeError("BotData.feeds is unset: build the bot with build_application")
        return polling


CONTEXT_TYPES = ContextTypes(context=NewsContext, bot_data=BotData)
