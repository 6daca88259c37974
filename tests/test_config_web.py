"""The [server] and [zalo_bot] settings: defaults, the fallback to Telegram's old keys, and
errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, parse_settings
from bot.settings import ServerSettings

ROOT = Path(__file__).resolve().parent.parent


def example() -> dict[str, Any]:
    return tomllib.loads((ROOT / "config.example.toml").read_text("utf-8"))


def test_the_example_serves_on_8080_with_1_mb_bodies_and_zalo_bot_polling() -> None:
    settings = parse_settings(example(), ROOT)
    assert settings.server == ServerSettings("127.0.0.1", 8080, 1024 * 1024, 900)
    zalo = settings.zalo_bot
    assert zalo is not None
    assert (zalo.mode, zalo.token_env, zalo.base_url) == (
        "polling",
        "DANVAN_ZALO_BOT_TOKEN",
        "https://bot-api.zaloplatforms.com",
    )
    data = example()
    del data["zalo_bot"]
    assert parse_settings(data, ROOT).zalo_bot is None


def test_without_a_server_table_a_telegram_webhook_keeps_its_listen_and_port() -> None:
    data = example()
    del data["server"]
    data["telegram"] |= {"listen": "0.0.0.0", "port": 8443}  # noqa: S104 (an example value)
    assert parse_settings(data, ROOT).server == ServerSettings("0.0.0.0", 8443)  # noqa: S104
    del data["telegram"]
    assert parse_settings(data, ROOT).server == ServerSettings()


@pytest.mark.parametrize(
    ("table", "changes", "message"),
    [
        ("zalo_bot", {"mode": "push"}, 'zalo_bot.mode: \'push\' — use "polling" or "webhook"'),
        ("zalo_bot", {"mode": "webhook"}, "zalo_bot.url: webhook mode needs the public https"),
        (
            "zalo_bot",
            {"mode": "webhook", "url": "http://bot.example.vn/zalo/bot/webhook"},
            "zalo_bot.url: webhook mode needs the public https",
        ),
        ("zalo_bot", {"token_env": "not a name"}, "zalo_bot.token_env: 'not a name' is not"),
        ("zalo_bot", {"base_url": "bot-api"}, "zalo_bot.base_url: 'bot-api' — write the"),
        ("zalo_bot", {"poll_timeout": 0}, "zalo_bot.poll_timeout"),
        ("server", {"port": 70000}, "server.port"),
        ("server", {"max_body_kb": 1}, "server.max_body_kb"),
        ("server", {"listen": " "}, "server.listen"),
    ],
)
def test_wrong_values_name_the_key(table: str, changes: dict[str, Any], message: str) -> None:
    data = example()
    data[table] |= changes
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(")):
        parse_settings(data, ROOT)


def test_the_zalo_bot_secret_follows_zalos_rule() -> None:
    settings = parse_settings(example(), ROOT)
    assert settings.zalo_bot is not None
    with pytest.raises(ConfigError, match="DANVAN_ZALO_BOT_SECRET is not set"):
        settings.zalo_bot.webhook_secret({})
    with pytest.raises(ConfigError, match="must be 8–256 characters"):
        settings.zalo_bot.webhook_secret({"DANVAN_ZALO_BOT_SECRET": "short"})
    secret = settings.zalo_bot.webhook_secret({"DANVAN_ZALO_BOT_SECRET": "long-enough_1"})
    assert secret.reveal() == "long-enough_1"
    assert "long-enough" not in repr(secret)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("telegram", "token_env"),
        ("zalo_bot", "secret_env"),
        ("zalo_oa", "app_secret_env"),
    ],
)
def test_every_env_key_must_name_an_environment_variable(table: str, key: str) -> None:
    data = example()
    data[table][key] = "MY SECRET"
    with pytest.raises(ConfigError, match=rf"^{table}\.{key}: 'MY SECRET' is not an environment"):
        parse_settings(data, ROOT)
