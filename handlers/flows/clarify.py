"""Asking when the understanding is unsure (issue 11), rather than guessing.

```mermaid
stateDiagram-v2
    [*] --> intent: question or report, neither sure
    intent --> questions: Hỏi thủ tục (the answer, suggestions, «chưa có câu trả lời»)
    intent --> office: Gửi phản ánh, the office unsure
    intent --> questions: Gửi phản ánh (questions:report)
    [*] --> office: a report, its office unsure
    office --> questions: an office chosen, or «Tôi không rõ» (the triage office)
```

`handlers.free_text` comes here by name: `clarify:intent` when the model's question and
report probabilities are close (`Understanding.unsure`), `clarify:office` when no office
holds most of a report's probability (`Understanding.offices`, the two likeliest, shown
with their fields in plain words). A consented citizen's choice of question or report is
kept as an intent label for `danvan faq train` (`handlers.corrections`).
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Any

from domain.communes import TRIAGE_OFFICE
from faq.understand import Intent, Understanding
from handlers import corrections
from handlers.callbacks import OfficeChoice
from handlers.free_text import answer_free_text, answer_question, understander
from handlers.router import FlowRouter
from handlers.turn import ButtonSpec, Turn

router = FlowRouter("clarify")
KEY = "clarify"


class Clarify(StrEnum):
    INTENT = "clarify.intent"
    OFFICE = "clarify.office"


def _keep(turn: Turn, text: str, understanding: Understanding) -> None:
    turn.data[KEY] = {"text": text, "offices": list(understanding.offices)}


@router.entry("intent")
async def ask_intent(turn: Turn, text: str, understanding: Understanding) -> None:
    _keep(turn, text, understanding)
    await turn.goto(Clarify.INTENT)


@router.entry("office")
async def ask_office(turn: Turn, text: str, understanding: Understanding) -> None:
    _keep(turn, text, understanding)
    await turn.goto(Clarify.OFFICE)


@router.prompt(Clarify.INTENT)
async def prompt_intent(turn: Turn) -> None:
    turn.say(
        "clarify_intent",
        [
            [
                turn.btn("btn.clarify_question", "question"),
                turn.btn("btn.clarify_report", "report"),
            ]
        ],
    )


@router.handle(Clarify.INTENT)
async def handle_intent(turn: Turn) -> None:
    kept: dict[str, Any] = turn.data.get(KEY, {})
    text = str(kept.get("text") or "")
    if turn.action not in ("question", "report") or not text:
        await _typed_instead(turn)
        return
    turn.data.pop(KEY, None)
    understanding = understander(turn).understand(text)
    if turn.citizen.has_consented:
        await corrections.labelled(
            turn.uow,
            turn.commune.code,
            turn.now,
            text,
            turn.action,
            previous=understanding.intent.value,
            source="chose",
        )
    if turn.action == "question":
        await answer_question(turn, text, understanding)
    elif understanding.offices:
        await ask_office(turn, text, understanding)
    else:
        await _report(turn, text, understanding)


@router.prompt(Clarify.OFFICE)
async def prompt_office(turn: Turn) -> None:
    kept: dict[str, Any] = turn.data.get(KEY, {})
    offices = [o for o in (turn.commune.office(c) for c in kept.get("offices", [])) if o]
    rows: list[list[ButtonSpec]] = [[(o.name, OfficeChoice(o.code).pack())] for o in offices]
    rows.append([turn.btn("btn.clarify_unsure", OfficeChoice(TRIAGE_OFFICE).pack())])
    turn.say("clarify_office", rows, offices=offices)


@router.handle(Clarify.OFFICE)
async def handle_office(turn: Turn) -> None:
    kept: dict[str, Any] = turn.data.get(KEY, {})
    text = str(kept.get("text") or "")
    choice = OfficeChoice.unpack(turn.action or "")
    if choice is None or not text or turn.commune.office(choice.code) is None:
        await _typed_instead(turn)
        return
    turn.data.pop(KEY, None)
    understanding = understander(turn).understand(text)
    topic = understanding.topic
    if understander(turn).routing.get(topic or "") != choice.code:
        topic = None  # (the topic the model guessed belongs to another office)
    chosen = replace(understanding, intent=Intent.REPORT, topic=topic, office=choice.code)
    await _report(turn, text, chosen)


async def _report(turn: Turn, text: str, understanding: Understanding) -> None:
    sure = replace(understanding, intent=Intent.REPORT, unsure=False, offices=())
    await turn.start_flow("questions:report", text=text, understanding=sure)


async def _typed_instead(turn: Turn) -> None:
    """Text instead of a button: understood afresh; anything else: the buttons again."""
    if turn.text:
        turn.data.pop(KEY, None)
        await answer_free_text(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()
