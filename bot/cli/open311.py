"""`danvan open311 key create|list|revoke`: the API keys partners post Open311 requests with.

`create` prints the key once; storage keeps only its SHA-256 (`bot.open311.keys`), so a
lost key is revoked and a new one made. A key may be limited to one commune (`--commune`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from bot.app import App
from bot.cli.common import config_option, fail, local_time, run_async, settings_command
from bot.open311.keys import new_key
from bot.settings import Settings

NAME_MAX = 80


@click.group()
@config_option
def open311() -> None:
    """Open311 GeoReport v2: the keys a province portal or partner posts requests with."""


@open311.group()
@config_option
def key() -> None:
    """Make, list and revoke API keys."""


@key.command()
@click.option("--name", required=True, help='Who holds the key, e.g. "Cổng tỉnh".')
@click.option("--commune", help="Only this commune's requests (default: any commune).")
@config_option
@settings_command(log="stderr")
def create(settings: Settings, name: str, commune: str | None) -> int:
    """Make a key and print it once (only its hash is kept)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX:
        return fail(f"--name: 1 to {NAME_MAX} characters")
    chosen = None
    if commune:
        found = settings.commune(commune)
        if found is None:
            codes = ", ".join(c.code for c in settings.communes)
            return fail(f"--commune {commune}: not configured; use one of {codes}")
        chosen = found.code

    async def make() -> int:
        secret, digest = new_key()
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            made = await uow.open311.add_key(name, chosen, digest, datetime.now(UTC))
        print(f"key {made.id} for {made.name} ({made.commune_code or 'any commune'}):")
        print(secret)
        print("it is shown only now: give it to the partner, who sends it as api_key")
        return 0

    return run_async(make())


@key.command("list")
@config_option
@settings_command(log="stderr")
def list_keys(settings: Settings) -> int:
    """List the keys: id, name, commune, created, last used, revoked."""

    async def show() -> int:
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            keys = await uow.open311.list_keys()
        for k in keys:
            used = local_time(settings, k.last_used_at) if k.last_used_at else "never used"
            revoked = f"revoked {local_time(settings, k.revoked_at)}" if k.revoked_at else "active"
            print(
                f"{k.id}\t{k.name}\t{k.commune_code or 'any commune'}\t"
                f"created {local_time(settings, k.created_at)}\t{used}\t{revoked}"
            )
        if not keys:
            print("no keys")
        return 0

    return run_async(show())


@key.command()
@click.argument("key_id", metavar="ID", type=int)
@config_option
@settings_command(log="stderr")
def revoke(settings: Settings, key_id: int) -> int:
    """Revoke a key (by the id `list` shows): its posts are refused from now on."""

    async def stop() -> int:
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            revoked = await uow.open311.revoke_key(key_id, datetime.now(UTC))
        if not revoked:
            return fail(f"key {key_id}: no active key with this id")
        print(f"key {key_id} revoked")
        return 0

    return run_async(stop())
