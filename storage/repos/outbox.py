"""The outbox: every message the bot sends, queued in the update's unit of work and
delivered afterwards by `bot.outbox` (invariant 5), with the channel's ids of what went."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.messages import Reply, reply_to_payload
from domain.records import OutboxMessage
from storage.repos.rows import Repo, dt, load, placeholders, returned, ts


class OutboxRepo(Repo):
    async def enqueue(self, reply: Reply, at: datetime) -> int:
        """Queue `reply` for its channel and chat at its priority; the outbox row's id."""
        return await self.enqueue_payload(
            reply.channel, reply.chat_id, int(reply.priority), reply_to_payload(reply), at
        )

    async def enqueue_payload(
        self, channel: str, chat_id: str, priority: int, payload: dict[str, Any], at: datetime
    ) -> int:
        """Queue a message already in its stored form (`domain.messages.reply_to_payload`)."""
        row = await self._one(
            "INSERT INTO outbox (channel, chat_id, priority, payload, created_at, not_before) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (channel, chat_id, priority, json.dumps(payload, ensure_ascii=False), ts(at), ts(at)),
        )
        return int(returned(row)[0])

    async def pending(
        self, channel: str, now: datetime, limit: int, chat_id: str | None = None
    ) -> list[OutboxMessage]:
        """Pending messages due by `now`, highest priority first, oldest first."""
        sql = "SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND not_before <= ?"
        params: list[Any] = [channel, ts(now)]
        if chat_id is not None:
            sql += " AND chat_id = ?"
            params.append(chat_id)
        rows = await self._all(sql + " ORDER BY priority, id LIMIT ?", (*params, limit))
        return [load(OutboxMessage, r) for r in rows]

    async def heads(
        self, channel: str, now: datetime, limit: int, exclude_chats: Sequence[str] = ()
    ) -> list[OutboxMessage]:
        """The first pending message of each chat, if it is due, highest priority first.

        Only a chat's first message (by priority, then age) is offered, so one chat's
        messages go out in order and a message waiting for a retry holds back the ones
        queued after it. `exclude_chats` leaves out chats the sender is pacing.
        """
        # Walks the pending rows in sending order (index outbox_pending) and stops at
        # `limit`; each row's "is it its chat's first?" is one probe of
        # outbox_pending_chat. A window over every pending row cost ~10 ms with 5,000
        # pending (docs/performance.md); this costs about `limit` probes.
        excluded = ""
        if exclude_chats:
            excluded = f"AND o.chat_id NOT IN ({placeholders(exclude_chats)}) "
        rows = await self._all(
            "SELECT o.* FROM outbox AS o "  # noqa: S608 - placeholders only
            "WHERE o.channel = ? AND o.status = 'pending' " + excluded + "AND NOT EXISTS ("
            "SELECT 1 FROM outbox AS e WHERE e.channel = o.channel "
            "AND e.status = 'pending' AND e.chat_id = o.chat_id "
            "AND (e.priority < o.priority OR (e.priority = o.priority AND e.id < o.id))) "
            "AND o.not_before <= ? ORDER BY o.priority, o.id LIMIT ?",
            (channel, *exclude_chats, ts(now), limit),
        )
        return [load(OutboxMessage, r) for r in rows]

    async def oldest_pending(self, channel: str | None = None) -> OutboxMessage | None:
        sql = "SELECT * FROM outbox WHERE status = 'pending'"
        params: tuple[str, ...] = ()
        if channel is not None:
            sql += " AND channel = ?"
            params = (channel,)
        row = await self._one(sql + " ORDER BY created_at, id LIMIT 1", params)
        return load(OutboxMessage, row) if row else None

    async def next_due(self, channel: str) -> datetime | None:
        """When the earliest pending message of the channel becomes due."""
        row = await self._one(
            "SELECT min(not_before) FROM outbox WHERE channel = ? AND status = 'pending'",
            (channel,),
        )
        return dt(row[0]) if row else None

    async def is_pending(self, outbox_id: int) -> bool:
        row = await self._one("SELECT status FROM outbox WHERE id = ?", (outbox_id,))
        return row is not None and row[0] == "pending"

    async def mark_sent(self, message_id: int, at: datetime) -> bool:
        """Mark a message sent; False if it was not pending (never send twice)."""
        changed = await self._exec(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'",
            (ts(at), message_id),
        )
        return changed == 1

    async def mark_failed(self, message_id: int, error: str, *, retry_at: datetime | None) -> None:
        """Record a failed attempt: retried at `retry_at`, or failed for good if None."""
        if retry_at is None:
            await self._exec(
                "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status = 'pending'",
                (error[:500], message_id),
            )
        else:
            await self._exec(
                "UPDATE outbox SET last_error = ?, attempts = attempts + 1, not_before = ? "
                "WHERE id = ? AND status = 'pending'",
                (error[:500], ts(retry_at), message_id),
            )

    async def sent_parts(self, outbox_id: int) -> int:
        """How many parts of a (possibly split) message were already sent."""
        row = await self._one(
            "SELECT count(*) FROM outbox_deliveries WHERE outbox_id = ?", (outbox_id,)
        )
        return int(row[0]) if row else 0

    async def record_delivery(
        self,
        outbox_id: int,
        part: int,
        channel: str,
        chat_id: str,
        channel_message_id: str,
        at: datetime,
    ) -> None:
        """Record the channel's id of one message sent for an outbox row."""
        await self._exec(
            "INSERT INTO outbox_deliveries (outbox_id, part, channel, chat_id, "
            "channel_message_id, sent_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (outbox_id, part, channel, chat_id, channel_message_id, ts(at)),
        )

    async def record_code_for_message(
        self, channel: str, chat_id: str, channel_message_id: str
    ) -> str | None:
        """The record a message the bot sent was about (a reply to it concerns that record)."""
        row = await self._one(
            "SELECT o.payload FROM outbox_deliveries d JOIN outbox o ON o.id = d.outbox_id "
            "WHERE d.channel = ? AND d.chat_id = ? AND d.channel_message_id = ?",
            (channel, chat_id, channel_message_id),
        )
        code = json.loads(row[0]).get("record_code") if row else None
        return str(code) if code else None

    async def counts(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    async def counts_by_channel(self) -> dict[tuple[str, str, int], int]:
        """(channel, status, priority) → number of messages."""
        rows = await self._all(
            "SELECT channel, status, priority, count(*) AS n FROM outbox "
            "GROUP BY channel, status, priority"
        )
        return {(r["channel"], r["status"], r["priority"]): int(r["n"]) for r in rows}

    async def progress(self, first_id: int, last_id: int) -> dict[str, int]:
        """Counts by status of one broadcast's rows: ids first_id..last_id at broadcast
        priority (rows another process queued meanwhile may interleave the ids)."""
        rows = await self._all(
            "SELECT status, count(*) AS n FROM outbox WHERE id BETWEEN ? AND ? "
            "AND priority = 2 GROUP BY status",
            (first_id, last_id),
        )
        return {r["status"]: int(r["n"]) for r in rows}

    async def showed_button(self, channel: str, chat_id: str, data: str) -> bool:
        """Whether a message queued for this chat carried a button with this data (a
        «Xem tiến độ» press is honoured only in the chat its announcement was answered in)."""
        stored = json.dumps({"data": data}, ensure_ascii=False)[1:-1]  # as `enqueue` writes it
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", stored) + "%"
        row = await self._one(
            "SELECT 1 FROM outbox WHERE channel = ? AND chat_id = ? "
            "AND payload LIKE ? ESCAPE '\\' LIMIT 1",
            (channel, chat_id, pattern),
        )
        return row is not None

    async def purge(self, before: datetime, limit: int = -1) -> int:
        """Delete messages sent or failed before `before` (at most `limit`, the oldest
        first; -1: all); how many went."""
        old = (
            "SELECT id FROM outbox WHERE status <> 'pending' AND created_at < ? ORDER BY id LIMIT ?"
        )
        params = (ts(before), limit if limit >= 0 else 2**62)
        await self._exec(
            f"DELETE FROM outbox_deliveries WHERE outbox_id IN ({old})",  # noqa: S608
            params,
        )
        return await self._exec(f"DELETE FROM outbox WHERE id IN ({old})", params)  # noqa: S608
