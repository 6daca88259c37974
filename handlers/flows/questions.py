"""Free text and "Hỏi thủ tục": answer, suggest, offer to file, or point to 113/114/115.

```mermaid
stateDiagram-v2
    [*] --> ask: Hỏi thủ tục
    ask --> [*]: answer shown (idle)
    [*] --> report: text reports a problem
    report --> filing: Đúng, gửi phản ánh (description, topic, office pre-filled)
    report --> [*]: Không, tôi muốn hỏi
    [*] --> unknown: not understood
    unknown --> filing: Gửi câu hỏi tới UBND (as a kiến nghị)
```

Free text itself is answered by `handlers.free_text` (a service several flows use); it
comes here, by name, when there is more to ask: `questions:report` (offer to file what
the text reports), `questions:suggest` (entries that may be meant) and `questions:unclear`
(not understood: offer to forward it). For a citizen who has not consented, nothing they
typed is kept: no pre-filled report, no question to forward.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.communes import TRIAGE_OFFICE
from domain.records import RecordKind
from faq.topics import TOPICS
from faq.understand import Understanding
from handlers import corrections
from handlers.callbacks import FAQ_ACTION, MenuButton
from handlers.free_text import answer_free_text, button_rows, faq_button, show_entry, understander
from handlers.router import FlowRouter
from handlers.text import has_words
from handlers.turn import HELD_REPORT, ButtonSpec, Turn

POPULAR = ("khai_sinh", "chung_thuc_ban_sao", "tam_tru", "ho_kinh_doanh")

router = FlowRouter("questions")


class Questions(StrEnum):
    ASK = "questions.ask"
    REPORT = "questions.report"
    UNKNOWN = "questions.unknown"


@router.entry()
async def start(turn: Turn) -> None:
    await turn.goto(Questions.ASK)


@router.action("ask")
async def _ask(turn: Turn, _args: str) -> None:
    await start(turn)


@router.action(FAQ_ACTION)
async def _faq(turn: Turn, entry_id: str) -> None:
    entry = turn.knowledge.entry(entry_id)
    if entry is None:
        turn.say("stale_button")
        await turn.go_idle()
    else:
        await show_entry(turn, entry)


@router.prompt(Questions.ASK)
async def prompt_ask(turn: Turn) -> None:
    buttons = button_rows([faq_button(turn, i) for i in POPULAR])
    buttons.append([turn.btn("btn.menu", MenuButton("menu").pack())])
    turn.say("questions_ask", buttons)


@router.handle(Questions.ASK)
async def handle_ask(turn: Turn) -> None:
    if turn.text:
        await answer_free_text(turn)
    else:
        turn.say("input_unsupported")
        await turn.reprompt()


@router.entry("suggest")
async def suggest(turn: Turn, text: str, suggestions: tuple[str, ...]) -> None:
    buttons: list[list[ButtonSpec]] = [
        [b] for b in (faq_button(turn, i) for i in suggestions[:3]) if b is not None
    ]
    buttons.append([turn.btn("btn.none_of_these", "none")])
    if turn.citizen.has_consented:
        turn.data["question"] = text
    turn.say("faq_suggestions", buttons)
    await turn.goto(Questions.UNKNOWN, quiet=True)


@router.entry("unclear")
async def not_understood(turn: Turn, text: str) -> None:
    if turn.citizen.has_consented:
        turn.data["question"] = text
    await turn.goto(Questions.UNKNOWN)


@router.prompt(Questions.UNKNOWN)
async def prompt_unknown(turn: Turn) -> None:
    buttons: list[list[ButtonSpec]] = []
    question = str(turn.data.get("question") or "")
    if turn.citizen.has_consented and has_words(question) and len(question.split()) >= 3:
        # (emoji, "???" or a word or two are not worth an office's time as a kiến nghị)
        buttons.append([turn.btn("btn.forward_question", "forward")])
    buttons.append([turn.btn("btn.menu", MenuButton("menu").pack())])
    turn.say("faq_unknown", buttons, consented=turn.citizen.has_consented)


@router.handle(Questions.UNKNOWN)
async def handle_unknown(turn: Turn) -> None:
    if turn.action == "none":
        await turn.goto(Questions.UNKNOWN)
    elif turn.action == "forward" and turn.data.get("question"):
        question = str(turn.data.pop("question"))
        topic, office = understander(turn).route(question, RecordKind.KIEN_NGHI.value)
        await turn.start_flow(
            "filing", kind=RecordKind.KIEN_NGHI, description=question, topic=topic, office=office
        )
    elif turn.text:
        turn.data.pop("question", None)
        await answer_free_text(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()


@router.entry("report")
async def offer_report(
    turn: Turn, text: str, understanding: Understanding, *, quote: bool = False
) -> None:
    """Offer to file what `text` reports; `quote`: say it back (it was written before the
    notice on personal data, some turns ago)."""
    if not turn.citizen.has_consented:
        turn.say("report_needs_consent")
        await turn.ask_consent(then="filing")
        turn.data[HELD_REPORT] = text  # offered back after «Đồng ý», dropped otherwise
        return
    turn.data["offer"] = {
        "quote": quote,
        "text": text,
        "kind": turn.knowledge.requested_kind(text).value,
        "topic": understanding.topic,
        "office": understanding.office,
    }
    await turn.goto(Questions.REPORT)


@router.prompt(Questions.REPORT)
async def prompt_report(turn: Turn) -> None:
    offer: dict[str, Any] = turn.data.get("offer", {})
    office = turn.commune.office(str(offer.get("office") or TRIAGE_OFFICE))
    turn.say(
        "report_offer",
        [
            [turn.btn("btn.yes_report", "yes")],
            [
                turn.btn("btn.no_question", "no"),
                turn.btn("btn.cancel", MenuButton("cancel").pack()),
            ],
        ],
        kind=str(offer.get("kind") or RecordKind.PHAN_ANH.value),
        topic=TOPICS.get(str(offer.get("topic") or "")),
        office_name=office.name if office else None,
        quote=str(offer.get("text") or "") if offer.get("quote") else None,
    )


@router.handle(Questions.REPORT)
async def handle_report(turn: Turn) -> None:
    offer: dict[str, Any] = turn.data.pop("offer", {}) if turn.action else {}
    if turn.action == "yes" and offer.get("text"):
        kind = RecordKind(offer.get("kind") or RecordKind.PHAN_ANH.value)
        if kind.needs_identity:
            # "Tôi muốn tố cáo …" says what they want, not yet what happened: ask for it.
            await turn.start_flow("filing", kind=kind)
        else:
            await turn.start_flow(
                "filing",
                kind=kind,
                description=offer["text"],
                topic=offer.get("topic"),
                office=offer.get("office"),
            )
    elif turn.action == "no" and offer.get("text"):
        # «Không, tôi muốn hỏi»: the guess was wrong, an intent label (handlers.corrections)
        await corrections.labelled(
            turn.uow,
            turn.commune.code,
            turn.now,
            offer["text"],
            "question",
            previous="report",
            source="rejected_report",
        )
        understanding = understander(turn).understand(offer["text"])
        candidates = understanding.suggestions or tuple(
            entry_id for entry_id, _ in understander(turn).candidates(offer["text"])
        )
        if candidates:
            await suggest(turn, offer["text"], candidates)
        else:
            await not_understood(turn, offer["text"])
    elif turn.text:
        turn.data.pop("offer", None)
        await answer_free_text(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()
