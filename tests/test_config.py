"""Configuration: the example loads, every key is documented, errors name the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bot.config import ConfigError, Secret, env_secret, load_settings, parse_settings
from bot.config_schema import DeadlinesTable, setting_paths, settings_help
from domain.records import RecordKind

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text("utf-8"))


def test_example_and_embedded_default_load() -> None:
    settings = load_settings(EXAMPLE)
    commune = settings.commune("cg")
    assert commune is not None
    assert commune.office("VP") is not None
    assert commune.routing == {"chieu_sang": "KT"}
    assert commune.deadlines[RecordKind.TO_CAO].working_days
    assert settings.storage.sqlite_path == ROOT / "data" / "danvan.sqlite3"
    assert load_settings(None).communes[0].code == "CG"


def test_every_setting_the_loader_reads_is_in_the_example() -> None:
    documented: set[str] = set()

    def walk(node: Any, prefix: str) -> None:
        items = node if isinstance(node, list) else [node]
        for item in items:
            if isinstance(item, dict):
                for key, value in item.items():
                    path = f"{prefix}.{key}" if prefix else key
                    documented.add(path)
                    if not prefix.endswith("routing"):
                        walk(value, path)

    walk(example(), "")
    declared = list(setting_paths())
    assert "communes.offices.code" in declared
    assert "communes.deadlines.to_cao.max_extensions" in declared
    missing = sorted(k for k in declared if k not in documented)
    assert missing == []


def test_every_key_is_declared_with_its_help() -> None:
    tables = {"bot", "storage", "telegram", "outbox", "digest", "retention", "communes"}
    tables |= {"server", "open311", "web", "zalo_bot", "zalo_oa"}
    tables |= {f"communes.{t}" for t in ("deadlines", "digest", "offices")}
    tables |= {f"communes.deadlines.{k.value}" for k in RecordKind}
    helps = dict(settings_help())
    assert set(helps) >= tables
    assert sorted(k for k, text in helps.items() if not text and k not in tables) == []


def test_the_deadline_tables_are_the_record_kinds() -> None:
    assert {f.name for f in msgspec.structs.fields(DeadlinesTable)} == {k.value for k in RecordKind}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("bot", 5, r"^bot: expected a table — write it as \[bot\]$"),
        ("communes", {"code": "CG"}, r"^communes: expected \[\[communes\]\] tables$"),
        ("communes.0.hamlets", "Thôn 1", r"communes\[0\]\.hamlets: expected a list of texts"),
        ("communes.0.hamlets", ["Thôn 1", 2], r"communes\[0\]\.hamlets: expected a list of"),
        ("telegram.download_files", "yes", r"telegram\.download_files: expected true or false"),
        ("communes.0.offices.1.name", 7, r"offices\[1\]\.name: expected text in quotes, got 7"),
        ("bot.max_photos", True, r"bot\.max_photos: expected a whole number, got True"),
        ("communes.0.digest.colour", "red", r"communes\[0\]\.digest\.colour: unknown setting"),
    ],
)
def test_type_mistakes_name_the_key(path: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(broken(path, value), ROOT)


def test_a_missing_key_says_what_to_add() -> None:
    data = example()
    del data["communes"][0]["offices"][2]["code"]
    with pytest.raises(ConfigError, match=r"communes\[0\]\.offices\[2\]\.code: missing — add"):
        parse_settings(data, ROOT)


def test_the_environment_is_passed_in(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    assert load_settings(None, {"DANVAN_CONFIG": str(config)}).source == str(config)
    data = broken("storage.backend", "postgres")
    settings = parse_settings(data, ROOT, environ={"DANVAN_DATABASE_URL": "postgresql://x"})
    assert settings.storage.postgres_dsn is not None
    assert settings.storage.postgres_dsn.reveal() == "postgresql://x"
    with pytest.raises(ConfigError, match=r"storage\.postgres_dsn_env: the environment variable"):
        parse_settings(data, ROOT, environ={})


def test_every_setting_in_the_example_has_a_comment() -> None:
    lines = EXAMPLE.read_text("utf-8").splitlines()
    seen: set[str] = set()
    table = ""
    for i, line in enumerate(lines):
        header = re.match(r"^\[\[?([\w.]+)\]\]?", line)
        if header:
            table = header.group(1)
            continue
        match = re.match(r"^(\w+)\s*=", line)
        if not match:
            continue
        key = f"{table}.{match.group(1)}"
        if key in seen:
            continue
        seen.add(key)
        assert lines[i - 1].startswith("#") or "#" in line, f"{key} has no comment"


def broken(path: str, value: Any) -> dict[str, Any]:
    data = example()
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("communes.0.code", "cg1", r"communes\[0\]\.code: 'CG1'"),
        ("communes.0.timezone", "Mars/Olympus", r"communes\[0\]\.timezone: unknown time zone"),
        ("communes.0.offices.0.code", "vp!", r"communes\[0\]\.offices\[0\]\.code"),
        ("communes.0.holidays", ["2026-13-01"], r"communes\[0\]\.holidays\[0\]: .* YYYY-MM-DD"),
        ("communes.0.routing", {"chieu_sang": "XX"}, r"communes\[0\]\.routing\.chieu_sang"),
        ("communes.0.deadlines", {"to_cao": {"days": 0}}, r"deadlines\.to_cao\.days: 0"),
        ("bot.default_commune", "HN", r"bot\.default_commune: 'HN' is not configured"),
        ("bot.max_text_length", 10, r"bot\.max_text_length: 10 is out of range"),
        ("bot.max_photos", "5", r"bot\.max_photos: expected a whole number"),
        ("bot.log_level", "LOUD", r"bot\.log_level"),
        ("bot.colour", "blue", r"bot\.colour: unknown setting"),
        ("storage.backend", "oracle", r"storage\.backend: 'oracle'"),
        ("communes.0.name", "", r"communes\[0\]\.name: must not be empty"),
        ("communes.0.admins", ["lan"], r"communes\[0\]\.admins\[0\]: 'lan' — write the channel"),
        (
            "communes.0.deadlines",
            {"to_cao": {"max_extensions": 11}},
            r"deadlines\.to_cao\.max_extensions: 11 is out of range",
        ),
        ("bot.invite_valid_hours", 0, r"bot\.invite_valid_hours: 0 is out of range"),
        ("bot.followup_quiet_days", 0, r"bot\.followup_quiet_days: 0 is out of range"),
        ("digest.send_time", "7h30", r"digest\.send_time: '7h30' is not a time of day"),
        ("digest.send_time", "24:00", r"digest\.send_time: '24:00'"),
        ("digest.overdue_list", 500, r"digest\.overdue_list: 500 is out of range"),
        ("digest.channel", "Tele gram", r"digest\.channel: 'Tele gram'"),
        ("communes.0.digest.recipients", [], r"communes\[0\]\.digest\.recipients: list"),
        ("communes.0.digest.signer_title", "", r"communes\[0\]\.digest\.signer_title"),
    ],
)
def test_errors_name_the_key(path: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(broken(path, value), ROOT)


def test_officials_settings_load() -> None:
    settings = load_settings(EXAMPLE)
    commune = settings.communes[0]
    assert commune.admins == (("console", "admin"),)
    assert commune.office("VP") is not None
    assert commune.offices[0].chat_channel == "telegram"
    rule = commune.deadlines[RecordKind.KHIEU_NAI]
    assert (rule.resolve_days, rule.extension_days, rule.max_extensions) == (30, 15, 1)
    assert settings.bot.reminder_days == 2


def test_vp_office_is_required() -> None:
    data = example()
    data["communes"][0]["offices"] = data["communes"][0]["offices"][1:]
    with pytest.raises(ConfigError, match=r'communes\[0\]\.offices: the office with code "VP"'):
        parse_settings(data, ROOT)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


def test_secrets_come_from_the_environment_and_never_print() -> None:
    environ = {"DANVAN_TEST_TOKEN": "123:abc"}
    secret = env_secret("DANVAN_TEST_TOKEN", "telegram.token_env", environ)
    assert secret.reveal() == "123:abc"
    assert "abc" not in repr(secret) + str(secret)
    assert isinstance(secret, Secret)
    del environ["DANVAN_TEST_TOKEN"]
    with pytest.raises(ConfigError, match=r"telegram\.token_env: the environment variable"):
        env_secret("DANVAN_TEST_TOKEN", "telegram.token_env", environ)


def test_settings_are_frozen() -> None:
    settings = load_settings(EXAMPLE)
    with pytest.raises(AttributeError):
        settings.bot.max_photos = 9  # type: ignore[misc]
