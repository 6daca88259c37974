"""Filing, the draft and where it stands: the states, the way in, resuming a draft.

The steps are in `details.py` (kind → photos and location) and `submit.py` (contact →
summary → submit); the diagram is in the package's docstring.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.records import RecordKind
from handlers.callbacks import MenuButton
from handlers.router import FlowRouter
from handlers.turn import ButtonSpec, Turn

router = FlowRouter("filing")


class Filing(StrEnum):
    RESUME = "filing.resume"
    KIND = "filing.kind"
    IDENTITY = "filing.identity"
    DESCRIPTION = "filing.description"
    HAMLET = "filing.hamlet"
    HAMLET_OTHER = "filing.hamlet_other"
    MEDIA = "filing.media"
    CONTACT = "filing.contact"
    NAME = "filing.name"
    PHONE = "filing.phone"
    PUBLISH = "filing.publish"
    CONFIRM = "filing.confirm"
    EDIT = "filing.edit"
    DUPLICATE = "filing.duplicate"


def draft_of(turn: Turn) -> dict[str, Any]:
    draft: dict[str, Any] = turn.data.setdefault("draft", {})
    return draft


def kind_of(turn: Turn) -> RecordKind | None:
    value = draft_of(turn).get("kind")
    return RecordKind(value) if value else None


def cancel_row(turn: Turn) -> list[ButtonSpec]:
    return [turn.btn("btn.cancel", MenuButton("cancel").pack())]


@router.entry()
async def start(turn: Turn, *, kind: RecordKind | None = None, **prefill: Any) -> None:
    """Begin filing (or offer to resume a draft). Needs consent first."""
    if not turn.citizen.has_consented:
        turn.say("consent_needed")
        await turn.ask_consent(then="filing")
        return
    draft = turn.data.get("draft")
    if draft and draft.get("description") and not prefill:
        await turn.goto(Filing.RESUME)
        return
    turn.data["draft"] = {k: v for k, v in prefill.items() if v is not None}
    if kind is not None:
        draft_of(turn)["kind"] = kind.value
        if kind.needs_identity:
            await turn.goto(Filing.IDENTITY)
        elif draft_of(turn).get("description"):
            await turn.goto(Filing.HAMLET)
        else:
            await turn.goto(Filing.DESCRIPTION)
    else:
        await turn.goto(Filing.KIND)


@router.command("gopy", menu=2, label="cmd.gopy")
@router.action("file")
async def _file(turn: Turn, _args: str) -> None:
    await start(turn)


async def next_step(turn: Turn, state: Filing) -> None:
    """Go to `state`, or back to the summary when editing a finished draft."""
    if draft_of(turn).get("editing"):
        await turn.goto(Filing.CONFIRM)
    else:
        await turn.goto(state)


# --- resume ----------------------------------------------------------------------------


@router.prompt(Filing.RESUME)
async def prompt_resume(turn: Turn) -> None:
    turn.say(
        "filing_resume",
        [
            [turn.btn("btn.resume_draft", "resume"), turn.btn("btn.new_draft", "new")],
            cancel_row(turn),
        ],
        kind=draft_of(turn).get("kind"),
    )


@router.handle(Filing.RESUME)
async def handle_resume(turn: Turn) -> None:
    if turn.action == "resume":
        draft = draft_of(turn)
        draft["editing"] = True
        await turn.goto(first_missing(turn) or Filing.CONFIRM)
    elif turn.action == "new":
        turn.data["draft"] = {}
        await turn.goto(Filing.KIND)
    else:
        turn.say("choose_button")
        await turn.reprompt()


def first_missing(turn: Turn) -> Filing | None:
    draft = draft_of(turn)
    kind = kind_of(turn)
    if kind is None:
        return Filing.KIND
    if not draft.get("description"):
        return Filing.DESCRIPTION
    if "hamlet" not in draft:
        return Filing.HAMLET
    if not draft.get("anonymous") and not (draft.get("name") and draft.get("phone")):
        return Filing.NAME if kind.needs_identity else Filing.CONTACT
    if not kind.needs_identity and "publishable" not in draft:
        return Filing.PUBLISH
    return None
