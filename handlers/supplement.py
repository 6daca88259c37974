"""The «Bổ sung CODE» button: a record waits for its citizen's information.

Shown by several flows (/tracuu, /cuatoi, free text) and by officials' notifications
(`handlers/staff.py`), so it lives outside any one of them; pressing it starts the answer
step of `handlers/flows/info.py`.
"""

from __future__ import annotations

from domain.messages import Button
from domain.permissions import Actor, allowed
from domain.records import Action, Record, RecordStatus
from handlers.callbacks import SupplementButton
from handlers.render import Renderer
from handlers.turn import ButtonSpec, Turn


def supplement_label(renderer: Renderer, code: str) -> str:
    return f"{renderer.label('btn.supplement')} {code}"


def supplement_button(renderer: Renderer, code: str) -> Button:
    """For notifications (built outside a conversation turn)."""
    return Button(supplement_label(renderer, code), SupplementButton(code).pack())


def supplement_spec(renderer: Renderer, code: str) -> ButtonSpec:
    """For a turn's own messages (/tracuu, /cuatoi, a reminder)."""
    return (supplement_label(renderer, code), SupplementButton(code).pack())


def waits_for(turn: Turn, record: Record) -> bool:
    """Whether `record` is the citizen's own and waits for their information."""
    return record.status is RecordStatus.NEED_INFO and allowed(
        Actor.for_citizen(turn.citizen.id), record, Action.INFO_RECEIVED
    )
