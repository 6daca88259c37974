"""The configuration file's shape: every key once, with its default, range and help.

Each table is a frozen msgspec `Struct` that refuses unknown keys; `Annotated[…, Meta(…)]`
carries a number's range and every key's one-line help (`config.example.toml` says more).
`decode` turns a parsed TOML document into a `Document` and a `msgspec.ValidationError`
into today's messages that name the key and say how to fix it; the rules that span keys
(codes, offices, calendars, URLs) are `bot.config`'s. `setting_paths` lists every key, for
the docs test.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import msgspec
from msgspec import Meta, field

from domain.communes import DEFAULT_RECIPIENTS


class ConfigError(Exception):
    """A configuration problem; the message names the key and the fix."""


def _n(low: int, high: int, help: str) -> Meta:
    return Meta(ge=low, le=high, description=help)


def _h(help: str) -> Meta:
    return Meta(description=help)


# A text that must not be blank ("must not be empty").
_FILLED = r"\S"


def _filled(help: str) -> Meta:
    return Meta(pattern=_FILLED, description=help)


class Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A TOML table: unknown keys are refused."""


class BotTable(Table, frozen=True):
    # Empty (left out): the first commune.
    default_commune: Annotated[str, _filled("the commune when the channel does not say")] = ""
    templates_dir: Annotated[str, _h("a folder of templates that replace the bundled ones")] = ""
    knowledge_dirs: Annotated[tuple[str, ...], _h("extra knowledge-base folders")] = ()
    log_level: Annotated[str, _filled("DEBUG, INFO, WARNING or ERROR")] = "INFO"
    max_text_length: Annotated[int, _n(200, 4000, "the longest message accepted")] = 2000
    max_photos: Annotated[int, _n(0, 20, "photos one record may carry")] = 5
    max_messages_per_minute: Annotated[int, _n(5, 600, "messages one person may send")] = 20
    privacy_notice_version: Annotated[str, _filled("the personal-data notice's version")] = (
        "2026-11"
    )
    invite_valid_hours: Annotated[int, _n(1, 720, "how long an invite code works")] = 72
    followup_quiet_days: Annotated[int, _n(1, 90, "days before the follow-up question")] = 7
    reminder_days: Annotated[int, _n(0, 30, "remind offices of records due this soon")] = 2
    daily_jobs_time: Annotated[str, _filled('when the daily jobs run, "HH:MM"')] = "08:00"
    queue_page_size: Annotated[int, _n(1, 50, "records on one page of a queue")] = 10


class StorageTable(Table, frozen=True):
    backend: Annotated[str, _filled('"sqlite" or "postgres"')] = "sqlite"
    data_dir: Annotated[str, _filled("the folder for the database, log and files")] = "data"
    sqlite_path: Annotated[str, _h("the SQLite file (empty: <data_dir>/danvan.sqlite3)")] = ""
    postgres_dsn_env: Annotated[str, _filled("the variable with the PostgreSQL DSN")] = (
        "DANVAN_DATABASE_URL"
    )
    postgres_pool_size: Annotated[int, _n(1, 100, "connections per process")] = 10
    connect_timeout_seconds: Annotated[int, _n(1, 300, "connecting to PostgreSQL")] = 10
    statement_timeout_seconds: Annotated[int, _n(1, 3600, "one SQL statement")] = 30
    acquire_timeout_seconds: Annotated[int, _n(1, 300, "waiting for a pooled connection")] = 10
    sqlite_busy_timeout_seconds: Annotated[int, _n(1, 300, "waiting for SQLite's lock")] = 5
    start_wait_seconds: Annotated[
        int, _n(0, 3600, "`danvan run`: waiting at start for the database to answer")
    ] = 60
    shared_files_dir: Annotated[str, _h("files for other processes (empty: the database)")] = ""


class TelegramTable(Table, frozen=True):
    token_env: Annotated[str, _filled("the variable with the bot token")] = "DANVAN_TELEGRAM_TOKEN"  # noqa: S105 (a variable's name)
    mode: Annotated[str, _filled('"polling" or "webhook"')] = "polling"
    base_url: Annotated[str, _h("a self-hosted Bot API server")] = ""
    url: Annotated[str, _h("webhook mode: the public https address")] = ""
    listen: Annotated[str, _filled("webhook mode: the address to listen on")] = "127.0.0.1"
    port: Annotated[int, _n(1, 65535, "webhook mode: the port to listen on")] = 8080
    secret_env: Annotated[str, _filled("webhook mode: the variable with the secret")] = (
        "DANVAN_TELEGRAM_SECRET"  # noqa: S105 (a variable's name)
    )
    download_files: Annotated[bool, _h("keep copies of filed records' files")] = False
    max_file_mb: Annotated[int, _n(1, 2000, "the largest file copied, in MB")] = 20


class ServerTable(Table, frozen=True):
    listen: Annotated[str, _filled("the address the one web server listens on")] = "127.0.0.1"
    port: Annotated[int, _n(0, 65535, "the port the one web server listens on (0: any)")] = 8080
    max_body_kb: Annotated[int, _n(16, 65536, "the largest request body, in KB")] = 1024
    max_outbox_age_seconds: Annotated[
        int, _n(60, 604800, "/healthz: the oldest pending message still healthy")
    ] = 900


class Open311Table(Table, frozen=True):
    enabled: Annotated[bool, _h("serve Open311 GeoReport v2 under /open311/v2/")] = True
    page_size: Annotated[int, _n(1, 1000, "service requests on one page by default")] = 100
    max_page_size: Annotated[int, _n(1, 10000, "the largest page_size a client may ask")] = 1000


class WebTable(Table, frozen=True):
    public_url: Annotated[str, _h("the address people reach the web server at")] = ""


class ZaloBotTable(Table, frozen=True):
    token_env: Annotated[str, _filled("the variable with the Zalo Bot token")] = (
        "DANVAN_ZALO_BOT_TOKEN"  # noqa: S105 (a variable's name)
    )
    mode: Annotated[str, _filled('"polling" or "webhook"')] = "polling"
    base_url: Annotated[str, _filled("the Zalo Bot API address")] = (
        "https://bot-api.zaloplatforms.com"
    )
    url: Annotated[str, _h("webhook mode: the public https address")] = ""
    secret_env: Annotated[str, _filled("webhook mode: the variable with the secret")] = (
        "DANVAN_ZALO_BOT_SECRET"  # noqa: S105 (a variable's name)
    )
    poll_timeout: Annotated[int, _n(1, 60, "polling: seconds one getUpdates call waits")] = 30


class ZaloOaTable(Table, frozen=True):
    app_id: Annotated[str, _filled("the Zalo app's id (developers.zalo.me)")]
    oa_id: Annotated[str, _filled("the Official Account's id")]
    oa_secret_env: Annotated[str, _filled("the variable with the OA secret key")] = (
        "DANVAN_ZALO_OA_SECRET"  # noqa: S105 (a variable's name)
    )
    app_secret_env: Annotated[str, _filled("the variable with the app's secret key")] = (
        "DANVAN_ZALO_APP_SECRET"  # noqa: S105 (a variable's name)
    )
    api_base: Annotated[str, _filled("the OA Open API")] = "https://openapi.zalo.me"
    oauth_base: Annotated[str, _filled("Zalo's OAuth server")] = "https://oauth.zaloapp.com"
    redirect_uri: Annotated[str, _h("the callback URL registered for the app")] = ""
    max_event_age_seconds: Annotated[int, _n(30, 3600, "older webhook events are refused")] = 300


class OutboxTable(Table, frozen=True):
    messages_per_second: Annotated[int, _n(1, 1000, "for the whole bot")] = 30
    private_chat_per_minute: Annotated[int, _n(1, 600, "to one private chat")] = 60
    group_per_minute: Annotated[int, _n(1, 600, "to one group chat")] = 20
    retry_max_seconds: Annotated[int, _n(1, 86400, "the longest wait between retries")] = 300
    keep_days: Annotated[int, _n(1, 3650, "days a sent message is kept")] = 30


class DigestTable(Table, frozen=True):
    enabled: Annotated[bool, _h("make and send the digest every Monday")] = True
    send_time: Annotated[str, _filled('when, on Monday, "HH:MM"')] = "07:30"
    channel: Annotated[str, _filled("the channel the Văn phòng's chat is on")] = "telegram"
    archive_dir: Annotated[str, _h("where the files are kept (empty: <data_dir>/digests)")] = ""
    overdue_list: Annotated[int, _n(0, 100, "overdue records listed by code")] = 15
    top_questions: Annotated[int, _n(0, 30, "unanswered questions listed")] = 5


class RetentionTable(Table, frozen=True):
    closed_record_days: Annotated[
        int, _n(30, 36500, "days after closing before a record is de-identified")
    ] = 1825
    processed_update_days: Annotated[int, _n(1, 3650, "days a processed-update mark is kept")] = 30
    conversation_days: Annotated[int, _n(1, 3650, "days an untouched conversation is kept")] = 180


class OfficeTable(Table, frozen=True):
    code: Annotated[str, _filled("the office's code")]
    name: Annotated[str, _filled("the office's name as citizens see it")]
    chat_id: Annotated[str, _h("the chat for the office's notifications")] = ""
    chat_channel: Annotated[str, _filled("the channel that chat is in")] = "telegram"


class DeadlineTable(Table, frozen=True):
    """One kind's time limits; a key left out keeps the legal default."""

    days: Annotated[int, _n(1, 365, "the first limit, from receipt")] | None = None
    working_days: Annotated[bool, _h("count `days` in working days")] | None = None
    resolve_days: Annotated[int, _n(0, 365, "the limit from thụ lý; 0: none")] | None = None
    resolve_working_days: Annotated[bool, _h("count it in working days")] | None = None
    extension_days: Annotated[int, _n(0, 365, "one extension; 0: none")] | None = None
    max_extensions: Annotated[int, _n(0, 10, "extensions allowed")] | None = None


class DeadlinesTable(Table, frozen=True):
    phan_anh: DeadlineTable | None = None
    kien_nghi: DeadlineTable | None = None
    khieu_nai: DeadlineTable | None = None
    to_cao: DeadlineTable | None = None


class CommuneDigestTable(Table, frozen=True):
    place: Annotated[str, _h("the place name before the date")] = ""
    symbol: Annotated[str, _filled('the "Số: …/BC-UBND" part')] = "BC-UBND"
    signer_authority: Annotated[str, _h("the line above the signer's title")] = (
        "TM. ỦY BAN NHÂN DÂN"
    )
    signer_title: Annotated[str, _filled("the signer's title")] = "CHỦ TỊCH"
    signer_name: Annotated[str, _h("the signer's name")] = ""
    recipients: Annotated[tuple[str, ...], _h('the "Nơi nhận" list')] = DEFAULT_RECIPIENTS
    chat_id: Annotated[str, _h("the chat for the digest (empty: VP's)")] = ""


class CommuneTable(Table, frozen=True):
    code: Annotated[str, _filled("the commune's short code, 2–4 letters")]
    name: Annotated[str, _filled('the name, with "xã" or "phường"')]
    timezone: Annotated[str, _filled("the time zone dates are counted in")] = "Asia/Ho_Chi_Minh"
    address: Annotated[str, _h("the UBND's address")] = ""
    working_hours: Annotated[str, _h("working hours")] = ""
    hotline: Annotated[str, _h("the hotline")] = ""
    reception_schedule: Annotated[str, _h("when the Chủ tịch receives citizens")] = ""
    website: Annotated[str, _h("the web page or portal")] = ""
    hamlets: Annotated[tuple[str, ...], _h("the thôn / tổ dân phố")] = ()
    # thôn → number of households (a household vote's turnout and its >50 % line)
    households: Annotated[dict[str, int], _h("households per thôn = number")] = field(
        default_factory=dict
    )
    holidays: Annotated[tuple[str, ...], _h("public holidays, YYYY-MM-DD")] = ()
    working_days: Annotated[tuple[str, ...], _h("weekend days worked, YYYY-MM-DD")] = ()
    admins: Annotated[tuple[str, ...], _h('bootstrap administrators, "channel:id"')] = ()
    deadlines: DeadlinesTable = field(default_factory=DeadlinesTable)
    digest: CommuneDigestTable = field(default_factory=CommuneDigestTable)
    # topic id → office code; checked against the offices by the loader
    routing: Annotated[dict[str, Any], _h("topic id = office code")] = field(default_factory=dict)
    offices: tuple[OfficeTable, ...] = ()


class Document(Table, frozen=True):
    bot: BotTable = field(default_factory=BotTable)
    storage: StorageTable = field(default_factory=StorageTable)
    telegram: TelegramTable | None = None
    server: ServerTable | None = None
    open311: Open311Table = field(default_factory=Open311Table)
    web: WebTable = field(default_factory=WebTable)
    zalo_bot: ZaloBotTable | None = None
    zalo_oa: ZaloOaTable | None = None
    outbox: OutboxTable = field(default_factory=OutboxTable)
    digest: DigestTable = field(default_factory=DigestTable)
    retention: RetentionTable = field(default_factory=RetentionTable)
    communes: tuple[CommuneTable, ...] = ()


# --- decoding, and errors that name the key ----------------------------------------------

Path = list[str | int]
_MISSING = object()


def decode(data: Mapping[str, Any]) -> Document:
    """The document as typed tables; raises `ConfigError` naming the first wrong key."""
    try:
        return msgspec.convert(dict(data), Document)
    except msgspec.ValidationError as exc:
        what, _, where = str(exc).partition(" - at `$")
        steps: Path = [
            int(index) if index else name
            for name, index in re.findall(r"\.([^.\[`]+)|\[(\d+)\]", where)
        ]
        raise ConfigError(_explain(what, steps, data)) from None


def _explain(what: str, path: Path, data: Mapping[str, Any]) -> str:
    key = _key(path)
    named = re.match(r"Object (contains unknown|missing required) field `(.+)`", what)
    if named:
        inner = _key([*path, named[2]])
        if named[1] == "missing required":
            return f'{inner}: missing — add `{named[2]} = "…"`'
        return f"{inner}: unknown setting — check the spelling against config.example.toml"
    if path and isinstance(path[-1], int) and _is_texts(_declared(path[:-1])[0]):
        path, key = path[:-1], _key(path[:-1])
    declared, meta = _declared(path)
    value = _value(data, path)
    if _is_texts(declared):
        return f'{key}: expected a list of texts, e.g. ["a", "b"]'
    if typing.get_origin(declared) is tuple:
        return f"{key}: expected [[{key}]] tables"
    if _is_table(declared):
        return f"{key or 'the file'}: expected a table — write it as [{key}]"
    if declared is bool:
        return f"{key}: expected true or false, got {value!r}"
    if declared is int and isinstance(value, int) and not isinstance(value, bool) and meta:
        return f"{key}: {value} is out of range — use a number from {meta.ge} to {meta.le}"
    if declared is int:
        return f"{key}: expected a whole number, got {value!r}"
    if declared is str and "matching regex" in what:
        return f"{key}: must not be empty"
    if declared is str:
        return f"{key}: expected text in quotes, got {value!r}"
    return f"{key}: {what}"


def _key(path: Path) -> str:
    """`communes[0].offices[2].code`, as the messages and config.example.toml write it."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else step
    return text


def _unwrap(declared: Any) -> tuple[Any, Meta | None]:
    """The type without `| None` and `Annotated`, and its `Meta`."""
    if typing.get_origin(declared) in (typing.Union, types.UnionType):
        declared = next(a for a in typing.get_args(declared) if a is not type(None))
    if typing.get_origin(declared) is Annotated:
        meta = next((m for m in declared.__metadata__ if isinstance(m, Meta)), None)
        return declared.__origin__, meta
    return declared, None


def _declared(path: Path) -> tuple[Any, Meta | None]:
    """The declared type (and `Meta`) of the key at `path`."""
    declared: Any = Document
    meta = None
    for step in path:
        if isinstance(step, int) and typing.get_origin(declared) is tuple:
            declared, meta = _unwrap(typing.get_args(declared)[0])
        elif isinstance(step, str) and _is_table(declared):
            fields = {f.name: f.type for f in msgspec.structs.fields(declared)}
            declared, meta = _unwrap(fields.get(step))
        else:
            return None, None
    return declared, meta


def _value(data: Any, path: Path) -> Any:
    for step in path:
        if isinstance(data, list) and isinstance(step, int):
            data = data[step] if step < len(data) else _MISSING
        elif isinstance(data, dict):
            data = data.get(step, _MISSING)
        else:
            return _MISSING
    return data


def _is_table(declared: Any) -> bool:
    return isinstance(declared, type) and issubclass(declared, msgspec.Struct)


def _is_texts(declared: Any) -> bool:
    return typing.get_origin(declared) is tuple and typing.get_args(declared)[0] is str


def setting_paths(table: type[Table] = Document, prefix: str = "") -> Iterator[str]:
    """Every key the file may hold, as `communes.offices.code` (list indices left out)."""
    yield from (path for path, _ in settings_help(table, prefix))


def settings_help(table: type[Table] = Document, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every key with its declared help ("" for a table, whose keys have their own)."""
    for info in msgspec.structs.fields(table):
        path = f"{prefix}.{info.name}" if prefix else info.name
        declared, meta = _unwrap(info.type)
        if typing.get_origin(declared) is tuple and _is_table(typing.get_args(declared)[0]):
            declared = typing.get_args(declared)[0]
        yield path, (meta.description or "") if meta else ""
        if _is_table(declared):
            yield from settings_help(declared, path)
