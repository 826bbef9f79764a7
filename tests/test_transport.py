"""AiohttpRequest: python-telegram-bot's requests over aiohttp, against the Bot API stand-in."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import ExtBot

from bot.transport import AiohttpRequest, redact
from tests.botapi import BotAPIStandIn


@pytest.fixture
def api():
    with BotAPIStandIn() as standin:
        yield standin


def bot_for(api: BotAPIStandIn, request: AiohttpRequest | None = None,
            get_updates_request: AiohttpRequest | None = None) -> ExtBot:
    return ExtBot(api.token, base_url=api.base_url, request=request or AiohttpRequest(),
                  get_updates_request=get_updates_request or AiohttpRequest(1))


def test_redact_cuts_the_token_out_of_bot_api_urls():
    assert redact("") == ""
    assert redact("Connection timeout to host http://127.0.0.1:8081/bot123456:AA-b_c/getMe") == (
        "Connection timeout to host http://127.0.0.1:8081/bot<token>/getMe")
    assert redact("url='https://api.telegram.org/bot1:x/sendMessage'") == (
        "url='https://api.telegram.org/bot<token>/sendMessage'")
    assert redact("Cannot connect to host 127.0.0.1:1 ssl:default") == (
        "Cannot connect to host 127.0.0.1:1 ssl:default")


async def test_a_request_before_initialize_says_so():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/bot1:x/getMe", "POST")


async def test_get_me(api):
    async with bot_for(api) as bot:  # initialize() calls getMe
        assert bot.username == "newsbot_test_bot"
        me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert [method for method, _ in api.requests] == ["getMe", "getMe"]


async def test_send_message_with_a_keyboard_and_cyrillic(api):
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton("Full text 1", callback_data="article:1"),
        InlineKeyboardButton("Follow Білорусь", callback_data="follow:Білорусь"),
    ]])
    async with bot_for(api) as bot:
        message = await bot.send_message(42, "<b>Новини</b> &lt;1&gt;", parse_mode="HTML",
                                          reply_markup=keyboard)
    [sent] = api.messages_to(42)
    assert sent.text == "Новини <1>"
    assert sent.buttons == [
        {"text": "Full text 1", "callback_data": "article:1"},
        {"text": "Follow Білорусь", "callback_data": "follow:Білорусь"},
    ]
    assert message.message_id == sent.message_id
    assert message.chat.id == 42
    assert message.reply_markup == keyboard


async def test_files_go_as_multipart_form_data(api):
    async with bot_for(api) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("ok", url="https://x.org")]])
        await bot.send_message(7, "<i>with a file</i>", parse_mode="HTML", reply_markup=keyboard,
                               api_kwargs={"document": InputFile(b"\x00binary\xff", "notes.bin")})
    [sent] = api.messages_to(7)
    assert sent.text == "with a file"
    assert sent.buttons == [{"text": "ok", "url": "https://x.org"}]
    method, params = api.requests[-1]
    assert method == "sendMessage"
    assert params["document"] == b"\x00binary\xff"


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


async def test_a_proxy_in_the_environment_is_used(api, no_proxy_env):
    # The stand-in serves absolute-form request targets too, so it can play the proxy: the
    # Bot API host here does not exist.
    no_proxy_env.setenv("http_proxy", api.base_url.removesuffix("/bot"))
    bot = ExtBot(api.token, base_url="http://api.telegram.invalid/bot",
                 request=AiohttpRequest(), get_updates_request=AiohttpRequest(1))
    async with bot:
        await bot.send_message(42, "through the proxy")
    assert [m.text for m in api.messages_to(42)] == ["through the proxy"]


async def test_no_proxy_names_the_hosts_reached_directly(api, no_proxy_env):
    no_proxy_env.setenv("http_proxy", "http://127.0.0.1:1")  # nothing listens there
    no_proxy_env.setenv("no_proxy", "127.0.0.1")
    async with bot_for(api) as bot:
        await bot.send_message(42, "direct")
    assert [m.text for m in api.messages_to(42)] == ["direct"]


async def test_a_400_is_bad_request(api):
    async with bot_for(api) as bot:
        with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
            await bot.send_message(42, "<blink>hi</blink>", parse_mode="HTML")
    assert api.sent == []


async def test_long_polling_outlasts_the_read_timeout(api):
    # PTB adds getUpdates' timeout to the read timeout: a 1 s poll with 0.3 s reads is no error.
    polling = AiohttpRequest(1, read_timeout=0.3)
    async with bot_for(api, get_updates_request=polling) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert time.monotonic() - started >= 0.9

        waiting = asyncio.ensure_future(bot.get_updates(timeout=5))
        await asyncio.sleep(0.3)
        api.push_message(222, "/latest")
        [update] = await asyncio.wait_for(waiting, timeout=3)
    assert update.message.text == "/latest"
    assert update.message.chat.id == 222


async def test_a_read_timeout_is_timed_out(api):
    api.hang_after(0)
    try:
        async with bot_for(api, AiohttpRequest(read_timeout=0.3)) as bot:
            with pytest.raises(TimedOut) as raised:
                await bot.send_message(42, "hello")
    finally:
        api.release()
    assert re.fullmatch(r"Timed out: aiohttp\.\w+: Timeout on reading data from socket",
                        str(raised.value))
    assert raised.value.__cause__ is None


async def test_a_pool_timeout_is_timed_out_without_the_token(api):
    # aiohttp names the whole URL when waiting for a connection times out.
    api.hang_after(0)
    try:
        async with bot_for(api, AiohttpRequest(1, connect_timeout=0.1, pool_timeout=0.1)) as bot:
            hanging = asyncio.ensure_future(bot.send_message(42, "first"))
            await asyncio.sleep(0.1)
            with pytest.raises(TimedOut) as raised:
                await bot.send_message(43, "second")
            hanging.cancel()
    finally:
        api.release()
    message = str(raised.value)
    assert "/bot<token>/sendMessage" in message
    assert api.token not in message
    assert raised.value.__cause__ is None


def lines_with(token: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    # python-telegram-bot's own DEBUG lines show the Bot API URL; `newsbot run` logs at INFO.
    return [record.getMessage() for record in caplog.records
            if token in record.getMessage()
            and not (record.name.startswith("telegram") and record.levelno < logging.INFO)]


async def test_no_server_is_a_network_error(caplog):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    caplog.set_level(logging.DEBUG)
    bot = ExtBot("123456:SECRET-TOKEN", base_url=f"http://127.0.0.1:{port}/bot",
                 request=AiohttpRequest(), get_updates_request=AiohttpRequest(1))
    with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError") as raised:
        await bot.initialize()
    await bot.shutdown()
    assert not isinstance(raised.value, TimedOut)
    assert "SECRET-TOKEN" not in str(raised.value)
    assert lines_with("SECRET-TOKEN", caplog) == []


async def test_the_token_reaches_no_log_line(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.hang_after(1)
    try:
        async with bot_for(api, AiohttpRequest(1, read_timeout=0.3, pool_timeout=0.1)) as bot:
            await bot.send_message(42, "hello")
            with pytest.raises(TimedOut):
                await bot.send_message(42, "held")
    finally:
        api.release()
    assert caplog.records
    assert lines_with(api.token, caplog) == []
