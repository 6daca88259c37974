"""Which updates are the officials' (`routing.claims`, before any citizen state)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import App
from domain.lifecycle import Action
from domain.messages import RESUME, Inbound
from domain.records import Official, OfficialRole
from handlers.officials import routing
from handlers.officials.turn import TextStep


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


# --- which updates are the officials' (routing.claims, before any citizen state) -------

_AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
_LAN = Official(7, "CG", "test", "lan", "chị Lan", "VP", OfficialRole.MEMBER, True, _AT)
_REVOKED = replace(_LAN, active=False)
_PENDING = TextStep(1, Action.REPLY, "lan", None)


def _inbound() -> Inbound:
    return Inbound(channel="test", update_id="1", user_id="lan", chat_id="lan", received_at=_AT)


@pytest.mark.parametrize(
    ("fields", "official", "pending", "claimed"),
    [
        ({"is_group": True, "text": "chào cả nhà"}, None, None, True),  # groups always
        ({"button": "r:CG-2611-7KQ3XD:take:1"}, None, None, True),
        ({"button": "p:1:9"}, _LAN, None, True),
        ({"button": "3:kind:pa"}, _LAN, None, False),  # a citizen's step button
        ({"button": RESUME}, _LAN, None, True),
        ({"button": RESUME}, None, None, False),
        ({"text": "/thamgia ABCD2345 Lan"}, None, None, True),
        ({"text": "/hangdoi@danvan_bot"}, None, None, True),  # told "officials only"
        ({"text": "/gopy"}, _LAN, None, False),  # an official may file as a citizen
        ({"text": "/huy"}, _LAN, _PENDING, True),
        ({"text": "/huy"}, _LAN, None, True),  # at rest: the officials' menu
        ({"text": "/tracuu CG-2611-7KQ3XD"}, _LAN, None, True),  # the officials' view
        ({"text": "/start"}, _LAN, None, True),
        ({"text": "/start"}, None, None, False),
        ({"text": "/cuatoi"}, _LAN, None, False),  # their own records as a citizen
        ({"text": "Đã thay bóng"}, _LAN, _PENDING, True),
        ({"text": "Đã thay bóng"}, _LAN, None, True),  # at rest: the officials' menu
        ({"text": "xin chào"}, None, None, False),
        ({"text": "Đã thay bóng", "reply_to_message": "5"}, _LAN, None, True),
        ({"text": "Đã thay bóng", "reply_to_message": "5"}, _REVOKED, None, True),
        ({"text": "Đã thay bóng"}, replace(_REVOKED, step_interrupted=True), None, True),
        ({"text": "Đèn hỏng"}, _REVOKED, None, False),  # then a citizen's message
    ],
)
def test_which_updates_the_officials_side_claims(
    fields: dict[str, Any], official: Official | None, pending: TextStep | None, claimed: bool
) -> None:
    assert routing.claims(replace(_inbound(), **fields), official, pending) is claimed


@pytest.mark.parametrize("text", ["xin chào", "/start", "/tracuu CG-2611-7KQ3XD", "/huy"])
def test_an_official_in_a_citizens_flow_they_chose_stays_there(text: str) -> None:
    inbound = replace(_inbound(), text=text)
    assert not routing.claims(inbound, _LAN, None, citizen_busy=True)
