"""Filing's consent to publish: «cho phép công khai (đã ẩn thông tin cá nhân)» (issue 12).

One short step before the summary, for a phản ánh or kiến nghị only (a khiếu nại or tố
cáo is never published and never asks). The answer is `draft["publishable"]`; without
one the record is not published (the default is Không). Once the record is answered, the
commune's public page (`bot/web/public.py`) lists its description with phone numbers,
plate numbers and names masked, its office, its dates and the official's answer.
"""

from __future__ import annotations

from handlers.flows.filing.draft import Filing, cancel_row, draft_of, kind_of
from handlers.router import FlowRouter
from handlers.turn import Turn

router = FlowRouter("filing")

YES, NO = "pub:yes", "pub:no"


def asks_to_publish(turn: Turn) -> bool:
    """Whether the draft's kind may be published (phản ánh, kiến nghị)."""
    kind = kind_of(turn)
    return kind is not None and not kind.needs_identity


def publishable(turn: Turn) -> bool:
    """What the record is filed with: yes only when asked and answered Có."""
    return asks_to_publish(turn) and draft_of(turn).get("publishable") is True


async def to_summary(turn: Turn) -> None:
    """After the contact step: the publish question once, then the summary."""
    if asks_to_publish(turn) and "publishable" not in draft_of(turn):
        await turn.goto(Filing.PUBLISH)
    else:
        await turn.goto(Filing.CONFIRM)


@router.prompt(Filing.PUBLISH)
async def prompt_publish(turn: Turn) -> None:
    turn.say(
        "filing_publish",
        [
            [turn.btn("btn.publish_no", NO), turn.btn("btn.publish_yes", YES)],
            cancel_row(turn),
        ],
    )


@router.handle(Filing.PUBLISH)
async def handle_publish(turn: Turn) -> None:
    if turn.action in (YES, NO):
        draft_of(turn)["publishable"] = turn.action == YES
        await turn.goto(Filing.CONFIRM)
    else:
        turn.say("choose_button")
        await turn.reprompt()
