"""First contact: the notice on processing of personal data, and an explicit choice.

Nothing personal is stored before "Đồng ý": the citizen row holds only the channel
identifier needed to keep the conversation. Without consent the citizen can still ask
questions and look up a record by code.
"""

from __future__ import annotations

from enum import StrEnum

from domain.records import Citizen
from handlers.turn import Step, Turn


class Consent(StrEnum):
    ASK = "consent.ask"


async def prompt_ask(turn: Turn) -> None:
    turn.say(
        "consent_notice",
        [[turn.btn("btn.consent_yes", "yes"), turn.btn("btn.consent_no", "no")]],
    )


async def handle_ask(turn: Turn) -> None:
    from handlers.flows import filing, menu

    if turn.action == "yes":
        await turn.uow.citizens.set_consent(
            turn.citizen.id, turn.now, turn.settings.bot.privacy_notice_version
        )
        turn.citizen = await _reload(turn)
        turn.data.pop("declined", None)
        turn.say("consent_given")
        if turn.data.pop("after_consent", None) == "filing":
            await filing.start(turn)
        else:
            await menu.go_idle(turn)
    elif turn.action == "no":
        turn.data["declined"] = True
        turn.data.pop("after_consent", None)
        turn.say("consent_declined")
        await menu.go_idle(turn)
    else:
        from handlers.flows import questions

        # A question typed instead of choosing is answered (the notice says questions
        # work without consent); then the choice is asked again.
        said = turn.said_count()
        if turn.text:
            await questions.answer_before_consent(turn, turn.text)
        if turn.said_count() == said:
            turn.say("choose_button")
        await turn.reprompt()


async def _reload(turn: Turn) -> Citizen:
    citizen = await turn.uow.citizens.get_by_id(turn.citizen.id)
    if citizen is None:
        raise LookupError("the citizen row vanished inside its own transaction")
    return citizen


async def ask(turn: Turn, *, then: str | None = None) -> None:
    """Show the notice and wait for the choice; `then="filing"` continues to filing."""
    if then:
        turn.data["after_consent"] = then
    await turn.goto(Consent.ASK)


STEPS: dict[str, Step] = {Consent.ASK: Step(prompt_ask, handle_ask)}
