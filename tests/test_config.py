from pathlib import Path

import pytest

from bot.config import DEFAULT_DB, InvalidSetting, Settings, load_settings
from bot.errors import ConfigError

ENV_FILE = """\
# comment
TELEGRAM_BOT_TOKEN=from-dotenv
ADMIN_IDS=1, 2;3
NEWSBOT_DB=dotenv.db
PORT=9000
NEWSBOT_TIMEZONE=Europe/Kyiv
"""


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env"
    path.write_text(ENV_FILE, encoding="utf-8")
    return path


def test_nothing_set_gives_the_defaults(tmp_path):
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert settings == Settings()
    assert (settings.token, settings.db_path, settings.port, settings.timezone) == (
        None, DEFAULT_DB, 8443, "UTC")


def test_settings_come_from_dotenv(env_file):
    settings = load_settings({}, env_file=env_file)
    assert settings.token == "from-dotenv"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.db_path == Path("dotenv.db")
    assert settings.port == 9000
    assert settings.timezone == "Europe/Kyiv"


def test_the_environment_wins_over_dotenv_and_an_empty_variable_does_not(env_file):
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "from-env", "PORT": "8080", "ADMIN_IDS": "   ",
         "NEWSBOT_DB": ""},
        env_file=env_file,
    )
    assert settings.token == "from-env"
    assert settings.port == 8080
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.db_path == Path("dotenv.db")


def test_the_process_environment_is_read_when_none_is_given(env_file, monkeypatch):
    monkeypatch.setenv("PORT", "8444")
    assert load_settings(env_file=env_file).port == 8444


def test_secrets_never_appear_in_the_settings_repr(env_file):
    settings = load_settings({"WEBHOOK_SECRET": "s3cret-value"}, env_file=env_file)
    assert "from-dotenv" not in repr(settings)
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    "raw", ["1,abc", "12.5", "-7", "0", "+5", "1_000", "٣", "²", "1e3", "--1", "9" * 5000])
def test_admin_ids_must_be_positive_whole_numbers(raw):
    with pytest.raises(InvalidSetting) as caught:
        load_settings({"ADMIN_IDS": raw}, env_file=None)
    error = caught.value
    assert isinstance(error, ConfigError)
    assert (error.name, error.kind) == ("ADMIN_IDS", "user_id")
    assert error.value == raw.split(",")[-1]


@pytest.mark.parametrize(
    "raw", ["0", "65536", "-1", "http", "80.5", "８０", "99999999999999999999", "9" * 5000])
def test_port_must_be_1_to_65535(raw):
    with pytest.raises(InvalidSetting) as caught:
        load_settings({"PORT": raw}, env_file=None)
    error = caught.value
    assert (error.name, error.value, error.kind, error.minimum, error.maximum) == (
        "PORT", raw, "integer", 1, 65535)


@pytest.mark.parametrize("raw", ["1", "65535", " 443 "])
def test_ports_in_range_are_accepted(raw):
    assert load_settings({"PORT": raw}, env_file=None).port == int(raw)


@pytest.mark.parametrize("raw", ["Mars/Base", "../../etc/passwd", "A" * 300])
def test_an_unknown_default_timezone_is_refused(raw):
    with pytest.raises(InvalidSetting) as caught:
        load_settings({"NEWSBOT_TIMEZONE": raw}, env_file=None)
    assert (caught.value.name, caught.value.kind) == ("NEWSBOT_TIMEZONE", "timezone")


def test_the_article_size_limit_must_be_positive():
    with pytest.raises(InvalidSetting) as caught:
        load_settings({"NEWSBOT_MAX_ARTICLE_BYTES": "0"}, env_file=None)
    assert (caught.value.name, caught.value.minimum, caught.value.maximum) == (
        "NEWSBOT_MAX_ARTICLE_BYTES", 1, None)


def test_keep_days_and_private_urls_are_off_unless_set(tmp_path):
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert (settings.keep_days, settings.allow_private_urls) == (None, False)
    settings = load_settings({"NEWSBOT_KEEP_DAYS": "30", "NEWSBOT_ALLOW_PRIVATE_URLS": "1"},
                             env_file=tmp_path / "missing.env")
    assert (settings.keep_days, settings.allow_private_urls) == (30, True)
    with pytest.raises(InvalidSetting) as raised:
        load_settings({"NEWSBOT_KEEP_DAYS": "0"}, env_file=tmp_path / "missing.env")
    assert raised.value.name == "NEWSBOT_KEEP_DAYS"
