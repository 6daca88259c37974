"""Loading the `[server]`, `[web]`, `[open311]` and `[zalo_bot]` tables (the one web server,
its web pages, Open311, the Zalo Bot Platform); `bot.config` calls these."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot import config_schema as schema
from bot.config_schema import ConfigError
from bot.settings import (
    ZALO_BOT_MODES,
    Open311Settings,
    ServerSettings,
    TelegramSettings,
    WebSettings,
    ZaloBotSettings,
    check_env_names,
)


def server(t: schema.ServerTable | None, telegram: TelegramSettings | None) -> ServerSettings:
    """Without a `[server]` table, a Telegram webhook's `listen` and `port` (the keys it
    had before the one server) say where the server listens."""
    if t is None:
        if telegram is not None:
            return ServerSettings(listen=telegram.listen, port=telegram.port)
        return ServerSettings()
    return ServerSettings(
        listen=t.listen.strip(),
        port=t.port,
        max_body_bytes=t.max_body_kb * 1024,
        max_outbox_age_seconds=t.max_outbox_age_seconds,
    )


def open311(t: schema.Open311Table) -> Open311Settings:
    if t.page_size > t.max_page_size:
        raise ConfigError(
            f"open311.page_size: {t.page_size} is more than open311.max_page_size "
            f"({t.max_page_size}) — lower it or raise max_page_size"
        )
    return Open311Settings(enabled=t.enabled, page_size=t.page_size, max_page_size=t.max_page_size)


def web(t: schema.WebTable, server: ServerSettings) -> WebSettings:
    """Without `public_url`, the links point at the server itself (a trial on one machine)."""
    url = t.public_url.strip().rstrip("/")
    if not url:
        host = "127.0.0.1" if server.listen in ("0.0.0.0", "::", "") else server.listen  # noqa: S104 (compared, not bound)
        return WebSettings(public_url=f"http://{host}:{server.port or 8080}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError(
            f"web.public_url: {url!r} — write the address people open, e.g. "
            '"https://danvan.example.vn" (https behind a reverse proxy)'
        )
    return WebSettings(public_url=url)


def zalo_bot(t: schema.ZaloBotTable | None) -> ZaloBotSettings | None:
    if t is None:
        return None
    mode = t.mode.strip()
    if mode not in ZALO_BOT_MODES:
        raise ConfigError(f'zalo_bot.mode: {mode!r} — use "polling" or "webhook"')
    check_env_names("zalo_bot", {n: getattr(t, n).strip() for n in ("token_env", "secret_env")})
    base_url = t.base_url.strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"zalo_bot.base_url: {base_url!r} — write the Bot API address, e.g. "
            '"https://bot-api.zaloplatforms.com"'
        )
    url = t.url.strip() or None
    if mode == "webhook" and (url is None or not url.startswith("https://")):
        raise ConfigError(
            "zalo_bot.url: webhook mode needs the public https address Zalo posts to, "
            'e.g. url = "https://bot.example.vn/zalo/bot/webhook"'
        )
    return ZaloBotSettings(
        token_env=t.token_env.strip(),
        mode=mode,
        base_url=base_url,
        webhook_url=url,
        secret_env=t.secret_env.strip(),
        poll_timeout=t.poll_timeout,
    )
