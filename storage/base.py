"""What every storage backend offers, and the small rows it shares with the rest."""

from __future__ import annotations

from dataclasses import dataclass


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
