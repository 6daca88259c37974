"""Answering what a citizen types outside a step: the answer, an offer to file, or 113.

A service, not a flow: the menu, the consent notice, the lookup step, the questions flow
and the dispatcher's first contact all hand free text here. What the understander decides
is pure (`faq.understand`); this module turns it into messages, and hands the conversation
on by name to the questions flow (`questions:report`, `questions:suggest`,
`questions:unclear`) when there is more to ask, and to `clarify:intent` / `clarify:office`
when the understanding is unsure whether it is a question or a report, or which office a
report is for. A question answered below the confidence
threshold, or not at all, is logged in a redacted form for the weekly digest. For a
citizen who has not consented, nothing they typed is kept.
"""

from __future__ import annotations

from markupsafe import Markup

from domain.communes import CommuneSettings
from domain.records import RecordKind, RecordStatus
from faq.knowledge import FaqEntry
from faq.understand import Intent, Understander, Understanding
from handlers.callbacks import FaqButton, MenuButton
from handlers.corrections import ANSWERED
from handlers.render import Renderer
from handlers.turn import HELD_REPORT, ButtonSpec, Turn
from handlers.understanding import loggable_question


def understander(turn: Turn) -> Understander:
    return turn.knowledge.understander(turn.commune, turn.local(turn.now).date())


def faq_button(turn: Turn, entry_id: str) -> ButtonSpec | None:
    entry = turn.knowledge.entry(entry_id)
    return (entry.title, FaqButton(entry.id).pack()) if entry else None


def button_rows(buttons: list[ButtonSpec | None], per_row: int = 2) -> list[list[ButtonSpec]]:
    present = [b for b in buttons if b is not None]
    return [present[i : i + per_row] for i in range(0, len(present), per_row)]


async def answer_before_consent(turn: Turn, text: str) -> None:
    """A first message from someone new: hotline numbers for an emergency, or the answer
    to a clear question, before the notice on personal data. Nothing is logged; a report
    is held in the conversation only (`HELD_REPORT`) until the citizen chooses: offered
    back after «Đồng ý» (flows/consent.py), dropped on «Không đồng ý» or any other step."""
    understanding = understander(turn).understand(text)
    if understanding.intent is Intent.EMERGENCY:
        turn.say("emergency")
    elif understanding.intent is Intent.FAQ and understanding.faq_id:
        entry = turn.knowledge.entry(understanding.faq_id)
        if entry is not None:
            turn.say_html(render_answer(turn.renderer, entry, turn.commune))
    elif understanding.intent is Intent.REPORT:
        # Held only until the choice (it may hold personal data): say so.
        turn.data[HELD_REPORT] = text
        turn.say("report_resend_after_consent")


async def answer_free_text(turn: Turn, *, not_supplement: bool = False) -> None:
    """Whatever the citizen typed outside a step: decide and answer. While a record waits
    for this citizen's information, their text is first offered as that information
    (`info:confirm`), unless they said it is not (`not_supplement`) or it is an emergency."""
    text = turn.text or ""
    turn.data.pop(ANSWERED, None)  # (another message: no longer "right after" an answer)
    understanding = understander(turn).understand(text)
    waiting, open_to_cao = await _open_matters(turn)
    if waiting and not not_supplement and understanding.intent is not Intent.EMERGENCY:
        await turn.start_flow("info:confirm", text=text, codes=waiting[:3])
        return
    if understanding.maybe_emergency:
        # Perhaps an emergency in words the lexicon does not know: the numbers first,
        # then what it most likely is (a report to file) as usual.
        turn.say("emergency_hint")
    if not (waiting or open_to_cao):
        # (what someone with a tố cáo or a pending request writes may describe it: the
        # digest's question list must never carry it)
        await _log(turn, text, understanding)
    named = turn.knowledge.requested_kind(text)
    if (
        named is not RecordKind.PHAN_ANH
        and understanding.intent in (Intent.UNKNOWN, Intent.FAQ)
        and understanding.faq_id is None
    ):
        # "cán bộ đòi tiền mới làm sổ": a tố cáo to offer, not a question to forward.
        await turn.start_flow("questions:report", text=text, understanding=understanding)
        return
    if understanding.unsure and understanding.intent in (Intent.FAQ, Intent.REPORT):
        await turn.start_flow("clarify:intent", text=text, understanding=understanding)
        return
    match understanding.intent:
        case Intent.EMERGENCY:
            turn.say("emergency", [[turn.btn("btn.menu", MenuButton("menu").pack())]])
            await turn.go_idle(quiet=True)
        case Intent.GREETING if turn.knowledge.is_thanks(text):
            turn.say("thanks")
            await turn.go_idle(quiet=True)
        case Intent.GREETING:
            turn.data["_greet"] = True
            await turn.go_idle()
        case Intent.REPORT if understanding.offices:
            await turn.start_flow("clarify:office", text=text, understanding=understanding)
        case Intent.REPORT:
            await turn.start_flow("questions:report", text=text, understanding=understanding)
        case _:
            await answer_question(turn, text, understanding)


async def answer_question(turn: Turn, text: str, understanding: Understanding) -> None:
    """The entry, the suggestions («Có phải anh/chị hỏi…») or «chưa có câu trả lời»."""
    entry = turn.knowledge.entry(understanding.faq_id) if understanding.faq_id else None
    if entry is not None:
        await show_entry(turn, entry)
        if turn.citizen.has_consented:
            turn.data[ANSWERED] = text  # (filing next makes it a report: handlers.corrections)
    elif understanding.suggestions:
        await turn.start_flow("questions:suggest", text=text, suggestions=understanding.suggestions)
    else:
        await turn.start_flow("questions:unclear", text=text)


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


def render_answer(renderer: Renderer, entry: FaqEntry, commune: CommuneSettings) -> str:
    """The full answer a citizen is shown for an entry (Telegram HTML)."""
    body = Markup(renderer.render_string(entry.answer, commune=commune))  # noqa: S704 - autoescaped
    return renderer.render("faq_answer", entry=entry, body=body, commune=commune)


async def show_entry(turn: Turn, entry: FaqEntry) -> None:
    buttons = button_rows([faq_button(turn, i) for i in entry.follow_ups])
    buttons.append(
        [
            turn.btn("btn.ask_other", MenuButton("ask").pack()),
            turn.btn("btn.menu", MenuButton("menu").pack()),
        ]
    )
    turn.say_html(render_answer(turn.renderer, entry, turn.commune), buttons)
    await turn.go_idle(quiet=True)
