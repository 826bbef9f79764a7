"""A Telegram Bot API stand-in: an HTTP server on 127.0.0.1 for end-to-end tests and benchmarks.

The real newsbot application talks to it through python-telegram-bot's ``base_url``
(``TELEGRAM_BASE_URL``), exactly as it would talk to Telegram. Tests play the users: they
push updates (messages, button presses, inline queries), which the bot receives by long
polling ``getUpdates``, and read what the bot sent. Like Telegram, it rejects malformed HTML
(400 «can't parse entities»), texts over 4,096 characters, callback data over 64 bytes, and a
reply to a message the chat never had; it can also answer with 429 or 403 on demand, enforce
Telegram's flood limits, or hang part-way through a broadcast so a test can kill the sender at a
known point.

Chats: a positive id is a private chat, a negative one a group unless ``add_group`` made it a
supergroup. ``set_member`` gives users a status there, which ``getChatMember`` answers (anyone
else is a "member"). ``push_migration`` upgrades a group to a supergroup as Telegram does (two
service messages, then sends to the old id answered 400 with ``migrate_to_chat_id``);
``kick_bot`` removes the bot from a group (a ``my_chat_member`` update, then sends answered 403).

Standard library only; one thread per connection, keep-alive on.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_ENTITY_TEXT = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
# Parameters python-telegram-bot sends JSON-encoded inside form data.
_JSON_FIELDS = {
    "reply_markup", "results", "commands", "scope", "allowed_updates", "entities",
    "link_preview_options", "reply_parameters", "button",
}
MESSAGE_LIMIT = 4096
CALLBACK_LIMIT = 64
GROUP_ANONYMOUS_BOT = 1087968824  # Telegram's @GroupAnonymousBot: the sender of anonymous admins


class APIError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message, or APIError 400 as Telegram would."""
    visible: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if not match:
                raise APIError(400, "Bad Request: can't parse entities: Unsupported start tag "
                                    f"at byte offset {len(text[:position].encode())}")
            closing, name = match[1] == "/", match[2].lower()
            if name not in ALLOWED_TAGS:
                raise APIError(400, f'Bad Request: can\'t parse entities: Unsupported start tag '
                                    f'"{name}" at byte offset {len(text[:position].encode())}')
            if closing:
                if not stack or stack[-1] != name:
                    raise APIError(400, "Bad Request: can't parse entities: Unmatched end tag at "
                                        f'byte offset {len(text[:position].encode())}, expected '
                                        f'"</{stack[-1] if stack else ""}>", found "</{name}>"')
                stack.pop()
            else:
                stack.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if not match:
                raise APIError(400, "Bad Request: can't parse entities: Can't find end of the "
                                    f"entity starting at byte offset "
                                    f"{len(text[:position].encode())}")
            entity = match[0]
            if entity in _ENTITY_TEXT:
                visible.append(_ENTITY_TEXT[entity])
            else:
                code = entity[3:-1] if entity[2] in "xX" else entity[2:-1]
                visible.append(chr(int(code, 16 if entity[2] in "xX" else 10)))
            position = match.end()
        else:
            visible.append(char)
            position += 1
    if stack:
        raise APIError(400, "Bad Request: can't parse entities: Can't find end tag "
                            f'corresponding to start tag "{stack[-1]}"')
    return "".join(visible)


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str                 # what the user sees
    html: str                 # what the bot sent
    parse_mode: str | None
    reply_markup: dict | None
    at: float
    edits: list[str] = field(default_factory=list)
    reply_to: int | None = None  # the message_id it answers (reply_parameters)
    thread_id: int | None = None  # the forum topic it was sent into (message_thread_id)

    @property
    def buttons(self) -> list[dict]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, text: str) -> dict:
        for candidate in self.buttons:
            if candidate["text"] == text or candidate["text"].startswith(text):
                return candidate
        raise AssertionError(f"no button {text!r} in {[b['text'] for b in self.buttons]}")


class BotAPIStandIn:
    """A fake Telegram Bot API. Use as a context manager; pass ``base_url`` to the bot."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        port: int = 0,
        username: str = "newsbot_test_bot",
        enforce_flood_limits: bool = False,
        per_chat_limit: bool = False,
    ) -> None:
        self.token = token
        self.port = port
        self.username = username
        self.enforce_flood_limits = enforce_flood_limits
        self.per_chat_limit = per_chat_limit
        self._lock = threading.Condition()
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self.last_update_id = 0
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self.sent: list[SentMessage] = []
        self.requests: list[tuple[str, dict]] = []
        self.callback_answers: dict[str, dict] = {}
        self.inline_answers: dict[str, dict] = {}
        self.commands: dict[str, list[dict]] = {}
        self.supergroups: set[int] = set()
        self.forums: set[int] = set()  # supergroups with topics
        self._deleted_topics: set[tuple[int, int]] = set()
        self.channels: dict[int, dict] = {}  # id → {"title", "username"}
        self._bot_can_post: dict[int, bool] = {}  # channel id → the bot's can_post_messages
        self.members: dict[tuple[int, int], str] = {}  # (chat id, user id) → status
        self._migrated: dict[int, int] = {}  # old group id → its supergroup's id
        self._said: set[tuple[int, int]] = set()  # (chat id, message id) users sent
        self.last_said: dict[int, int] = {}  # chat id → the id of the last message users sent
        self.rejected: list[tuple[str, int, str]] = []  # (method, code, description)
        self.too_many_requests = 0
        self._blocked: dict[int, tuple[int, str]] = {}
        self._retry_after_budget = 0
        self._retry_after_seconds = 1
        self._hang_after: int | None = None
        self._fail_budget = 0
        self._fail_code = 502
        self._release = threading.Event()
        self._recent_sends: deque[float] = deque()
        self._last_send_per_chat: dict[int, float] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Called with each accepted message, outside the lock (benchmarks time replies here).
        self.on_message: list[Callable[[SentMessage], None]] = []

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> BotAPIStandIn:
        standin = self

        class Handler(_RequestHandler):
            api = standin

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="botapi-standin")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        with self._lock:
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def __enter__(self) -> BotAPIStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's ``base_url`` takes: it appends ``<token>/<method>``."""
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -- playing the users --------------------------------------------------------------------

    def _push(self, update: dict) -> int:
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self.last_update_id = update["update_id"]
            self._updates.append(update)
            self._lock.notify_all()
            return update["update_id"]

    def acknowledged(self, update_id: int) -> bool:
        """Has the bot fetched ``update_id`` (a later getUpdates asked for what follows it)?
        Its handlers may still be running."""
        with self._lock:
            return any(method == "getUpdates" and int(params.get("offset") or 0) > update_id
                       for method, params in self.requests)

    @staticmethod
    def _user(user_id: int, first_name: str = "Tester", language_code: str = "en") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": first_name,
                "language_code": language_code}

    def _chat(self, chat_id: int) -> dict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Tester"}
        if chat_id in self.channels:
            channel = self.channels[chat_id]
            return {"id": chat_id, "type": "channel", "title": channel["title"],
                    **({"username": channel["username"]} if channel["username"] else {})}
        kind = "supergroup" if chat_id in self.supergroups else "group"
        chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        if chat_id in self.forums:
            chat["is_forum"] = True
        return chat

    def add_group(self, chat_id: int, *, supergroup: bool = False, forum: bool = False,
                  members: dict[int, str] | None = None) -> None:
        """A group (or supergroup; a ``forum`` is a supergroup with topics) whose users have
        the given statuses ("creator", "administrator", "member", "left", "kicked")."""
        assert chat_id < 0, "group ids are negative"
        with self._lock:
            if supergroup or forum:
                self.supergroups.add(chat_id)
            if forum:
                self.forums.add(chat_id)
            for user_id, status in (members or {}).items():
                self.members[chat_id, user_id] = status

    def add_channel(self, chat_id: int, title: str, username: str | None = None, *,
                    members: dict[int, str] | None = None, bot_status: str = "administrator",
                    bot_can_post: bool = True) -> None:
        """A channel (found by getChat as ``@username`` or by id) whose users have the given
        statuses, and in which the bot has ``bot_status`` and, as an administrator,
        ``can_post_messages`` = ``bot_can_post``."""
        assert str(chat_id).startswith("-100"), "channel ids start with -100"
        with self._lock:
            self.channels[chat_id] = {"title": title, "username": username}
            self.members[chat_id, self._bot_user()["id"]] = bot_status
            self._bot_can_post[chat_id] = bot_can_post
            for user_id, status in (members or {}).items():
                self.members[chat_id, user_id] = status

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """The forum's topic is deleted: sends into it fail with "message thread not found"."""
        with self._lock:
            self._deleted_topics.add((chat_id, thread_id))

    def set_member(self, chat_id: int, user_id: int, status: str, *,
                   update: bool = False) -> None:
        """Promote, demote or remove a user: what getChatMember answers from now on; with
        ``update``, a ``chat_member`` update tells the bot, as Telegram tells a bot that
        administers the group."""
        with self._lock:
            old = self.members.get((chat_id, user_id), "member")
            self.members[chat_id, user_id] = status
        if update:
            self._push({"chat_member": self._member_change(
                chat_id, self._user(user_id), self._user(user_id), old, status)})

    def _member_change(self, chat_id: int, by: dict, user: dict, old: str, new: str) -> dict:
        def member(status: str) -> dict:
            if status == "administrator":
                return self._administrator(user, chat_id)
            extra = {"is_anonymous": False} if status == "creator" else (
                {"until_date": 0} if status == "kicked" else {})
            return {"status": status, "user": user, **extra}

        return {"chat": self._chat(chat_id), "from": by, "date": int(time.time()),
                "old_chat_member": member(old), "new_chat_member": member(new)}

    def _administrator(self, user: dict, chat_id: int | None = None) -> dict:
        member: dict[str, Any] = {"status": "administrator", "user": user}
        if chat_id in self.channels:
            member["can_post_messages"] = (self._bot_can_post.get(chat_id, True)
                                           if user["id"] == self._bot_user()["id"] else True)
        member.update(dict.fromkeys((
            "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
            "can_restrict_members", "can_invite_users", "can_pin_messages"), True))
        member.update(dict.fromkeys((
            "can_be_edited", "is_anonymous", "can_promote_members", "can_change_info",
            "can_post_stories", "can_edit_stories", "can_delete_stories"), False))
        return member

    def chat_member_lookups(self, chat_id: int) -> int:
        """How many times the bot asked getChatMember about ``chat_id``."""
        with self._lock:
            return sum(1 for method, params in self.requests
                       if method == "getChatMember" and int(params["chat_id"]) == chat_id)

    def _push_message(self, chat_id: int, sender: dict, fields: dict[str, Any]) -> int:
        message_id = next(self._message_ids)
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()),
                                   "chat": self._chat(chat_id), "from": sender, **fields}
        with self._lock:
            self._said.add((chat_id, message_id))
            self.last_said[chat_id] = message_id
        return self._push({"message": message})

    def push_message(self, chat_id: int, text: str, *, user_id: int | None = None,
                     first_name: str = "Tester", language_code: str = "en",
                     anonymous_admin: bool = False, thread_id: int | None = None) -> int:
        """A user (whose Telegram speaks ``language_code``) writes ``text``; a leading
        /command gets its bot_command entity. ``anonymous_admin``: an administrator of the
        group writes as the group itself, as Telegram sends it (from @GroupAnonymousBot,
        ``sender_chat`` the group)."""
        fields: dict[str, Any] = {"text": text}
        if thread_id is not None:  # written in a forum topic
            fields.update(message_thread_id=thread_id, is_topic_message=True)
        if anonymous_admin:
            sender = {"id": GROUP_ANONYMOUS_BOT, "is_bot": True, "first_name": "Group",
                      "username": "GroupAnonymousBot"}
            fields["sender_chat"] = self._chat(chat_id)
        else:
            sender = self._user(user_id or chat_id, first_name, language_code)
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
            ]
        return self._push_message(chat_id, sender, fields)

    def push_forward(self, user_id: int, channel_id: int) -> int:
        """The user forwards one of the channel's posts to the bot, in their private chat."""
        origin = {"type": "channel", "chat": self._chat(channel_id), "message_id": 77,
                  "date": int(time.time())}
        return self._push_message(user_id, self._user(user_id),
                                  {"text": "A post", "forward_origin": origin})

    def push_migration(self, group_id: int, supergroup_id: int, *, user_id: int) -> None:
        """``user_id`` upgrades the group to a supergroup: Telegram's two service messages
        (``migrate_to_chat_id`` in the group, ``migrate_from_chat_id`` in the supergroup); sends
        to the group's id fail from now on with 400 and ``migrate_to_chat_id``."""
        with self._lock:
            self.supergroups.add(supergroup_id)
            self._migrated[group_id] = supergroup_id
            for (chat_id, member), status in list(self.members.items()):
                if chat_id == group_id:
                    self.members[supergroup_id, member] = status
        user = self._user(user_id)
        self._push_message(group_id, user, {"migrate_to_chat_id": supergroup_id})
        self._push_message(supergroup_id, user, {"migrate_from_chat_id": group_id})

    def kick_bot(self, chat_id: int, *, user_id: int, update: bool = True) -> None:
        """``user_id`` removes the bot from the group: sends there fail with 403 from now on;
        with ``update``, the bot is told by a ``my_chat_member`` update, as Telegram does."""
        kind = self._chat(chat_id)["type"]
        self.block_chat(chat_id, 403, f"Forbidden: bot was kicked from the {kind} chat")
        if update:
            self._push({"my_chat_member": self._member_change(
                chat_id, self._user(user_id), self._bot_user(), "member", "kicked")})

    def set_bot_can_post(self, channel_id: int, can_post: bool, *, user_id: int) -> None:
        """``user_id`` takes away (or gives back) the bot's right to post in the channel:
        posts fail with 400 meanwhile, and a ``my_chat_member`` update tells the bot."""
        with self._lock:
            self._bot_can_post[channel_id] = can_post
            if can_post:
                self._blocked.pop(channel_id, None)
            else:
                self._blocked[channel_id] = (
                    400, "Bad Request: need administrator rights in the channel chat")
        self._push({"my_chat_member": self._member_change(
            channel_id, self._user(user_id), self._bot_user(), "administrator",
            "administrator")})

    def add_bot(self, chat_id: int, *, user_id: int) -> None:
        """``user_id`` adds the bot (back) to the group: sends work again, and a
        ``my_chat_member`` update tells the bot."""
        with self._lock:
            self._blocked.pop(chat_id, None)
        self._push({"my_chat_member": self._member_change(
            chat_id, self._user(user_id), self._bot_user(), "left", "member")})

    def push_callback(self, message: SentMessage | None, data: str, *,
                      user_id: int | None = None, language_code: str = "en") -> str:
        """A user presses a button (or forges ``data``) under one of the bot's messages; with
        ``message`` None, under an inline message, as Telegram sends it without a message."""
        callback_id = str(next(self._callback_ids))
        query: dict[str, Any] = {
            "id": callback_id,
            "from": self._user(user_id or (message.chat_id if message else 1),
                               language_code=language_code),
            "chat_instance": f"ci{message.chat_id if message else 0}",
            "data": data,
        }
        if message is None:
            query["inline_message_id"] = f"inline{callback_id}"
        else:
            query["message"] = self._message_json(message)
        self._push({"callback_query": query})
        return callback_id

    def press(self, message: SentMessage, button_text: str, *, user_id: int | None = None,
              language_code: str = "en") -> str:
        return self.push_callback(message, message.button(button_text)["callback_data"],
                                  user_id=user_id, language_code=language_code)

    def push_inline_query(self, query: str, *, user_id: int = 1) -> str:
        query_id = f"iq{next(self._callback_ids)}"
        self._push({"inline_query": {"id": query_id, "from": self._user(user_id),
                                     "query": query, "offset": ""}})
        return query_id

    # -- reading what the bot did -------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not do what was expected in time")
                self._lock.wait(min(remaining, 0.05))

    async def until(self, predicate: Callable[[], Any], timeout: float = 10) -> Any:
        """Like wait_until, without blocking the event loop the bot may be running on."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not do what was expected in time")
            await asyncio.sleep(0.01)

    async def replies(self, chat_id: int, count: int, *, after: int = 0,
                      timeout: float = 10) -> list[SentMessage]:
        """Wait for ``count`` messages to ``chat_id`` beyond the first ``after``."""

        def enough() -> list[SentMessage] | None:
            found = [m for m in self.sent if m.chat_id == chat_id][after:]
            return found if len(found) >= count else None

        return await self.until(enough, timeout)

    async def callback_answer(self, callback_id: str, timeout: float = 10) -> dict:
        return await self.until(lambda: self.callback_answers.get(callback_id), timeout)

    async def inline_answer(self, query_id: str, timeout: float = 10) -> dict:
        return await self.until(lambda: self.inline_answers.get(query_id), timeout)

    # -- fault injection ----------------------------------------------------------------------

    def block_chat(self, chat_id: int, code: int = 403,
                   description: str = "Forbidden: bot was blocked by the user") -> None:
        with self._lock:
            self._blocked[chat_id] = (code, description)

    def unblock_chat(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.pop(chat_id, None)

    def answer_next_sends_with_429(self, count: int, retry_after: int = 1) -> None:
        with self._lock:
            self._retry_after_budget = count
            self._retry_after_seconds = retry_after

    def fail_next_requests(self, count: int, code: int = 502) -> None:
        """Answer the next ``count`` requests, whatever they are, with HTTP ``code``."""
        with self._lock:
            self._fail_budget = count
            self._fail_code = code

    def hang_after(self, accepted: int) -> None:
        """After ``accepted`` more messages, hold every further send without answering."""
        with self._lock:
            self._hang_after = len(self.sent) + accepted
            self._release.clear()

    def release(self) -> None:
        with self._lock:
            self._hang_after = None
        self._release.set()

    # -- the API ------------------------------------------------------------------------------

    def call(self, method: str, params: dict) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise APIError(404, "Not Found: method not found")
        with self._lock:
            self.requests.append((method, params))
        return handler(params)

    def _bot_user(self) -> dict:
        return {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "newsbot",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": True}

    def _message_json(self, message: SentMessage) -> dict:
        data = {
            "message_id": message.message_id,
            "date": int(message.at),
            "chat": self._chat(message.chat_id),
            "from": self._bot_user(),
            "text": message.text,
        }
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.thread_id is not None:
            data.update(message_thread_id=message.thread_id, is_topic_message=True)
        return data

    def _api_getMe(self, params: dict) -> dict:
        return self._bot_user()

    def _api_deleteWebhook(self, params: dict) -> bool:
        return True

    def _api_setWebhook(self, params: dict) -> bool:
        return True

    def _api_close(self, params: dict) -> bool:
        return True

    def _api_logOut(self, params: dict) -> bool:
        return True

    def _api_getUpdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline and self._server:
                self._lock.wait(min(0.25, max(0.0, deadline - time.monotonic())))
            return list(self._updates[:limit])

    def _check_markup(self, markup: dict | None) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_LIMIT:
                    raise APIError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _visible(self, params: dict) -> str:
        text = str(params.get("text", ""))
        visible = parse_html(text) if str(params.get("parse_mode", "")).upper() == "HTML" else text
        if not visible.strip():
            raise APIError(400, "Bad Request: message text is empty")
        if utf16_length(visible) > MESSAGE_LIMIT:
            raise APIError(400, "Bad Request: message is too long")
        return visible

    def _flood_check(self, chat_id: int) -> None:
        """Called under the lock, for each message about to be accepted."""
        now = time.monotonic()
        if self._retry_after_budget > 0:
            self._retry_after_budget -= 1
            self._too_many(self._retry_after_seconds)
        if self.enforce_flood_limits:
            while self._recent_sends and self._recent_sends[0] <= now - 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= 30:
                self._too_many(1)
            last = self._last_send_per_chat.get(chat_id)
            if self.per_chat_limit and last is not None and now - last < 1.0:
                self._too_many(1)
        self._recent_sends.append(now)
        self._last_send_per_chat[chat_id] = now

    def _too_many(self, seconds: int) -> None:
        self.too_many_requests += 1
        raise APIError(429, f"Too Many Requests: retry after {seconds}",
                       {"retry_after": seconds})

    def _reply_to(self, chat_id: int, params: dict) -> int | None:
        """The message a send answers, checked as Telegram does; called under the lock."""
        reply = params.get("reply_parameters") or {}
        if "reply_to_message_id" in params:
            reply = {"message_id": params["reply_to_message_id"],
                     "allow_sending_without_reply": params.get("allow_sending_without_reply")}
        if not reply:
            return None
        message_id = int(reply["message_id"])
        known = (chat_id, message_id) in self._said or any(
            m.chat_id == chat_id and m.message_id == message_id for m in self.sent)
        if not known:
            if reply.get("allow_sending_without_reply") in (True, "true", "True"):
                return None
            raise APIError(400, "Bad Request: message to be replied not found")
        return message_id

    def _api_sendMessage(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        visible = self._visible(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        with self._lock:
            if chat_id in self._migrated:
                raise APIError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                               {"migrate_to_chat_id": self._migrated[chat_id]})
            if chat_id in self._blocked:
                code, description = self._blocked[chat_id]
                raise APIError(code, description)
            reply_to = self._reply_to(chat_id, params)
            thread = params.get("message_thread_id")
            thread_id = int(thread) if thread not in (None, "") else None
            if (chat_id, thread_id) in self._deleted_topics:
                raise APIError(400, "Bad Request: message thread not found")
            hang = self._hang_after is not None and len(self.sent) >= self._hang_after
        if hang:
            self._release.wait()
            raise APIError(500, "Internal Server Error: the stand-in was released")
        with self._lock:
            self._flood_check(chat_id)
            message = SentMessage(chat_id, next(self._message_ids), visible,
                                  str(params.get("text")), params.get("parse_mode"), markup,
                                  time.time(), reply_to=reply_to, thread_id=thread_id)
            self.sent.append(message)
            self._lock.notify_all()
            reply = self._message_json(message)
        for listener in self.on_message:
            listener(message)
        return reply

    def _api_editMessageText(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        message_id = int(params["message_id"])
        visible = self._visible(params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        with self._lock:
            for message in self.sent:
                if message.chat_id == chat_id and message.message_id == message_id:
                    if message.text == visible and message.reply_markup == markup:
                        raise APIError(400, "Bad Request: message is not modified: specified new "
                                            "message content and reply markup are exactly the "
                                            "same as a current content and reply markup")
                    message.edits.append(message.html)
                    message.text, message.html = visible, str(params.get("text"))
                    message.reply_markup = markup
                    self._lock.notify_all()
                    return self._message_json(message)
        raise APIError(400, "Bad Request: message to edit not found")

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        with self._lock:
            self.callback_answers[str(params["callback_query_id"])] = params
            self._lock.notify_all()
        return True

    def _api_answerInlineQuery(self, params: dict) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise APIError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content") or {}
            self._visible({"text": content.get("message_text", ""),
                           "parse_mode": content.get("parse_mode")})
            self._check_markup(result.get("reply_markup"))
        with self._lock:
            self.inline_answers[str(params["inline_query_id"])] = params
            self._lock.notify_all()
        return True

    @staticmethod
    def _scope_key(params: dict) -> str:
        """"default", "chat:111"; with a language_code, "default/uk", "chat:111/uk"."""
        scope = params.get("scope") or {"type": "default"}
        key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
        return key + (f"/{params['language_code']}" if params.get("language_code") else "")

    def _api_setMyCommands(self, params: dict) -> bool:
        with self._lock:
            self.commands[self._scope_key(params)] = params.get("commands") or []
        return True

    def _api_deleteMyCommands(self, params: dict) -> bool:
        with self._lock:
            self.commands.pop(self._scope_key(params), None)
        return True

    def _api_getMyCommands(self, params: dict) -> list[dict]:
        with self._lock:
            return self.commands.get(self._scope_key(params), [])

    def _api_getChatMember(self, params: dict) -> dict:
        """The user's status as ``set_member`` gave it; anyone else is a "member"."""
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        with self._lock:
            if chat_id in self._migrated:
                raise APIError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                               {"migrate_to_chat_id": self._migrated[chat_id]})
            status = self.members.get((chat_id, user_id), "member")
        return self._member_change(chat_id, {}, self._user(user_id), status,
                                   status)["new_chat_member"]

    def _api_getChat(self, params: dict) -> dict:
        """A chat by id, or a channel by ``@username``; 400 "chat not found" otherwise."""
        reference = str(params["chat_id"])
        with self._lock:
            if reference.startswith("@"):
                found = [chat_id for chat_id, channel in self.channels.items()
                         if (channel["username"] or "").lower() == reference[1:].lower()]
                if not found:
                    raise APIError(400, "Bad Request: chat not found")
                chat_id = found[0]
            else:
                chat_id = int(reference)
                known = chat_id > 0 or chat_id in self.channels or any(
                    chat == chat_id for chat, _ in self.members)
                if not known:
                    raise APIError(400, "Bad Request: chat not found")
            return {**self._chat(chat_id), "accent_color_id": 0, "max_reaction_count": 11}

    def _api_sendChatAction(self, params: dict) -> bool:
        return True


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 resets connections when a bot opens many at once.
    request_queue_size = 1024
    daemon_threads = True


class _RequestHandler(BaseHTTPRequestHandler):
    api: BotAPIStandIn
    protocol_version = "HTTP/1.1"  # keep-alive, as Telegram's servers do
    # Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK stall every
    # keep-alive response by 40 ms on loopback.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: requests contain the token

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length))

    def _params(self, body: bytes) -> dict:
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        content_type = self.headers.get("Content-Type", "")
        if body and content_type.startswith("application/json"):
            params.update(json.loads(body))
            return params
        if body and content_type.startswith("multipart/form-data"):
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(head + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                params[name] = part.get_content()
        elif body:
            params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
        for name in _JSON_FIELDS & params.keys():
            if isinstance(params[name], str):
                params[name] = json.loads(params[name])
        return params

    def _handle(self, body: bytes) -> None:
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", urlsplit(self.path).path)
        try:
            if match is None:
                raise APIError(404, "Not Found")
            with self.api._lock:
                failing = self.api._fail_budget > 0
                self.api._fail_budget -= failing
            if failing:
                raise APIError(self.api._fail_code, "Bad Gateway")
            if match[1] != self.api.token:
                raise APIError(401, "Unauthorized")
            result = self.api.call(match[2], self._params(body))
            payload: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except APIError as exc:
            method = match[2] if match else "?"
            with self.api._lock:
                self.api.rejected.append((method, exc.code, exc.description))
            payload = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
            status = exc.code
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a killed process, a timed-out poll)
