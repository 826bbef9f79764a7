"""Settings read once from the environment and an optional ``.env`` file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.errors import ConfigError, InvalidQuery
from bot.schedule import parse_timezone

DEFAULT_DB = Path("data/news.db")
DEFAULT_SEEDS = Path("seeds")
DEFAULT_MAX_ARTICLE_BYTES = 1024 * 1024

BOTFATHER_HELP = """\
TELEGRAM_BOT_TOKEN is not set.

To get a token:
  1. Open Telegram and start a chat with @BotFather.
  2. Send /newbot and follow the prompts (a name, then a username ending in "bot").
  3. Copy the token it gives you into .env:
         TELEGRAM_BOT_TOKEN=123456789:AA...
     or export it in your shell, then run `newsbot run` again.

Without a token you can still use the command line, e.g. `newsbot latest`
or `newsbot search Belarus`.
"""


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)  # never printed
    admin_ids: frozenset[int] = frozenset()
    db_path: Path = DEFAULT_DB
    seeds_dir: Path = DEFAULT_SEEDS
    base_url: str | None = None
    timezone: str = "UTC"
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    port: int = 8443

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(BOTFATHER_HELP)
        return self.token

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


def _parse_admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"ADMIN_IDS must be comma-separated numeric Telegram user ids, got {part!r}."
            ) from None
    return frozenset(ids)


def _parse_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}.")
    return value


def _parse_timezone(name: str) -> str:
    try:
        return parse_timezone(name)
    except InvalidQuery:
        raise ConfigError(
            f"NEWSBOT_TIMEZONE: unknown timezone {name!r}; use an IANA name such as Europe/Kyiv "
            "or UTC."
        ) from None


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read settings; real environment variables win over ``.env`` entries."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    return Settings(
        token=get("TELEGRAM_BOT_TOKEN"),
        admin_ids=_parse_admin_ids(get("ADMIN_IDS") or ""),
        db_path=Path(get("NEWSBOT_DB") or DEFAULT_DB),
        seeds_dir=Path(get("NEWSBOT_SEEDS") or DEFAULT_SEEDS),
        base_url=get("TELEGRAM_BASE_URL"),
        timezone=_parse_timezone(get("NEWSBOT_TIMEZONE") or "UTC"),
        max_article_bytes=_parse_int(
            "NEWSBOT_MAX_ARTICLE_BYTES",
            get("NEWSBOT_MAX_ARTICLE_BYTES") or str(DEFAULT_MAX_ARTICLE_BYTES),
        ),
        webhook_url=get("WEBHOOK_URL"),
        webhook_secret=get("WEBHOOK_SECRET"),
        port=_parse_int("PORT", get("PORT") or "8443"),
    )
