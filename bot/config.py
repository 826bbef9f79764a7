"""Settings read once from the environment and an optional ``.env`` file."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import InvalidSetting, MissingSetting

DEFAULT_DB = Path("data/news.db")
DEFAULT_SEEDS = Path("seeds")
DEFAULT_MAX_ARTICLE_BYTES = 1024 * 1024


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
    keep_days: int | None = None  # prune articles older than this; None: keep everything
    allow_private_urls: bool = False  # feeds may live on loopback/private addresses

    def require_token(self) -> str:
        if not self.token:
            raise MissingSetting("TELEGRAM_BOT_TOKEN")
        return self.token

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids


MAX_PORT = 65535


def _parse_admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        user_id = _whole_number(part)
        if user_id is None or user_id < 1:  # Telegram user ids are positive
            raise InvalidSetting("ADMIN_IDS", part, "user_id")
        ids.add(user_id)
    return frozenset(ids)


def _whole_number(text: str) -> int | None:
    """``text`` as an int if it is ASCII digits with an optional minus, else None: no "+5",
    "1_000", "²" or 5,000-digit numbers (int() accepts the first three, raises on the last)."""
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdecimal()) or len(digits) > 18:
        return None
    return int(text)


def _parse_int(name: str, raw: str, minimum: int = 1, maximum: int | None = None) -> int:
    value = _whole_number(raw.strip())
    if value is None or value < minimum or (maximum is not None and value > maximum):
        raise InvalidSetting(name, raw, "integer", minimum=minimum, maximum=maximum)
    return value


def is_timezone(name: str) -> bool:
    """Whether ``name`` is a known IANA timezone: the one timezone check, for users and
    settings alike."""
    # ZoneInfo reads files: no paths, and no name the OS would refuse (ENAMETOOLONG).
    if not name or name.startswith(("/", ".")) or ".." in name or len(name) > 255:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def validate_timezone(name: str, setting: str = "NEWSBOT_TIMEZONE") -> str:
    """Return ``name`` if it is a known IANA timezone, else raise InvalidSetting."""
    if not is_timezone(name):
        raise InvalidSetting(setting, name, "timezone")
    return name


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Read settings from ``environ`` (default: the process environment) and ``env_file``.

    A non-empty variable in the environment wins over the same name in ``.env``; a missing
    ``.env`` is fine. Raises InvalidSetting for a malformed ADMIN_IDS,
    PORT (1-65535), NEWSBOT_MAX_ARTICLE_BYTES (1 or more), NEWSBOT_KEEP_DAYS (1 or more)
    or NEWSBOT_TIMEZONE. NEWSBOT_ALLOW_PRIVATE_URLS is on for ``1``, ``true`` or ``yes``.
    """
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    # An empty variable in the environment counts as unset, as it does below.
    values.update((k, v) for k, v in (os.environ if environ is None else environ).items()
                  if v.strip())

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    return Settings(
        token=get("TELEGRAM_BOT_TOKEN"),
        admin_ids=_parse_admin_ids(get("ADMIN_IDS") or ""),
        db_path=Path(get("NEWSBOT_DB") or DEFAULT_DB),
        seeds_dir=Path(get("NEWSBOT_SEEDS") or DEFAULT_SEEDS),
        base_url=get("TELEGRAM_BASE_URL"),
        timezone=validate_timezone(get("NEWSBOT_TIMEZONE") or "UTC"),
        max_article_bytes=_parse_int(
            "NEWSBOT_MAX_ARTICLE_BYTES",
            get("NEWSBOT_MAX_ARTICLE_BYTES") or str(DEFAULT_MAX_ARTICLE_BYTES),
        ),
        webhook_url=get("WEBHOOK_URL"),
        webhook_secret=get("WEBHOOK_SECRET"),
        port=_parse_int("PORT", get("PORT") or "8443", maximum=MAX_PORT),
        keep_days=_parse_int("NEWSBOT_KEEP_DAYS", keep) if (keep := get("NEWSBOT_KEEP_DAYS"))
        else None,
        allow_private_urls=(get("NEWSBOT_ALLOW_PRIVATE_URLS") or "").lower()
        in {"1", "true", "yes"},
    )
