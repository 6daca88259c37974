"""The storage interface, and the small rows shared with the rest of the application.

A backend is a `Storage`: it hands out units of work (`transaction()`), each one database
transaction. What a unit of work can do is written once, in portable SQL, as
`storage.sql.SqlUnitOfWork`; a backend only adapts its driver to `storage.sql.Db`. So the
repository interface handlers use is `UnitOfWork` (exported by `storage`), and the seam a
new backend implements is `Db` plus its migrations.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storage.sql import SqlUnitOfWork


@dataclass(frozen=True, slots=True)
class OfficeRow:
    code: str
    name: str
    chat_id: str | None


@dataclass(frozen=True, slots=True)
class CommuneRow:
    code: str
    name: str
    offices: tuple[OfficeRow, ...]


class Storage(Protocol):
    """A backend: hands out units of work; closed once at shutdown."""

    def transaction(self) -> AbstractAsyncContextManager[SqlUnitOfWork]: ...

    async def close(self) -> None: ...
