"""The [telegram] and [outbox] settings: defaults, and errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, parse_settings

ROOT = Path(__file__).resolve().parent.parent


def example() -> dict[str, Any]:
    return tomllib.loads((ROOT / "config.example.toml").read_text("utf-8"))


def test_the_example_configures_polling_with_telegrams_limits() -> None:
    settings = parse_settings(example(), ROOT)
    assert settings.telegram is not None
    assert (settings.telegram.mode, settings.telegram.token_env) == (
        "polling",
        "DANVAN_TELEGRAM_TOKEN",
    )
    assert settings.telegram.base_url is None
    outbox = settings.outbox
    assert (outbox.messages_per_second, outbox.private_chat_per_minute) == (30, 60)
    assert outbox.group_per_minute == 20
    data = example()
    del data["telegram"]
    assert parse_settings(data, ROOT).telegram is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "push"}, 'telegram.mode: \'push\' — use "polling" or "webhook"'),
        ({"mode": "webhook"}, "telegram.url: webhook mode needs the public https address"),
        (
            {"mode": "webhook", "url": "http://bot.example.vn/hook"},
            "telegram.url: webhook mode needs the public https address",
        ),
        ({"token_env": "MY TOKEN"}, "telegram.token_env: 'MY TOKEN' is not an environment"),
        ({"base_url": "127.0.0.1:8081"}, "telegram.base_url: '127.0.0.1:8081'"),
        ({"port": 70000}, "telegram.port: 70000 is out of range"),
        ({"tokn_env": "X"}, "telegram.tokn_env: unknown setting"),
    ],
)
def test_telegram_mistakes_name_the_key(changes: dict[str, Any], message: str) -> None:
    data = example()
    data["telegram"].update(changes)
    with pytest.raises(ConfigError) as err:
        parse_settings(data, ROOT)
    assert message in str(err.value)


def test_outbox_mistakes_name_the_key() -> None:
    data = example()
    data["outbox"]["messages_per_second"] = 0
    with pytest.raises(ConfigError, match=r"outbox\.messages_per_second: 0 is out of range"):
        parse_settings(data, ROOT)


def test_the_webhook_secret_must_follow_telegrams_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    data = example()
    data["telegram"].update(mode="webhook", url="https://bot.example.vn/telegram")
    settings = parse_settings(data, ROOT)
    assert settings.telegram is not None
    monkeypatch.setenv("DANVAN_TELEGRAM_SECRET", "có dấu")
    with pytest.raises(ConfigError, match=r"telegram\.secret_env: the value of"):
        settings.telegram.webhook_secret()
    monkeypatch.setenv("DANVAN_TELEGRAM_SECRET", "abc_DEF-123")
    secret = settings.telegram.webhook_secret()
    assert secret.reveal() == "abc_DEF-123"
    assert "abc" not in repr(settings.telegram.webhook_secret())
