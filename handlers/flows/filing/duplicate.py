"""«Đã có người báo — theo dõi cùng»: before a report is filed, an open record it likely
duplicates (`matching.likely_duplicate`) is offered to follow instead; following it, the
citizen hears of its progress (`handlers.notify.Notifier.to_followers`) and nothing new
is filed. «Vẫn gửi hồ sơ mới» files the draft as usual.
"""

from __future__ import annotations

from faq.topics import TOPICS
from handlers.flows.filing.draft import Filing, cancel_row, draft_of
from handlers.flows.filing.submit import submit
from handlers.router import FlowRouter
from handlers.turn import Turn

router = FlowRouter("filing")


@router.prompt(Filing.DUPLICATE)
async def prompt_duplicate(turn: Turn) -> None:
    code = str(draft_of(turn).get("dup") or "")
    record = await turn.uow.records.get_by_code(code)
    turn.say(
        "filing_duplicate",
        [
            [turn.btn("btn.follow", "follow")],
            [turn.btn("btn.file_anyway", "new")],
            cancel_row(turn),
        ],
        code=code,
        topic=TOPICS.get(record.topic or "") if record else None,
        hamlet=record.hamlet if record else None,
        status=record.status.value if record else None,
    )


@router.handle(Filing.DUPLICATE)
async def handle_duplicate(turn: Turn) -> None:
    draft = draft_of(turn)
    code = str(draft.get("dup") or "")
    if turn.action == "follow":
        record = await turn.uow.records.get_by_code(code)
        if record is None:
            turn.say("stale_button")
            await submit(turn)
            return
        await turn.uow.followers.follow(record.id, turn.citizen.id, turn.now)
        turn.data.pop("draft", None)  # nothing new is filed
        turn.say("filing_following", code=record.code)
        await turn.go_idle()
    elif turn.action == "new":
        await submit(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()
