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

What the understander decides is pure (`faq.understand`); this module only turns it into
messages. A question answered below the confidence threshold, or not at all, is logged in
a redacted form for the weekly digest. For a citizen who has not consented, nothing they
typed is kept: no pre-filled report, no question to forward.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from markupsafe import Markup

from domain.communes import TRIAGE_OFFICE, CommuneSettings
from domain.records import RecordKind, RecordStatus
from faq.knowledge import FaqEntry
from faq.topics import TOPICS
from faq.understand import Intent, Understander, Understanding, is_thanks
from handlers.flows.info import supplement_data, supplement_label
from handlers.knowledge import loggable_question, requested_kind
from handlers.render import Renderer
from handlers.text import has_words
from handlers.turn import ButtonSpec, Step, Turn

POPULAR = ("khai_sinh", "chung_thuc_ban_sao", "tam_tru", "ho_kinh_doanh")


class Questions(StrEnum):
    ASK = "questions.ask"
    REPORT = "questions.report"
    UNKNOWN = "questions.unknown"


def understander(turn: Turn) -> Understander:
    return turn.knowledge.understander(
        turn.commune, turn.now.astimezone(turn.commune.timezone).date()
    )


def _faq_button(turn: Turn, entry_id: str) -> ButtonSpec | None:
    entry = turn.knowledge.entry(entry_id)
    return (entry.title, f"m:faq:{entry.id}") if entry else None


def _rows(buttons: list[ButtonSpec | None], per_row: int = 2) -> list[list[ButtonSpec]]:
    present = [b for b in buttons if b is not None]
    return [present[i : i + per_row] for i in range(0, len(present), per_row)]


async def start(turn: Turn) -> None:
    await turn.goto(Questions.ASK)


async def prompt_ask(turn: Turn) -> None:
    buttons = _rows([_faq_button(turn, i) for i in POPULAR])
    buttons.append([turn.btn("btn.menu", "m:menu")])
    turn.say("questions_ask", buttons)


async def handle_ask(turn: Turn) -> None:
    if turn.text:
        await answer_free_text(turn)
    else:
        turn.say("input_unsupported")
        await turn.reprompt()


async def answer_before_consent(turn: Turn, text: str) -> None:
    """A first message from someone new: hotline numbers for an emergency, or the answer
    to a clear question, before the notice on personal data. Nothing is logged or kept."""
    understanding = understander(turn).understand(text)
    if understanding.intent is Intent.EMERGENCY:
        turn.say("emergency")
    elif understanding.intent is Intent.FAQ and understanding.faq_id:
        entry = turn.knowledge.entry(understanding.faq_id)
        if entry is not None:
            turn.say_html(render_answer(turn.renderer, entry, turn.commune))
    elif understanding.intent is Intent.REPORT:
        # Not kept before consent (it may hold personal data): say so, and what to do.
        turn.say("report_resend_after_consent")


async def answer_free_text(turn: Turn) -> None:
    """Whatever the citizen typed outside a step: decide and answer."""
    text = turn.text or ""
    understanding = understander(turn).understand(text)
    waiting, open_to_cao = await _open_matters(turn)
    if waiting:
        # Their text may be the more information an office asked for: say how to send it.
        turn.say(
            "info_reminder",
            [[(supplement_label(turn.renderer, c), supplement_data(c))] for c in waiting[:3]],
            codes=waiting,
        )
    if not (waiting or open_to_cao):
        # (what someone with a tố cáo or a pending request writes may describe it: the
        # digest's question list must never carry it)
        await _log(turn, text, understanding)
    named = requested_kind(text)
    if (
        named is not RecordKind.PHAN_ANH
        and understanding.intent in (Intent.UNKNOWN, Intent.FAQ)
        and understanding.faq_id is None
    ):
        # "cán bộ đòi tiền mới làm sổ": a tố cáo to offer, not a question to forward.
        await _offer_report(turn, text, understanding)
        return
    match understanding.intent:
        case Intent.EMERGENCY:
            turn.say("emergency", [[turn.btn("btn.menu", "m:menu")]])
            await turn.goto(_idle(), quiet=True)
        case Intent.GREETING if is_thanks(text):
            turn.say("thanks")
            await turn.goto(_idle(), quiet=True)
        case Intent.GREETING:
            turn.data["_greet"] = True
            await turn.goto(_idle())
        case Intent.REPORT:
            await _offer_report(turn, text, understanding)
        case Intent.FAQ if understanding.faq_id:
            entry = turn.knowledge.entry(understanding.faq_id)
            if entry is not None:
                await show_entry(turn, entry)
            else:
                await _not_understood(turn, text)
        case Intent.FAQ if understanding.suggestions:
            await _suggest(turn, text, understanding.suggestions)
        case _:
            await _not_understood(turn, text)


async def _open_matters(turn: Turn) -> tuple[list[str], bool]:
    """The codes of this citizen's records waiting for more information, and whether they
    have a tố cáo still open."""
    if not turn.citizen.has_consented:
        return [], False
    records = await turn.uow.records.list_for_citizen(turn.citizen.id, 20)
    waiting = [r.code for r in records if r.status is RecordStatus.NEED_INFO]
    open_to_cao = any(
        r.kind is RecordKind.TO_CAO and r.status not in (RecordStatus.CLOSED, RecordStatus.REJECTED)
        for r in records
    )
    return waiting, open_to_cao


async def _log(turn: Turn, text: str, understanding: Understanding) -> None:
    answered = understanding.intent is not Intent.UNKNOWN and not (
        understanding.intent is Intent.FAQ and understanding.faq_id is None
    )
    if answered:
        return
    question = loggable_question(text, understander(turn).vocabulary)
    if not question:
        return
    await turn.uow.questions.log(
        turn.commune.code,
        turn.now,
        question,
        understanding.intent.value,
        False,
        understanding.confidence,
        understanding.suggestions[0] if understanding.suggestions else None,
    )


def _idle() -> str:
    from handlers.flows.menu import Menu

    return Menu.IDLE


def render_answer(renderer: Renderer, entry: FaqEntry, commune: CommuneSettings) -> str:
    """The full answer a citizen is shown for an entry (Telegram HTML)."""
    body = Markup(renderer.render_string(entry.answer, commune=commune))  # noqa: S704 - autoescaped
    return renderer.render("faq_answer", entry=entry, body=body, commune=commune)


async def show_entry(turn: Turn, entry: FaqEntry) -> None:
    buttons = _rows([_faq_button(turn, i) for i in entry.follow_ups])
    buttons.append([turn.btn("btn.ask_other", "m:ask"), turn.btn("btn.menu", "m:menu")])
    turn.say_html(render_answer(turn.renderer, entry, turn.commune), buttons)
    await turn.goto(_idle(), quiet=True)


async def _suggest(turn: Turn, text: str, suggestions: tuple[str, ...]) -> None:
    buttons: list[list[ButtonSpec]] = [
        [b] for b in (_faq_button(turn, i) for i in suggestions[:3]) if b is not None
    ]
    buttons.append([turn.btn("btn.none_of_these", "none")])
    if turn.citizen.has_consented:
        turn.data["question"] = text
    turn.say("faq_suggestions", buttons)
    await turn.goto(Questions.UNKNOWN, quiet=True)


async def _not_understood(turn: Turn, text: str) -> None:
    if turn.citizen.has_consented:
        turn.data["question"] = text
    await turn.goto(Questions.UNKNOWN)


async def prompt_unknown(turn: Turn) -> None:
    buttons: list[list[ButtonSpec]] = []
    question = str(turn.data.get("question") or "")
    if turn.citizen.has_consented and has_words(question) and len(question.split()) >= 3:
        # (emoji, "???" or a word or two are not worth an office's time as a kiến nghị)
        buttons.append([turn.btn("btn.forward_question", "forward")])
    buttons.append([turn.btn("btn.menu", "m:menu")])
    turn.say("faq_unknown", buttons, consented=turn.citizen.has_consented)


async def handle_unknown(turn: Turn) -> None:
    from handlers.flows import filing

    if turn.action == "none":
        await turn.goto(Questions.UNKNOWN)
    elif turn.action == "forward" and turn.data.get("question"):
        question = str(turn.data.pop("question"))
        topic, office = understander(turn).route(question, RecordKind.KIEN_NGHI.value)
        await filing.start(
            turn, kind=RecordKind.KIEN_NGHI, description=question, topic=topic, office=office
        )
    elif turn.text:
        turn.data.pop("question", None)
        await answer_free_text(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()


async def _offer_report(turn: Turn, text: str, understanding: Understanding) -> None:
    if not turn.citizen.has_consented:
        from handlers.flows import consent

        turn.say("report_needs_consent")
        await consent.ask(turn, then="filing")
        return
    turn.data["offer"] = {
        "text": text,
        "kind": requested_kind(text).value,
        "topic": understanding.topic,
        "office": understanding.office,
    }
    await turn.goto(Questions.REPORT)


async def prompt_report(turn: Turn) -> None:
    offer: dict[str, Any] = turn.data.get("offer", {})
    office = turn.commune.office(str(offer.get("office") or TRIAGE_OFFICE))
    turn.say(
        "report_offer",
        [
            [turn.btn("btn.yes_report", "yes")],
            [turn.btn("btn.no_question", "no"), turn.btn("btn.cancel", "m:cancel")],
        ],
        kind=str(offer.get("kind") or RecordKind.PHAN_ANH.value),
        topic=TOPICS.get(str(offer.get("topic") or "")),
        office_name=office.name if office else None,
    )


async def handle_report(turn: Turn) -> None:
    from handlers.flows import filing

    offer: dict[str, Any] = turn.data.pop("offer", {}) if turn.action else {}
    if turn.action == "yes" and offer.get("text"):
        kind = RecordKind(offer.get("kind") or RecordKind.PHAN_ANH.value)
        if kind.needs_identity:
            # "Tôi muốn tố cáo …" says what they want, not yet what happened: ask for it.
            await filing.start(turn, kind=kind)
        else:
            await filing.start(
                turn,
                kind=kind,
                description=offer["text"],
                topic=offer.get("topic"),
                office=offer.get("office"),
            )
    elif turn.action == "no" and offer.get("text"):
        understanding = understander(turn).understand(offer["text"])
        candidates = understanding.suggestions or tuple(
            entry_id for entry_id, _ in understander(turn).candidates(offer["text"])
        )
        if candidates:
            await _suggest(turn, offer["text"], candidates)
        else:
            await _not_understood(turn, offer["text"])
    elif turn.text:
        turn.data.pop("offer", None)
        await answer_free_text(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()


STEPS: dict[str, Step] = {
    Questions.ASK: Step(prompt_ask, handle_ask),
    Questions.REPORT: Step(prompt_report, handle_report),
    Questions.UNKNOWN: Step(prompt_unknown, handle_unknown),
}
