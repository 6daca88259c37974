"""Queue an announcement (thông báo) to a commune's subscribers at broadcast priority.

Used by `danvan broadcast` and by the chat command `/thongbao` (administrators and
leaders). The text is plain (what an official typed or wrote in
a file); the template escapes it for Telegram HTML. Every message goes through the outbox
at `Priority.BROADCAST`, behind every reply and notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.communes import CommuneSettings
from domain.messages import Priority, Reply
from handlers.render import Renderer
from storage import UnitOfWork


@dataclass(frozen=True, slots=True)
class QueuedBroadcast:
    count: int
    first_id: int | None
    last_id: int | None


async def queue_broadcast(
    uow: UnitOfWork,
    renderer: Renderer,
    commune: CommuneSettings,
    text: str,
    hamlet: str | None,
    now: datetime,
) -> QueuedBroadcast:
    """One outbox row per subscriber (of the hamlet and of the whole commune), and the
    announcement kept once for the commune's public page."""
    await uow.announcements.add(commune.code, hamlet, text.strip(), now)
    body = renderer.render("broadcast", commune=commune, hamlet=hamlet, text=text.strip())
    ids: list[int] = []
    for subscription in await uow.subscriptions.list_for(commune.code, hamlet):
        reply = Reply(
            channel=subscription.channel,
            chat_id=subscription.chat_id,
            text=body,
            priority=Priority.BROADCAST,
        )
        ids.append(await uow.outbox.enqueue(reply, now))
    return QueuedBroadcast(len(ids), min(ids, default=None), max(ids, default=None))
