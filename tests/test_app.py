"""Wiring and start-up: the token rejected, the Bot API unreachable, the webhook and its
secret, the one command table. `newsbot` runs as its own process where the CLI is the edge."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.app import WEBHOOK_SECRET_MIN, build_bot, connect
from bot.config import Settings
from bot.handlers.commands import COMMANDS, menu
from tests.botapi import BotAPIStandIn
from tests.conftest import article_text

WRONG_TOKEN = "654321:WRONG-SECRET-TOKEN"
TOKEN_REJECTED = "newsbot: the Bot API rejected the token (401); check TELEGRAM_BOT_TOKEN"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "harbour.txt").write_text(article_text())
    return folder


def newsbot_env(tmp_path: Path, seeds: Path, token: str, base_url: str, **extra: str) -> dict:
    return {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BASE_URL": base_url,
            "NEWSBOT_DB": str(tmp_path / "news.db"), "NEWSBOT_SEEDS": str(seeds), **extra}


class Newsbot:
    """`newsbot ARGS` as its own process; ``wait_for`` a line of its output (an event set by a
    reader thread, not a sleep)."""

    def __init__(self, args: list[str], env: dict, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, text: str, count: int = 1, timeout: float = 30) -> None:
        with self._changed:
            found = self._changed.wait_for(
                lambda: sum(text in line for line in self.lines) >= count, timeout)
        assert found, f"no {count}× {text!r} in:\n{''.join(self.lines)}"

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        self._reader.join(10)
        self.process.stdout.close()
        return "".join(self.lines)


# -- case 1: a rejected token -----------------------------------------------------------------


@pytest.mark.parametrize("command", [["run"], ["start"], ["send-digests", "--all"],
                                     ["-v", "run"]])
def test_a_rejected_token_is_one_line_exit_1_never_retried_never_printed(api, tmp_path, seeds,
                                                                         command):
    env = newsbot_env(tmp_path, seeds, WRONG_TOKEN, api.base_url)
    done = subprocess.run([sys.executable, "-m", "bot", *command], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1] == TOKEN_REJECTED
    assert "Traceback" not in done.stderr
    for secret in (WRONG_TOKEN, WRONG_TOKEN.split(":")[1]):
        assert secret not in done.stdout and secret not in done.stderr
    assert [(method, code) for method, code, _ in api.rejected] == [("getMe", 401)]


# -- case 14: the Bot API unreachable at start ------------------------------------------------


async def test_connect_retries_a_502_with_a_line_each_time_then_connects(api, caplog):
    caplog.set_level(logging.INFO, logger="bot.app")
    api.fail_next_requests(2, code=502)
    bot = build_bot(Settings(token=api.token, base_url=api.base_url), rate_limiter=False)
    await connect(bot, backoff=(0.01,))
    try:
        assert bot.username == "newsbot_test_bot"
    finally:
        await bot.shutdown()
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert retries == ["Cannot reach the Bot API (Bad Gateway); retrying in 0.01 s"] * 2
    assert [method for method, _ in api.requests] == ["getMe"]


async def test_connect_waits_for_a_closed_port_to_open(caplog):
    caplog.set_level(logging.INFO, logger="bot.app")
    port = free_port()
    bot = build_bot(Settings(token="123456:TEST-TOKEN",
                             base_url=f"http://127.0.0.1:{port}/bot"), rate_limiter=False)
    twice = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if sum("Cannot reach the Bot API" in r.getMessage() for r in caplog.records) >= 2:
                twice.set()

    watch = Watch()
    logging.getLogger("bot.app").addHandler(watch)
    try:
        connecting = asyncio.create_task(connect(bot, backoff=(0.05,)))
        await asyncio.wait_for(twice.wait(), 10)
        with BotAPIStandIn(port=port):
            await asyncio.wait_for(connecting, 10)
            assert bot.username == "newsbot_test_bot"
            await bot.shutdown()
    finally:
        logging.getLogger("bot.app").removeHandler(watch)


def test_newsbot_run_retries_an_unreachable_bot_api_until_stopped(tmp_path, seeds):
    env = newsbot_env(tmp_path, seeds, "123456:TEST-TOKEN", f"http://127.0.0.1:{free_port()}/bot")
    newsbot = Newsbot(["run"], env, tmp_path)
    try:
        newsbot.wait_for("Cannot reach the Bot API (httpx.ConnectError")
    finally:
        output = newsbot.stop()
    assert newsbot.process.returncode == 0, output
    assert "retrying in 1 s" in output
    assert "Stopped before the Bot API could be reached" in output
    assert "Traceback" not in output and "Unclosed" not in output
    assert "TEST-TOKEN" not in output


def test_send_digests_with_the_bot_api_unreachable_fails_in_one_line(tmp_path, seeds):
    env = newsbot_env(tmp_path, seeds, "123456:TEST-TOKEN", f"http://127.0.0.1:{free_port()}/bot")
    done = subprocess.run([sys.executable, "-m", "bot", "send-digests", "--all"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "newsbot: cannot reach the Bot API: httpx.ConnectError: All connection attempts failed"]
    assert done.stdout == ""


# -- case 2: the webhook and its secret -------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "x" * (WEBHOOK_SECRET_MIN - 1)])
def test_webhook_mode_refuses_to_start_without_a_strong_secret(api, tmp_path, seeds, secret):
    extra = {"WEBHOOK_URL": "https://news.example/hook", "PORT": str(free_port())}
    env = newsbot_env(tmp_path, seeds, api.token, api.base_url, **extra)
    env.pop("WEBHOOK_SECRET", None)
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    done = subprocess.run([sys.executable, "-m", "bot", "run", "--webhook"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "newsbot: run --webhook needs WEBHOOK_SECRET of at least 32 characters (Telegram signs "
        "each update with it); generate one with: openssl rand -hex 32"]
    assert api.requests == []


def post_update(port: int, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(f"http://127.0.0.1:{port}/telegram",
                                     data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_webhook_registers_its_secret_and_answers_only_signed_updates(api, tmp_path, seeds):
    secret, port, admin = "s" * 20 + "E" * 20, free_port(), 111
    extra = {"WEBHOOK_URL": "https://news.example/hook/", "WEBHOOK_SECRET": secret,
             "PORT": str(port), "ADMIN_IDS": str(admin)}
    newsbot = Newsbot(["run", "--webhook"], newsbot_env(tmp_path, seeds, api.token,
                                                         api.base_url, **extra), tmp_path)
    try:
        newsbot.wait_for("Application started")
        [registered] = [params for method, params in api.requests if method == "setWebhook"]
        assert registered["url"] == "https://news.example/hook/telegram"
        assert registered["secret_token"] == secret

        def stats_from_admin(update_id: int) -> dict:
            return {"update_id": update_id, "message": {
                "message_id": update_id, "date": 0, "text": "/stats",
                "chat": {"id": admin, "type": "private"},
                "from": {"id": admin, "is_bot": False, "first_name": "Forger"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}

        assert post_update(port, stats_from_admin(1), None) == 403
        assert post_update(port, stats_from_admin(2), "s" * 40) == 403
        assert post_update(port, stats_from_admin(3), secret) == 200
        api.wait_until(lambda: api.messages_to(admin), timeout=30)
    finally:
        output = newsbot.stop()
    assert newsbot.process.returncode == 0, output
    [stats] = api.messages_to(admin)
    assert stats.text.splitlines()[1] == "Articles: 1"
    assert secret not in output and api.token not in output


# -- the one table of commands ----------------------------------------------------------------


def test_one_table_gives_menus_help_and_registration():
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    assert [name for name, _ in menu(admin=False)] == [
        "latest", "search", "article", "tags", "subscribe", "unsubscribe", "subscriptions",
        "alert", "alerts", "help", "digest", "digest_time", "timezone", "digest_off", "digest_on",
        "delivery", "quiet", "silent", "language", "channel", "channels"]
    assert [name for name, _ in menu(admin=True)][-6:] == [
        "reimport", "stats", "feeds", "addfeed", "removefeed", "pollnow"]
    assert [name for name, _ in menu(admin=False, group=True)][-3:] == [
        "quiet", "silent", "language"]  # /channel and /channels are for private chats


def test_the_cli_log_handler_redacts_secrets_in_lines_and_tracebacks(capsys):
    from bot.cli.terminal import RedactingFormatter, configure_logging

    root = logging.getLogger()
    levels = root.level, logging.getLogger("httpx").level, logging.getLogger("apscheduler").level
    configure_logging(logging.INFO, [WRONG_TOKEN])
    try:
        try:
            raise RuntimeError(f"The token `{WRONG_TOKEN}` was rejected by the server.")
        except RuntimeError:
            logging.getLogger("telegram.ext").exception("retry loop for /bot%s/getMe",
                                                        WRONG_TOKEN)
        logging.getLogger("httpx").info("HTTP Request: POST /bot%s/getMe", WRONG_TOKEN)
    finally:
        for handler in [h for h in root.handlers
                        if isinstance(h.formatter, RedactingFormatter)]:
            root.removeHandler(handler)
        root.setLevel(levels[0])
        logging.getLogger("httpx").setLevel(levels[1])
        logging.getLogger("apscheduler").setLevel(levels[2])
    err = capsys.readouterr().err
    assert "retry loop for /bot<secret>/getMe" in err
    assert "RuntimeError: The token `<secret>` was rejected by the server." in err
    assert WRONG_TOKEN not in err and "HTTP Request" not in err


def test_webhook_mode_without_a_url_names_the_setting(api, seeds, tmp_path):
    env = newsbot_env(tmp_path, seeds, api.token, api.base_url, WEBHOOK_SECRET="s" * 40)
    env.pop("WEBHOOK_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "run", "--webhook"], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "newsbot: WEBHOOK_URL must be set to use --webhook.\n"
