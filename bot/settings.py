"""The settings the application reads, as loaded by `bot.config` (frozen, typed).

`Settings` satisfies the core's `domain.settings.CoreSettings`: `BotSettings` extends
`domain.settings.Policy` with what only the application reads. Secrets are `Secret`s, read
from the environment variable a `*_env` key names, when they are needed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from bot import config_schema as schema
from bot.config_schema import ConfigError
from domain.communes import CommuneSettings
from domain.settings import Policy

# Defaults for building settings in code (tests); the file's defaults are the schema's.
_STORAGE = schema.StorageTable()
_TELEGRAM = schema.TelegramTable()
_OUTBOX = schema.OutboxTable()
_RETENTION = schema.RetentionTable()
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Secret:
    """A secret read from the environment; never shown by repr or str."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True, kw_only=True)
class BotSettings(Policy):
    """The `[bot]` table: the core's policy plus what only the application reads."""

    templates_dir: Path | None
    knowledge_dirs: tuple[Path, ...]
    log_level: str
    daily_jobs_time: time


@dataclass(frozen=True, slots=True)
class StorageSettings:
    data_dir: Path
    sqlite_path: Path
    backend: str = _STORAGE.backend
    postgres_dsn: Secret | None = None
    postgres_pool_size: int = _STORAGE.postgres_pool_size
    connect_timeout_seconds: int = _STORAGE.connect_timeout_seconds
    statement_timeout_seconds: int = _STORAGE.statement_timeout_seconds
    acquire_timeout_seconds: int = _STORAGE.acquire_timeout_seconds
    sqlite_busy_timeout_seconds: int = _STORAGE.sqlite_busy_timeout_seconds
    #: `danvan run` only: how long to keep trying a database that cannot be reached yet
    start_wait_seconds: int = _STORAGE.start_wait_seconds
    #: a folder every process reads and writes (None: such files go in the database)
    shared_files_dir: Path | None = None


TELEGRAM_MODES = ("polling", "webhook")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The Telegram channel. Secrets are read from the environment when it starts."""

    token_env: str
    mode: str
    base_url: str | None
    webhook_url: str | None
    listen: str
    port: int
    secret_env: str
    download_files: bool = _TELEGRAM.download_files
    max_file_mb: int = _TELEGRAM.max_file_mb

    def token(self, environ: Mapping[str, str] = os.environ) -> Secret:
        return env_secret(self.token_env, "telegram.token_env", environ)

    def webhook_secret(self, environ: Mapping[str, str] = os.environ) -> Secret:
        secret = env_secret(self.secret_env, "telegram.secret_env", environ)
        if not _SECRET_TOKEN.match(secret.reveal()):
            raise ConfigError(
                f"telegram.secret_env: the value of {self.secret_env} must be 1–256 characters "
                "from A–Z, a–z, 0–9, _ and - (Telegram's rule for the secret token)"
            )
        return secret


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """The one web server (`bot/server`): where it listens and what it accepts."""

    listen: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 1024 * 1024
    max_outbox_age_seconds: int = 900


@dataclass(frozen=True, slots=True)
class Open311Settings:
    """Open311 GeoReport v2 on the one web server (`bot/open311`)."""

    enabled: bool = True
    page_size: int = 100
    max_page_size: int = 1000


@dataclass(frozen=True, slots=True)
class WebSettings:
    """The web pages (`bot/web`): the address the bot's links to them start with."""

    public_url: str = "http://127.0.0.1:8080"

    @property
    def secure(self) -> bool:
        """Behind https: the console's cookie is sent only over https."""
        return self.public_url.startswith("https://")

    @property
    def console_url(self) -> str:
        return self.public_url + "/console/"


ZALO_BOT_MODES = ("polling", "webhook")
_ZALO_BOT_SECRET = re.compile(r"^[A-Za-z0-9_-]{8,256}$")


@dataclass(frozen=True, slots=True)
class ZaloBotSettings:
    """The Zalo Bot Platform channel (a pilot, or an officials' bot)."""

    token_env: str
    mode: str
    base_url: str
    webhook_url: str | None
    secret_env: str
    poll_timeout: int = 30

    def token(self, environ: Mapping[str, str] = os.environ) -> Secret:
        return env_secret(self.token_env, "zalo_bot.token_env", environ)

    def webhook_secret(self, environ: Mapping[str, str] = os.environ) -> Secret:
        secret = env_secret(self.secret_env, "zalo_bot.secret_env", environ)
        if not _ZALO_BOT_SECRET.match(secret.reveal()):
            raise ConfigError(
                f"zalo_bot.secret_env: the value of {self.secret_env} must be 8–256 "
                "characters from A–Z, a–z, 0–9, _ and - (Zalo's rule for the secret token)"
            )
        return secret


@dataclass(frozen=True, slots=True)
class ZaloOaSettings:
    """The Zalo Official Account channel. Secrets are read from the environment at start."""

    app_id: str
    oa_id: str
    oa_secret_env: str
    app_secret_env: str
    api_base: str
    oauth_base: str
    redirect_uri: str
    max_event_age_seconds: int

    def oa_secret(self, environ: Mapping[str, str] = os.environ) -> Secret:
        return env_secret(self.oa_secret_env, "zalo_oa.oa_secret_env", environ)

    def app_secret(self, environ: Mapping[str, str] = os.environ) -> Secret:
        return env_secret(self.app_secret_env, "zalo_oa.app_secret_env", environ)


@dataclass(frozen=True, slots=True)
class OutboxSettings:
    """Pacing of outgoing messages (Telegram's limits by default)."""

    messages_per_second: int
    private_chat_per_minute: int
    group_per_minute: int
    retry_max_seconds: int
    keep_days: int = _OUTBOX.keep_days


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """The weekly digest job: when it runs and where its files and message go."""

    enabled: bool
    send_time: time
    channel: str
    archive_dir: Path
    overdue_list: int
    top_questions: int


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long personal data and bookkeeping are kept (`danvan retention`, daily)."""

    closed_record_days: int = _RETENTION.closed_record_days
    processed_update_days: int = _RETENTION.processed_update_days
    conversation_days: int = _RETENTION.conversation_days


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    bot: BotSettings
    storage: StorageSettings
    communes: tuple[CommuneSettings, ...]
    source: str
    telegram: TelegramSettings | None
    outbox: OutboxSettings
    digest: DigestSettings
    retention: RetentionSettings = RetentionSettings()
    server: ServerSettings = ServerSettings()
    open311: Open311Settings = Open311Settings()
    web: WebSettings = WebSettings()
    zalo_bot: ZaloBotSettings | None = None
    zalo_oa: ZaloOaSettings | None = None

    def commune(self, code: str) -> CommuneSettings | None:
        code = code.upper()
        return next((c for c in self.communes if c.code == code), None)


def check_env_names(table: str, names: Mapping[str, str]) -> None:
    """Each `*_env` key of `table` names a possible environment variable (checked when the
    file is read, before any secret is)."""
    for key, value in names.items():
        if not _ENV_NAME.match(value):
            raise ConfigError(f"{table}.{key}: {value!r} is not an environment variable name")


def env_secret(env_name: str, key: str, environ: Mapping[str, str] = os.environ) -> Secret:
    """Read a secret from the environment variable a `*_env` key names."""
    if not _ENV_NAME.match(env_name):
        raise ConfigError(f"{key}: {env_name!r} is not an environment variable name")
    value = environ.get(env_name, "")
    if not value:
        raise ConfigError(f"{key}: the environment variable {env_name} is not set — export it")
    return Secret(value)
