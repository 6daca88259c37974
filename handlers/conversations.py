"""A conversation as storage keeps it: the state, the data, the buttons' nonce.

Citizens and officials have one each, of the same shape (`uow.conversations`,
`uow.official_conversations`). The nonce changes whenever the state changes, so a button
of an older step is recognised as stale (`handlers.callbacks.StepButton`).
`data[TYPED_BUTTONS]` maps the typed form of the last buttons' labels to their data, so
that typing a label works like pressing it. This protocol is written here and in
`handlers.turn` (`Turn.goto`, `StaffTurn.wait_for_text`), nowhere else: the dispatcher
saves either side's own turn with `save`, and an official's step that moves a citizen's
conversation (a request for information) goes through `move`.

An official's conversation is at rest (`OFFICIAL_IDLE`) or waits for the text of a record
step (`OFFICIAL_TEXT`, see `handlers.officials.steps`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.records import OFFICIAL_IDLE, OFFICIAL_TEXT, Conversation
from storage import UnitOfWork
from storage.repos.conversations import ConversationsRepo

__all__ = [
    "IDLE",
    "OFFICIAL_IDLE",
    "OFFICIAL_TEXT",
    "TYPED_BUTTONS",
    "flow_of",
    "is_idle",
    "move",
    "save",
]

# The state of a conversation at rest: the main menu (handlers/flows/menu.py shows it).
IDLE = "menu.idle"
TYPED_BUTTONS = "_buttons"


def flow_of(state: str) -> str:
    """`"filing.hamlet"` → `"filing"`: a state is named by its flow."""
    return state.split(".", 1)[0]


async def save(
    repo: ConversationsRepo,
    owner_id: int,
    state: str,
    data: dict[str, Any],
    nonce: int,
    now: datetime,
) -> None:
    """Keep where a citizen (`uow.conversations`) or an official
    (`uow.official_conversations`) is."""
    await repo.save(
        Conversation(
            owner_id=owner_id,
            flow=flow_of(state),
            state=state,
            data=data,
            nonce=nonce,
            updated_at=now,
        )
    )


async def move(uow: UnitOfWork, citizen_id: int, state: str, now: datetime, **data: Any) -> None:
    """Put a citizen's conversation in `state` from outside their turn (an official's
    step). What it holds (a kept draft) stays, `data` is added, and the buttons the
    citizen was shown go stale, as if they had moved themselves."""
    conversation = await uow.conversations.get(citizen_id)
    merged: dict[str, Any] = dict(conversation.data) if conversation else {}
    merged.update(data)
    merged[TYPED_BUTTONS] = {}
    nonce = (conversation.nonce if conversation else 0) + 1
    await save(uow.conversations, citizen_id, state, merged, nonce, now)


async def is_idle(uow: UnitOfWork, citizen_id: int) -> bool:
    """Whether the citizen is at the menu (not in a draft, a question or another step)."""
    conversation = await uow.conversations.get(citizen_id)
    return conversation is not None and conversation.state == IDLE
