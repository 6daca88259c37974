"""Conversations: where each citizen, and each official, is in a flow, persisted after
every update.

One class serves both tables, which have the same shape (owner, flow, state, data, nonce,
updated_at): `uow.conversations` over `conversations` (keyed by citizen) and
`uow.official_conversations` over `official_conversations` (keyed by official, migration
007). `handlers.conversations.save` writes both the same way.
"""

from __future__ import annotations

import json
from typing import Literal

from domain.records import Conversation
from storage.base import Db
from storage.repos.rows import Repo, load, ts

# The two tables and their owner columns (fixed names, never from input).
_TABLES = {"conversations": "citizen_id", "official_conversations": "official_id"}


class ConversationsRepo(Repo):
    def __init__(
        self, db: Db, table: Literal["conversations", "official_conversations"] = "conversations"
    ) -> None:
        super().__init__(db)
        owner = _TABLES[table]
        self._owner = owner
        self._get = f"SELECT * FROM {table} WHERE {owner} = ?"  # noqa: S608 (fixed names)
        self._save = (
            f"INSERT INTO {table} ({owner}, flow, state, data, nonce, updated_at) "  # noqa: S608
            f"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ({owner}) DO UPDATE SET "
            "flow = excluded.flow, state = excluded.state, data = excluded.data, "
            "nonce = excluded.nonce, updated_at = excluded.updated_at"
        )

    async def get(self, owner_id: int) -> Conversation | None:
        row = await self._one(self._get, (owner_id,))
        return load(Conversation, row, owner_id=self._owner) if row else None

    async def save(self, conversation: Conversation) -> None:
        await self._exec(
            self._save,
            (
                conversation.owner_id,
                conversation.flow,
                conversation.state,
                json.dumps(conversation.data, ensure_ascii=False),
                conversation.nonce,
                ts(conversation.updated_at),
            ),
        )
