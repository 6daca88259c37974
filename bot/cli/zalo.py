"""`danvan zalo authorize`: let danvan act for the commune's Official Account.

It prints the OA permission link (OAuth v4 with PKCE), asks for the address Zalo sent the
administrator back to (or just its `code`), exchanges the code for the access/refresh pair
and stores the pair; `danvan run` refreshes it from then on. Run it again when the
administrators are told the refresh failed (or after three months unused).
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import click

from bot.app import App
from bot.cli.common import config_option, fail, run_async, settings_command
from bot.config import ConfigError
from bot.settings import Settings


@click.group()
@config_option
def zalo() -> None:
    """The Zalo Official Account: authorize danvan to answer for it."""


def _code_from(answer: str, state: str) -> str | None:
    """The code in a pasted callback address (its state checked), or the bare code."""
    answer = answer.strip()
    if "://" not in answer and "?" not in answer:
        return answer or None
    query = parse_qs(urlsplit(answer).query)
    if query.get("state", [state])[0] != state:
        return None
    codes = query.get("code")
    return codes[0] if codes else None


@zalo.command()
@config_option
@settings_command(log="stderr")
def authorize(settings: Settings) -> int:
    """Print the OA permission link, then exchange the code Zalo returns for tokens."""
    oa = settings.zalo_oa
    if oa is None:
        return fail("no [zalo_oa] table in the configuration (see config.example.toml)")
    if not oa.redirect_uri:
        return fail(
            "zalo_oa.redirect_uri: write the callback URL registered for the app in the "
            "Zalo developer console (the app → Official Account → Callback URL)"
        )
    try:
        app_secret = oa.app_secret(os.environ)
    except ConfigError as exc:
        return fail(f"configuration problem: {exc}")
    # why: httpx is imported with the Zalo channel only
    from bot.channels.zalo_oa.api import (
        ZaloApiError,
        ZaloOaApi,
        ZaloTransportError,
        permission_url,
        pkce_pair,
    )
    from bot.channels.zalo_oa.tokens import TokenKeeper  # why: as above

    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(12)
    click.echo("Open this link as an administrator of the Official Account and allow the app:")
    click.echo(permission_url(oa.oauth_base, oa.app_id, oa.redirect_uri, challenge, state))
    answer = click.prompt("Paste the address Zalo sent you to (or its code)", prompt_suffix=": ")
    code = _code_from(answer, state)
    if not code:
        return fail("no code in that address (or it was for another request) — run it again")

    async def exchange() -> int:
        api = ZaloOaApi(oa.app_id, app_secret.reveal(), oa.api_base, oa.oauth_base)
        try:
            grant = await api.exchange_code(code, verifier)
            async with await App.open(settings) as app:
                keeper = TokenKeeper(app.storage, api, oa.oa_id, lambda: datetime.now(UTC))
                pair = await keeper.store_grant(grant)
        except ZaloApiError as exc:
            return fail(f"Zalo refused the code (error {exc.code}) — run it again")
        except ZaloTransportError as exc:
            return fail(f"could not reach Zalo's OAuth server ({exc}) — try again")
        finally:
            await api.close()
        click.echo(
            f"Authorized: the access token is good until {pair.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        return 0

    return run_async(exchange())
