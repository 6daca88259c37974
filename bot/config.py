"""Configuration: one TOML file read once into frozen, typed settings.

Lookup order: `--config PATH`, then `$DANVAN_CONFIG`, then `./config.toml` if it exists,
then the embedded demo commune (`bot/default_config.toml`). Relative paths in a file are
relative to that file's folder; in the embedded default they are relative to the current
directory.

Everything is validated at start-up. A problem raises `ConfigError` whose message names the
key (e.g. `communes[0].offices[2].code`) and says how to fix it. Secrets never live in the
file: the file names an environment variable (`*_env` keys) and `Secret` hides the value
from `repr` and logs.

Every key is documented in `config.example.toml`; `tests/test_config.py` fails when a key
the loader reads is missing there.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.communes import (
    DEFAULT_DEADLINES,
    DEFAULT_RECIPIENTS,
    TRIAGE_OFFICE,
    CommuneDigestSettings,
    CommuneSettings,
    DeadlineRule,
    OfficeSettings,
)
from domain.records import RecordKind
from domain.settings import Policy

DEFAULT_CONFIG_NAME = "default_config.toml"
ENV_CONFIG = "DANVAN_CONFIG"

_COMMUNE_CODE = re.compile(r"^[A-Z]{2,4}$")
_OFFICE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BACKENDS = ("sqlite", "postgres")


class ConfigError(Exception):
    """A configuration problem; the message names the key and the fix."""


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
    daily_jobs_time: time = time(8, 0)


@dataclass(frozen=True, slots=True)
class StorageSettings:
    data_dir: Path
    sqlite_path: Path
    backend: str = "sqlite"
    postgres_dsn: Secret | None = None
    postgres_pool_size: int = 10


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
    download_files: bool = False
    max_file_mb: int = 20

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
class OutboxSettings:
    """Pacing of outgoing messages (Telegram's limits by default)."""

    messages_per_second: int
    private_chat_per_minute: int
    group_per_minute: int
    retry_max_seconds: int
    keep_days: int = 30


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
class Settings:
    bot: BotSettings
    storage: StorageSettings
    communes: tuple[CommuneSettings, ...]
    source: str = field(default="")
    telegram: TelegramSettings | None = None
    outbox: OutboxSettings = field(
        default_factory=lambda: OutboxSettings(
            messages_per_second=30,
            private_chat_per_minute=60,
            group_per_minute=20,
            retry_max_seconds=300,
        )
    )
    digest: DigestSettings = field(
        default_factory=lambda: DigestSettings(True, time(7, 30), "telegram", Path("data"), 15, 5)
    )

    def commune(self, code: str) -> CommuneSettings | None:
        code = code.upper()
        return next((c for c in self.communes if c.code == code), None)


class _Table:
    """A TOML table being read: tracks the key path and refuses unknown keys."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{path or 'the file'}: expected a table — write it as [{path}]")
        self.data: dict[str, Any] = data
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _get(self, name: str, default: Any) -> Any:
        self.seen.add(name)
        return self.data.get(name, default)

    def text(self, name: str, default: str | None = None, *, allow_empty: bool = False) -> str:
        value = self._get(name, default)
        if value is None:
            raise ConfigError(f'{self.key(name)}: missing — add `{name} = "…"`')
        if not isinstance(value, str):
            raise ConfigError(f"{self.key(name)}: expected text in quotes, got {value!r}")
        if not allow_empty and not value.strip():
            raise ConfigError(f"{self.key(name)}: must not be empty")
        return value.strip()

    def integer(self, name: str, default: int, *, minimum: int, maximum: int) -> int:
        value = self._get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{self.key(name)}: expected a whole number, got {value!r}")
        if not minimum <= value <= maximum:
            raise ConfigError(
                f"{self.key(name)}: {value} is out of range — use a number from {minimum} "
                f"to {maximum}"
            )
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.key(name)}: expected true or false, got {value!r}")
        return value

    def texts(self, name: str, default: list[str]) -> list[str]:
        value = self._get(name, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{self.key(name)}: expected a list of texts, e.g. ["a", "b"]')
        return [v.strip() for v in value]

    def table(self, name: str) -> _Table:
        return _Table(self._get(name, {}), self.key(name))

    def tables(self, name: str) -> list[_Table]:
        value = self._get(name, [])
        if not isinstance(value, list):
            raise ConfigError(f"{self.key(name)}: expected [[{self.key(name)}]] tables")
        return [_Table(item, f"{self.key(name)}[{i}]") for i, item in enumerate(value)]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise ConfigError(
                f"{self.key(unknown[0])}: unknown setting — check the spelling against "
                "config.example.toml"
            )


def _default_place(name: str) -> str:
    """ "xã Cát Giang" → "Cát Giang": the place name written before the date."""
    for prefix in ("xã ", "phường ", "thị trấn ", "đặc khu "):
        if name.casefold().startswith(prefix):
            name = name[len(prefix) :]
            break
    return name.split("(", 1)[0].strip() or name


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _date(text: str, key: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{key}: {text!r} is not a date — write it as YYYY-MM-DD") from None


def _office(t: _Table) -> OfficeSettings:
    code = t.text("code").upper()
    if not _OFFICE_CODE.match(code):
        raise ConfigError(f"{t.key('code')}: {code!r} — use 2–10 capital letters or digits")
    office = OfficeSettings(
        code=code,
        name=t.text("name"),
        chat_id=t.text("chat_id", "", allow_empty=True) or None,
        chat_channel=t.text("chat_channel", "telegram"),
    )
    t.done()
    return office


def _deadlines(t: _Table) -> dict[RecordKind, DeadlineRule]:
    rules = dict(DEFAULT_DEADLINES)
    for kind in RecordKind:
        if kind.value not in t.data:
            t.seen.add(kind.value)
            continue
        rule = t.table(kind.value)
        old = rules[kind]
        rules[kind] = DeadlineRule(
            days=rule.integer("days", old.days, minimum=1, maximum=365),
            working_days=rule.flag("working_days", old.working_days),
            resolve_days=rule.integer("resolve_days", old.resolve_days, minimum=0, maximum=365),
            resolve_working_days=rule.flag("resolve_working_days", old.resolve_working_days),
            extension_days=rule.integer(
                "extension_days", old.extension_days, minimum=0, maximum=365
            ),
            max_extensions=rule.integer(
                "max_extensions", old.max_extensions, minimum=0, maximum=10
            ),
        )
        rule.done()
    t.done()
    return rules


def _commune(t: _Table) -> CommuneSettings:
    code = t.text("code").upper()
    if not _COMMUNE_CODE.match(code):
        raise ConfigError(
            f"{t.key('code')}: {code!r} — the commune's short code is 2–4 letters A–Z, "
            'e.g. code = "CG"'
        )
    tz_name = t.text("timezone", "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{t.key("timezone")}: unknown time zone {tz_name!r} — use "Asia/Ho_Chi_Minh"'
        ) from None
    offices = tuple(_office(o) for o in t.tables("offices"))
    if not offices:
        raise ConfigError(f"{t.key('offices')}: a commune needs at least one [[offices]] table")
    codes = [o.code for o in offices]
    for i, office_code in enumerate(codes):
        if office_code in codes[:i]:
            raise ConfigError(f"{t.key('offices')}[{i}].code: {office_code!r} appears twice")
    if TRIAGE_OFFICE not in codes:
        raise ConfigError(
            f'{t.key("offices")}: the office with code "{TRIAGE_OFFICE}" '
            "(Văn phòng HĐND và UBND) is required — it "
            "receives khiếu nại, tố cáo and anything unclear"
        )
    hamlets = tuple(h for h in t.texts("hamlets", []) if h)
    if len(set(hamlets)) != len(hamlets):
        raise ConfigError(f"{t.key('hamlets')}: a hamlet is listed twice")
    holidays = frozenset(
        _date(d, f"{t.key('holidays')}[{i}]") for i, d in enumerate(t.texts("holidays", []))
    )
    working_days = frozenset(
        _date(d, f"{t.key('working_days')}[{i}]") for i, d in enumerate(t.texts("working_days", []))
    )
    for day in sorted(working_days):
        if day.weekday() < 5:
            raise ConfigError(
                f"{t.key('working_days')}: {day.isoformat()} is a weekday already — list "
                "only the Saturdays or Sundays that are worked to make up for a holiday"
            )
    routing_table = t.table("routing")
    routing: dict[str, str] = {}
    for topic, office_code in routing_table.data.items():
        routing_table.seen.add(topic)
        if not _TOPIC.match(topic):
            raise ConfigError(f"{routing_table.key(topic)}: topic ids are lower_snake_case")
        if not isinstance(office_code, str) or office_code.upper() not in codes:
            raise ConfigError(
                f"{routing_table.key(topic)}: {office_code!r} is not one of this commune's "
                f"offices ({', '.join(codes)})"
            )
        routing[topic] = office_code.upper()
    admins: list[tuple[str, str]] = []
    for i, identity in enumerate(t.texts("admins", [])):
        channel, _, external_id = identity.partition(":")
        if not (channel.strip() and external_id.strip()):
            raise ConfigError(
                f"{t.key('admins')}[{i}]: {identity!r} — write the channel and the user id, "
                'e.g. "telegram:123456789"'
            )
        admins.append((channel.strip(), external_id.strip()))
    commune = CommuneSettings(
        code=code,
        name=t.text("name"),
        timezone=tz,
        address=t.text("address", "", allow_empty=True),
        working_hours=t.text("working_hours", "", allow_empty=True),
        hotline=t.text("hotline", "", allow_empty=True),
        reception_schedule=t.text("reception_schedule", "", allow_empty=True),
        website=t.text("website", "", allow_empty=True),
        hamlets=hamlets,
        offices=offices,
        holidays=holidays,
        deadlines=_deadlines(t.table("deadlines")),
        routing=routing,
        digest=_commune_digest(t.table("digest"), t.text("name")),
        admins=tuple(admins),
        working_days=working_days,
    )
    t.done()
    return commune


def _commune_digest(t: _Table, commune_name: str) -> CommuneDigestSettings:
    digest = CommuneDigestSettings(
        place=t.text("place", "", allow_empty=True) or _default_place(commune_name),
        symbol=t.text("symbol", "BC-UBND"),
        signer_authority=t.text("signer_authority", "TM. ỦY BAN NHÂN DÂN", allow_empty=True),
        signer_title=t.text("signer_title", "CHỦ TỊCH"),
        signer_name=t.text("signer_name", "", allow_empty=True),
        recipients=tuple(r for r in t.texts("recipients", list(DEFAULT_RECIPIENTS)) if r),
        chat_id=t.text("chat_id", "", allow_empty=True) or None,
    )
    if not digest.recipients:
        raise ConfigError(f'{t.key("recipients")}: list at least one recipient, e.g. ["Lưu: VT"]')
    t.done()
    return digest


def _time_of_day(t: _Table, name: str, default: str) -> time:
    clock = t.text(name, default)
    match = _CLOCK.match(clock)
    if not match:
        raise ConfigError(
            f'{t.key(name)}: {clock!r} is not a time of day — write it as "HH:MM", e.g. "{default}"'
        )
    return time(int(match.group(1)), int(match.group(2)))


def _digest(t: _Table, data_dir: Path, base: Path) -> DigestSettings:
    send_time = _time_of_day(t, "send_time", "07:30")
    channel = t.text("channel", "telegram")
    if not re.match(r"^[a-z][a-z0-9_]{0,20}$", channel):
        raise ConfigError(f'{t.key("channel")}: {channel!r} — use a channel name like "telegram"')
    archive = t.text("archive_dir", "", allow_empty=True)
    digest = DigestSettings(
        enabled=t.flag("enabled", True),
        send_time=send_time,
        channel=channel,
        archive_dir=_path(archive, base) if archive else data_dir / "digests",
        overdue_list=t.integer("overdue_list", 15, minimum=0, maximum=100),
        top_questions=t.integer("top_questions", 5, minimum=0, maximum=30),
    )
    t.done()
    return digest


def _telegram(t: _Table) -> TelegramSettings:
    mode = t.text("mode", "polling")
    if mode not in TELEGRAM_MODES:
        raise ConfigError(f'{t.key("mode")}: {mode!r} — use "polling" or "webhook"')
    token_env = t.text("token_env", "DANVAN_TELEGRAM_TOKEN")
    secret_env = t.text("secret_env", "DANVAN_TELEGRAM_SECRET")
    for name, value in (("token_env", token_env), ("secret_env", secret_env)):
        if not _ENV_NAME.match(value):
            raise ConfigError(f"{t.key(name)}: {value!r} is not an environment variable name")
    base_url = t.text("base_url", "", allow_empty=True) or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{t.key('base_url')}: {base_url!r} — write the Bot API server's address, e.g. "
            '"http://127.0.0.1:8081/bot"'
        )
    url = t.text("url", "", allow_empty=True) or None
    if mode == "webhook" and (url is None or not url.startswith("https://")):
        raise ConfigError(
            f"{t.key('url')}: webhook mode needs the public https address Telegram posts "
            'to, e.g. url = "https://bot.example.vn/telegram"'
        )
    settings = TelegramSettings(
        token_env=token_env,
        mode=mode,
        base_url=base_url,
        webhook_url=url,
        listen=t.text("listen", "127.0.0.1"),
        port=t.integer("port", 8080, minimum=1, maximum=65535),
        secret_env=secret_env,
        download_files=t.flag("download_files", False),
        max_file_mb=t.integer("max_file_mb", 20, minimum=1, maximum=2000),
    )
    if settings.max_file_mb > 20 and base_url is None:
        raise ConfigError(
            f"{t.key('max_file_mb')}: Telegram lets bots download at most 20 MB — use 20 or "
            "less, or a self-hosted Bot API server (base_url)"
        )
    t.done()
    return settings


def _outbox(t: _Table) -> OutboxSettings:
    settings = OutboxSettings(
        messages_per_second=t.integer("messages_per_second", 30, minimum=1, maximum=1000),
        private_chat_per_minute=t.integer("private_chat_per_minute", 60, minimum=1, maximum=600),
        group_per_minute=t.integer("group_per_minute", 20, minimum=1, maximum=600),
        retry_max_seconds=t.integer("retry_max_seconds", 300, minimum=1, maximum=86400),
        keep_days=t.integer("keep_days", 30, minimum=1, maximum=3650),
    )
    t.done()
    return settings


def parse_settings(data: Mapping[str, Any], base: Path, source: str = "") -> Settings:
    """Validate a parsed TOML document into `Settings`; raises `ConfigError`."""
    root = _Table(dict(data), "")
    b = root.table("bot")
    s = root.table("storage")
    communes = tuple(_commune(c) for c in root.tables("communes"))
    if not communes:
        raise ConfigError("communes: no commune configured — add a [[communes]] table")
    codes = [c.code for c in communes]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise ConfigError(f"communes[{i}].code: {code!r} appears twice")
    default = b.text("default_commune", codes[0]).upper()
    if default not in codes:
        raise ConfigError(
            f"bot.default_commune: {default!r} is not configured — use one of {', '.join(codes)}"
        )
    level = b.text("log_level", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"bot.log_level: use one of {', '.join(LOG_LEVELS)}")
    templates = b.text("templates_dir", "", allow_empty=True)
    bot = BotSettings(
        default_commune=default,
        templates_dir=_path(templates, base) if templates else None,
        knowledge_dirs=tuple(_path(p, base) for p in b.texts("knowledge_dirs", []) if p),
        log_level=level,
        max_text_length=b.integer("max_text_length", 2000, minimum=200, maximum=4000),
        max_photos=b.integer("max_photos", 5, minimum=0, maximum=20),
        daily_jobs_time=_time_of_day(b, "daily_jobs_time", "08:00"),
        max_messages_per_minute=b.integer("max_messages_per_minute", 20, minimum=5, maximum=600),
        privacy_notice_version=b.text("privacy_notice_version", "2026-11"),
        invite_valid_hours=b.integer("invite_valid_hours", 72, minimum=1, maximum=720),
        followup_quiet_days=b.integer("followup_quiet_days", 7, minimum=1, maximum=90),
        reminder_days=b.integer("reminder_days", 2, minimum=0, maximum=30),
        queue_page_size=b.integer("queue_page_size", 10, minimum=1, maximum=50),
    )
    b.done()
    backend = s.text("backend", "sqlite")
    if backend not in BACKENDS:
        raise ConfigError(
            f"storage.backend: {backend!r} is not available — use one of {', '.join(BACKENDS)}"
        )
    data_dir = _path(s.text("data_dir", "data"), base)
    sqlite_name = s.text("sqlite_path", "", allow_empty=True)
    dsn_env = s.text("postgres_dsn_env", "DANVAN_DATABASE_URL")
    pool_size = s.integer("postgres_pool_size", 10, minimum=1, maximum=100)
    storage = StorageSettings(
        data_dir=data_dir,
        sqlite_path=_path(sqlite_name, base) if sqlite_name else data_dir / "danvan.sqlite3",
        backend=backend,
        postgres_dsn=env_secret(dsn_env, "storage.postgres_dsn_env")
        if backend == "postgres"
        else None,
        postgres_pool_size=pool_size,
    )
    s.done()
    digest = _digest(root.table("digest"), data_dir, base)
    telegram = _telegram(root.table("telegram")) if "telegram" in root.data else None
    outbox = _outbox(root.table("outbox"))
    root.done()
    return Settings(
        bot=bot,
        storage=storage,
        communes=communes,
        source=source,
        telegram=telegram,
        outbox=outbox,
        digest=digest,
    )


def env_secret(env_name: str, key: str, environ: Mapping[str, str] = os.environ) -> Secret:
    """Read a secret from the environment variable a `*_env` key names."""
    if not _ENV_NAME.match(env_name):
        raise ConfigError(f"{key}: {env_name!r} is not an environment variable name")
    value = environ.get(env_name, "")
    if not value:
        raise ConfigError(f"{key}: the environment variable {env_name} is not set — export it")
    return Secret(value)


def load_settings(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Find and load the configuration (see the module docstring for the lookup order)."""
    if path is None and environ.get(ENV_CONFIG):
        path = Path(environ[ENV_CONFIG])
    if path is None and Path("config.toml").is_file():
        path = Path("config.toml")
    if path is None:
        text = resources.files("bot").joinpath(DEFAULT_CONFIG_NAME).read_text("utf-8")
        return parse_settings(_parse_toml(text, "embedded default"), Path.cwd(), "embedded")
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc.strerror}") from None
    return parse_settings(_parse_toml(text, str(path)), path.resolve().parent, str(path))


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML ({exc})") from None
