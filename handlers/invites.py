"""Invite codes for officials: made by an admin (CLI or chat), spent once with /thamgia.

A code is eight Crockford base32 characters from `secrets`, case-insensitive when typed,
valid for `bot.invite_valid_hours`, and single-use (the storage spends it with a
conditional update, so two people racing for one code cannot both join).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from domain.communes import CommuneSettings
from domain.records import Invite, Official, OfficialRole
from domain.settings import CoreSettings
from storage import UnitOfWork

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
ATTEMPTS = 10


class InviteError(Exception):
    """Why an invite cannot be made or used; `reason` selects the template text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(code: str) -> str:
    return code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")


async def make_invite(
    uow: UnitOfWork,
    settings: CoreSettings,
    commune: CommuneSettings,
    office_code: str,
    role: OfficialRole,
    display_name: str | None,
    created_by: str,
    now: datetime,
) -> Invite:
    office_code = office_code.upper()
    if commune.office(office_code) is None:
        raise InviteError("unknown_office")
    for _ in range(ATTEMPTS):
        invite = Invite(
            code="".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)),
            commune_code=commune.code,
            office_code=office_code,
            role=role,
            display_name=display_name,
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(hours=settings.bot.invite_valid_hours),
            used_at=None,
        )
        if await uow.invites.create(invite):
            return invite
    raise RuntimeError("could not find a free invite code")


async def join(
    uow: UnitOfWork,
    code: str,
    channel: str,
    external_id: str,
    display_name: str | None,
    now: datetime,
) -> Official:
    """Spend `code` and bind this identity to the invite's office and role."""
    invite = await uow.invites.get(normalise(code))
    if invite is None:
        raise InviteError("unknown")
    if invite.used_at is not None:
        raise InviteError("used")
    if invite.expires_at <= now:
        raise InviteError("expired")
    name = (display_name or invite.display_name or "").strip()[
        :80
    ] or f"Cán bộ {invite.office_code}"
    official = await uow.officials.upsert(
        invite.commune_code, channel, external_id, name, invite.office_code, invite.role, now
    )
    if not await uow.invites.use(invite.code, official.id, now):
        # Checked above in the same transaction; failing here must roll the join back.
        raise RuntimeError("invite spent between check and use")
    return official
