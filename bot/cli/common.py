"""What every `danvan` command shares: `--config`, loading the settings, logging, failing.

A command that needs the settings is declared with `@settings_command()`: it receives them
loaded (a configuration problem ends it with exit status 2 and the loader's message).
Problems are printed as `danvan: …` on stderr with exit status 2; nothing else raises out.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

import click

from bot.config import ConfigError, Settings, load_settings
from domain.communes import CommuneSettings
from storage.base import StorageUnavailable

P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])

CONFIG_HELP = "Configuration file (default: $DANVAN_CONFIG, ./config.toml, or the demo commune)."
_CONFIG_KEY = "danvan.config"


def _remember_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[_CONFIG_KEY] = value  # meta is shared: the last --config given wins


def config_option(command: F) -> F:
    """`--config PATH`, accepted before the command name and after it."""
    option = click.option(
        "--config",
        type=click.Path(path_type=Path),
        expose_value=False,
        is_eager=True,
        callback=_remember_config,
        help=CONFIG_HELP,
    )
    return option(command)


def fail(message: str) -> int:
    print(f"danvan: {message}", file=sys.stderr)
    return 2


def settings_command(
    log: Literal["stderr", "file"] | None = None,
) -> Callable[[Callable[Concatenate[Settings, P], int]], Callable[P, int]]:
    """Load the settings for the command; `log` sends the log to stderr or the data folder."""

    def decorate(command: Callable[Concatenate[Settings, P], int]) -> Callable[P, int]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> int:
            path = click.get_current_context().meta.get(_CONFIG_KEY)
            try:
                settings = load_settings(path, os.environ)
            except ConfigError as exc:
                return fail(f"configuration problem: {exc}")
            if log is not None:
                setup_logging(settings, to_file=log == "file")
            return command(settings, *args, **kwargs)

        return run

    return decorate


def run_async(work: Coroutine[Any, Any, int]) -> int:
    """Run a command's coroutine; Ctrl-C ends it with status 130, a database that cannot
    be opened with one line and status 1."""
    try:
        return asyncio.run(work)
    except KeyboardInterrupt:
        return 130
    except StorageUnavailable as exc:
        fail(str(exc))
        return 1


def local_time(settings: Settings, moment: datetime, commune: CommuneSettings | None = None) -> str:
    """A moment in the commune's local time, as the chat writes it: «17:22 05/12/2026»
    and the offset (the default commune's, unless `commune` is given)."""
    zone = commune or settings.commune(settings.bot.default_commune) or settings.communes[0]
    local = moment.astimezone(zone.timezone)
    offset = f"{local:%z}"
    return f"{local:%H:%M %d/%m/%Y} (UTC{offset[:3]}:{offset[3:]})"


def commune_or_none(settings: Settings, code: str | None) -> CommuneSettings | None:
    """The commune `--commune` names (default: `bot.default_commune`); prints the problem."""
    commune = settings.commune(code or settings.bot.default_commune)
    if commune is None:
        codes = ", ".join(c.code for c in settings.communes)
        fail(f"--commune {code}: not configured; use one of {codes}")
    return commune


def setup_logging(settings: Settings, to_file: bool) -> None:
    handler: logging.Handler
    if to_file:
        settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(settings.storage.data_dir / "danvan.log", encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.bot.log_level)
    # The HTTP client logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
