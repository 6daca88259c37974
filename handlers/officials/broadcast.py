"""`/thongbao [Thôn … |] nội dung`: an announcement to the commune's subscribers, and the
«Xem tiến độ» button under its answer (sent, waiting, failed).

Administrators and leaders only; the messages themselves are queued by
`handlers.broadcast.queue_broadcast`, the same path as `danvan broadcast`.
"""

from __future__ import annotations

import logging

from domain.messages import Button
from domain.permissions import may_broadcast
from handlers.broadcast import queue_broadcast
from handlers.callbacks import ProgressButton
from handlers.officials.turn import StaffTurn

log = logging.getLogger(__name__)


async def broadcast(turn: StaffTurn, args: str) -> None:
    """/thongbao [Thôn … |] nội dung — an announcement to the commune's subscribers."""
    if not may_broadcast(turn.official, turn.commune.code) or turn.official is None:
        turn.say_not_official(admin=True)
        return
    hamlet, bar, text = args.partition("|")
    if not bar:
        hamlet, text = "", args
    hamlet, text = hamlet.strip(), text.strip()
    if not text or (hamlet and hamlet not in turn.commune.hamlets):
        turn.say("staff_broadcast", reason="usage", hamlets=turn.commune.hamlets)
        return
    queued = await queue_broadcast(
        turn.uow, turn.renderer, turn.commune, text, hamlet or None, turn.now
    )
    log.info("announcement queued by official %s: %d messages", turn.official.id, queued.count)
    rows = []
    if queued.first_id is not None and queued.last_id is not None:
        data = ProgressButton(queued.first_id, queued.last_id).pack()
        rows = [[Button(turn.renderer.label("btn.progress"), data)]]
    turn.say("staff_broadcast", rows, reason="ok", count=queued.count, hamlet=hamlet or None)


async def progress(turn: StaffTurn, data: str) -> None:
    """The «Xem tiến độ» button (`p:<first outbox id>:<last outbox id>`)."""
    pressed = ProgressButton.unpack(data)
    inbound = turn.inbound
    if not (
        may_broadcast(turn.official, turn.commune.code)
        and pressed is not None
        # Only under the announcement's own answer: no counts of any other outbox range.
        and await turn.uow.outbox.showed_button(inbound.channel, inbound.chat_id, data)
    ):
        turn.say("stale_button")
        return
    counts = await turn.uow.outbox.progress(pressed.first_id, pressed.last_id)
    rows = [[Button(turn.renderer.label("btn.progress"), data)]] if counts.get("pending") else []
    turn.say(
        "staff_broadcast_progress",
        rows,
        sent=counts.get("sent", 0),
        pending=counts.get("pending", 0),
        failed=counts.get("failed", 0),
    )
