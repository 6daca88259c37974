"""First contact: the notice on processing of personal data, and an explicit choice.

Nothing personal is stored before "Đồng ý": the citizen row holds only the channel
identifier needed to keep the conversation. Without consent the citizen can still ask
questions and look up a record by code.
"""

from __future__ import annotations

from enum import StrEnum

from domain.records import Citizen
from handlers.free_text import answer_before_consent, understander
from handlers.router import FlowRouter
from handlers.turn import HELD_REPORT, Turn

router = FlowRouter("consent")


class Consent(StrEnum):
    ASK = "consent.ask"


@router.prompt(Consent.ASK)
async def prompt_ask(turn: Turn) -> None:
    turn.say(
        "consent_notice",
        [[turn.btn("btn.consent_yes", "yes"), turn.btn("btn.consent_no", "no")]],
    )


@router.handle(Consent.ASK)
async def handle_ask(turn: Turn) -> None:
    if turn.action == "yes":
        await turn.uow.citizens.set_consent(
            turn.citizen.id, turn.now, turn.settings.bot.privacy_notice_version
        )
        turn.citizen = await _reload(turn)
        turn.data.pop("declined", None)
        turn.say("consent_given")
        then = turn.data.pop("after_consent", None)
        held = turn.data.pop(HELD_REPORT, None)
        if isinstance(held, str) and held:
            # What they wrote before the notice: offered back, quoted, to file or not.
            understanding = understander(turn).understand(held)
            await turn.start_flow(
                "questions:report", text=held, understanding=understanding, quote=True
            )
        elif then == "filing":
            await turn.start_flow(then)
        else:
            await turn.go_idle()
    elif turn.action == "no":
        turn.data["declined"] = True
        turn.data.pop("after_consent", None)
        turn.data.pop(HELD_REPORT, None)  # declined: what they wrote is not kept
        turn.say("consent_declined")
        await turn.go_idle()
    else:
        # A question typed instead of choosing is answered (the notice says questions
        # work without consent); then the choice is asked again.
        said = turn.said_count()
        if turn.text:
            await answer_before_consent(turn, turn.text)
        if turn.said_count() == said:
            turn.say("choose_button")
        await turn.reprompt()


async def _reload(turn: Turn) -> Citizen:
    citizen = await turn.uow.citizens.get_by_id(turn.citizen.id)
    if citizen is None:
        raise LookupError("the citizen row vanished inside its own transaction")
    return citizen


@router.entry()
async def ask(turn: Turn, *, then: str | None = None) -> None:
    """Show the notice and wait for the choice; `then="filing"` continues to filing."""
    if then:
        turn.data["after_consent"] = then
    await turn.goto(Consent.ASK)


@router.action("consent")
async def _consent(turn: Turn, _args: str) -> None:
    await ask(turn)
