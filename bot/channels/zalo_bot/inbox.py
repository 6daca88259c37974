"""Polled updates kept before they are handled.

The Zalo Bot Platform's `getUpdates` has no offset: an update is gone from Zalo once it has
been fetched. So each fetched update is written to `zalo_bot_inbox` (idempotent on
"event:message_id") and committed before its turn runs, and every row whose turn never
committed is replayed — at start, and after each fetch. A replayed turn that had in fact
committed does nothing (the processed-update mark, invariant 3).

What remains: a crash after Zalo answered `getUpdates` and before the row is committed (one
database write) still loses that one update.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.channels.zalo_bot.inbound import BadUpdate, unwrap
from storage import Storage

log = logging.getLogger(__name__)

Handle = Callable[[dict[str, Any]], Awaitable[None]]


def update_key(update: dict[str, Any]) -> str:
    """The update's identity, as the channel's `Inbound.update_id` spells it."""
    body = unwrap(update)
    message = body.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if not isinstance(body.get("event_name"), str) or not isinstance(message_id, str):
        raise BadUpdate("no event_name or message.message_id")
    return f"{body['event_name']}:{message_id}"


class PolledInbox:
    BATCH = 20

    def __init__(self, storage: Storage, clock: Callable[[], datetime]) -> None:
        self.storage = storage
        self.clock = clock

    async def keep(self, update: dict[str, Any]) -> bool:
        """Store a fetched update before its turn; False if it was kept already."""
        key = update_key(update)
        async with self.storage.transaction() as uow:
            return await uow.zalo_bot_inbox.add(key, json.dumps(update), self.clock())

    async def replay(self, handle: Handle) -> int:
        """Hand every kept update whose turn has not committed to `handle`, oldest first;
        how many were handled. One that fails stays for the next round."""
        handled = 0
        async with self.storage.transaction() as uow:
            batch = await uow.zalo_bot_inbox.pending(self.BATCH)
        for row in batch:
            error: str | None = None
            try:
                await handle(json.loads(row.body))
            except (BadUpdate, ValueError) as exc:
                log.warning("zalo_bot inbox %s: not an update (%s)", row.id, exc)
                error = "unusable"
            except Exception as exc:
                log.exception("zalo_bot inbox %s: not handled; kept for a retry", row.id)
                async with self.storage.transaction() as uow:
                    await uow.zalo_bot_inbox.mark_attempt(row.id, type(exc).__name__)
                return handled
            async with self.storage.transaction() as uow:
                await uow.zalo_bot_inbox.mark_done(row.id, self.clock(), error)
            handled += error is None
        return handled
