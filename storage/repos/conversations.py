"""Conversations: where each citizen is in a flow, persisted after every update."""

from __future__ import annotations

import json

from domain.records import Conversation
from storage.repos.rows import Repo, load, ts


class ConversationsRepo(Repo):
    async def get(self, citizen_id: int) -> Conversation | None:
        row = await self._one("SELECT * FROM conversations WHERE citizen_id = ?", (citizen_id,))
        return load(Conversation, row) if row else None

    async def save(self, conversation: Conversation) -> None:
        await self._exec(
            "INSERT INTO conversations (citizen_id, flow, state, data, nonce, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "flow = excluded.flow, state = excluded.state, data = excluded.data, "
            "nonce = excluded.nonce, updated_at = excluded.updated_at",
            (
                conversation.citizen_id,
                conversation.flow,
                conversation.state,
                json.dumps(conversation.data, ensure_ascii=False),
                conversation.nonce,
                ts(conversation.updated_at),
            ),
        )
