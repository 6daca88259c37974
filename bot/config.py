"""Configuration: one TOML file read once into frozen, typed settings.

Lookup order: `--config PATH`, then `$DANVAN_CONFIG`, then `./config.toml` if it exists,
then the embedded demo commune (`bot/default_config.toml`). Relative paths in a file are
relative to that file's folder; in the embedded default they are relative to the current
directory.

Each key is declared once, with its default, range and help, in `bot/config_schema.py`;
this module holds the settings the application reads and the rules that span keys (codes,
the VP office, routing to known offices, calendars, the webhook address). Everything is
validated at start-up. A problem raises `ConfigError` whose message names the key (e.g.
`communes[0].offices[2].code`) and says how to fix it. Secrets never live in the file: the
file names an environment variable (`*_env` keys), looked up in the environment passed in
(`os.environ` by default, at the outermost call), and `Secret` hides the value from `repr`
and logs.

Every key is documented in `config.example.toml`; `tests/test_config.py` fails when a
declared key is missing there.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec

from bot import config_communes, config_web
from bot import config_schema as schema
from bot.config_schema import ConfigError
from bot.settings import (
    TELEGRAM_MODES,
    BotSettings,
    DigestSettings,
    OutboxSettings,
    RetentionSettings,
    Secret,
    Settings,
    StorageSettings,
    TelegramSettings,
    ZaloOaSettings,
    check_env_names,
    env_secret,
)

DEFAULT_CONFIG_NAME = "default_config.toml"
ENV_CONFIG = "DANVAN_CONFIG"

_COMMUNE_CODE = re.compile(r"^[A-Z]{2,4}$")
_OFFICE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BACKENDS = ("sqlite", "postgres")


# The settings types are `bot.settings`'s; they are named here too, where callers load them.
__all__ = [
    "BotSettings",
    "ConfigError",
    "DigestSettings",
    "OutboxSettings",
    "RetentionSettings",
    "Secret",
    "Settings",
    "StorageSettings",
    "TelegramSettings",
    "env_secret",
    "load_settings",
    "parse_settings",
]


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _time_of_day(clock: str, key: str, default: str) -> time:
    match = _CLOCK.match(clock.strip())
    if not match:
        raise ConfigError(
            f'{key}: {clock.strip()!r} is not a time of day — write it as "HH:MM", e.g. "{default}"'
        )
    return time(int(match.group(1)), int(match.group(2)))


def _digest(t: schema.DigestTable, data_dir: Path, base: Path) -> DigestSettings:
    channel = t.channel.strip()
    if not re.match(r"^[a-z][a-z0-9_]{0,20}$", channel):
        raise ConfigError(f'digest.channel: {channel!r} — use a channel name like "telegram"')
    archive = t.archive_dir.strip()
    return DigestSettings(
        enabled=t.enabled,
        send_time=_time_of_day(t.send_time, "digest.send_time", "07:30"),
        channel=channel,
        archive_dir=_path(archive, base) if archive else data_dir / "digests",
        overdue_list=t.overdue_list,
        top_questions=t.top_questions,
    )


def _telegram(t: schema.TelegramTable) -> TelegramSettings:
    mode = t.mode.strip()
    if mode not in TELEGRAM_MODES:
        raise ConfigError(f'telegram.mode: {mode!r} — use "polling" or "webhook"')
    check_env_names("telegram", {n: getattr(t, n).strip() for n in ("token_env", "secret_env")})
    base_url = t.base_url.strip() or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"telegram.base_url: {base_url!r} — write the Bot API server's address, e.g. "
            '"http://127.0.0.1:8081/bot"'
        )
    url = t.url.strip() or None
    if mode == "webhook" and (url is None or not url.startswith("https://")):
        raise ConfigError(
            "telegram.url: webhook mode needs the public https address Telegram posts "
            'to, e.g. url = "https://bot.example.vn/telegram"'
        )
    if t.max_file_mb > 20 and base_url is None:
        raise ConfigError(
            "telegram.max_file_mb: Telegram lets bots download at most 20 MB — use 20 or "
            "less, or a self-hosted Bot API server (base_url)"
        )
    return TelegramSettings(
        token_env=t.token_env.strip(),
        mode=mode,
        base_url=base_url,
        webhook_url=url,
        listen=t.listen.strip(),
        port=t.port,
        secret_env=t.secret_env.strip(),
        download_files=t.download_files,
        max_file_mb=t.max_file_mb,
    )


def _bot(t: schema.BotTable, codes: list[str], base: Path) -> BotSettings:
    default = (t.default_commune.strip() or codes[0]).upper()
    if default not in codes:
        raise ConfigError(
            f"bot.default_commune: {default!r} is not configured — use one of {', '.join(codes)}"
        )
    level = t.log_level.strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"bot.log_level: use one of {', '.join(LOG_LEVELS)}")
    templates = t.templates_dir.strip()
    return BotSettings(
        default_commune=default,
        templates_dir=_path(templates, base) if templates else None,
        knowledge_dirs=tuple(_path(p.strip(), base) for p in t.knowledge_dirs if p.strip()),
        log_level=level,
        max_text_length=t.max_text_length,
        max_photos=t.max_photos,
        daily_jobs_time=_time_of_day(t.daily_jobs_time, "bot.daily_jobs_time", "08:00"),
        max_messages_per_minute=t.max_messages_per_minute,
        privacy_notice_version=t.privacy_notice_version.strip(),
        invite_valid_hours=t.invite_valid_hours,
        followup_quiet_days=t.followup_quiet_days,
        reminder_days=t.reminder_days,
        queue_page_size=t.queue_page_size,
    )


def _storage(t: schema.StorageTable, base: Path, environ: Mapping[str, str]) -> StorageSettings:
    backend = t.backend.strip()
    if backend not in BACKENDS:
        raise ConfigError(
            f"storage.backend: {backend!r} is not available — use one of {', '.join(BACKENDS)}"
        )
    data_dir = _path(t.data_dir.strip(), base)
    sqlite_name = t.sqlite_path.strip()
    dsn_env = t.postgres_dsn_env.strip()
    return StorageSettings(
        data_dir=data_dir,
        sqlite_path=_path(sqlite_name, base) if sqlite_name else data_dir / "danvan.sqlite3",
        backend=backend,
        postgres_dsn=env_secret(dsn_env, "storage.postgres_dsn_env", environ)
        if backend == "postgres"
        else None,
        postgres_pool_size=t.postgres_pool_size,
        connect_timeout_seconds=t.connect_timeout_seconds,
        statement_timeout_seconds=t.statement_timeout_seconds,
        acquire_timeout_seconds=t.acquire_timeout_seconds,
        sqlite_busy_timeout_seconds=t.sqlite_busy_timeout_seconds,
        start_wait_seconds=t.start_wait_seconds,
        shared_files_dir=_path(shared, base) if (shared := t.shared_files_dir.strip()) else None,
    )


def _zalo_oa(t: schema.ZaloOaTable) -> ZaloOaSettings:
    check_env_names(
        "zalo_oa", {n: getattr(t, n).strip() for n in ("oa_secret_env", "app_secret_env")}
    )
    for name in ("api_base", "oauth_base"):
        value = getattr(t, name).strip()
        if not value.startswith(("https://", "http://")):
            raise ConfigError(
                f"zalo_oa.{name}: {value!r} — write an address such as https://openapi.zalo.me"
            )
    if not t.app_id.strip().isdigit() or not t.oa_id.strip().isdigit():
        raise ConfigError(
            "zalo_oa.app_id / zalo_oa.oa_id: Zalo's ids are numbers — copy them from the "
            "app's page in the Zalo developer console"
        )
    return ZaloOaSettings(
        app_id=t.app_id.strip(),
        oa_id=t.oa_id.strip(),
        oa_secret_env=t.oa_secret_env.strip(),
        app_secret_env=t.app_secret_env.strip(),
        api_base=t.api_base.strip().rstrip("/"),
        oauth_base=t.oauth_base.strip().rstrip("/"),
        redirect_uri=t.redirect_uri.strip(),
        max_event_age_seconds=t.max_event_age_seconds,
    )


def parse_settings(
    data: Mapping[str, Any],
    base: Path,
    source: str = "",
    environ: Mapping[str, str] = MappingProxyType({}),
) -> Settings:
    """Validate a parsed TOML document into `Settings`; raises `ConfigError`.

    `environ` is where `*_env` keys are looked up at load time (the PostgreSQL DSN).
    """
    doc = schema.decode(data)
    communes = config_communes.communes(doc.communes)
    codes = [c.code for c in communes]
    storage = _storage(doc.storage, base, environ)
    telegram = _telegram(doc.telegram) if doc.telegram is not None else None
    server = config_web.server(doc.server, telegram)
    web = config_web.web(doc.web, server)
    return Settings(
        bot=dataclasses.replace(_bot(doc.bot, codes, base), console_url=web.console_url),
        storage=storage,
        communes=communes,
        source=source,
        telegram=telegram,
        outbox=OutboxSettings(**msgspec.structs.asdict(doc.outbox)),
        digest=_digest(doc.digest, storage.data_dir, base),
        retention=RetentionSettings(**msgspec.structs.asdict(doc.retention)),
        server=server,
        open311=config_web.open311(doc.open311),
        web=web,
        zalo_bot=config_web.zalo_bot(doc.zalo_bot),
        zalo_oa=_zalo_oa(doc.zalo_oa) if doc.zalo_oa is not None else None,
    )


def load_settings(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Find and load the configuration (see the module docstring for the lookup order)."""
    if path is None and environ.get(ENV_CONFIG):
        path = Path(environ[ENV_CONFIG])
    if path is None and Path("config.toml").is_file():
        path = Path("config.toml")
    if path is None:
        text = resources.files("bot").joinpath(DEFAULT_CONFIG_NAME).read_text("utf-8")
        return parse_settings(
            _parse_toml(text, "embedded default"), Path.cwd(), "embedded", environ
        )
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror}") from None
    return parse_settings(_parse_toml(text, str(path)), path.resolve().parent, str(path), environ)


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML ({exc})") from None
