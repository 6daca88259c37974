"""What every repository shares: the `Repo` base, time conversion and one row loader.

`load(cls, row)` builds a frozen domain dataclass from a row by the dataclass's fields,
converting each value by its type hint: times (ISO text on SQLite, timestamptz on
PostgreSQL) to aware UTC datetimes, enums from their stored values, SQLite's 0/1 to
bools and JSON text to dicts. So a column added to a dataclass and to the schema needs no
mapper edit.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from storage.base import Db, Row

T = typing.TypeVar("T")


class Repo:
    """A repository: a few operations on one aggregate, over the unit of work's `Db`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._db.one(sql, params)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._db.all(sql, params)

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._db.execute(sql, params)


def ts(value: datetime) -> datetime:
    """A time as storage takes it: timezone-aware, in UTC."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return value.astimezone(UTC)


def dt(value: str | datetime | None) -> datetime | None:
    """A stored time, as an aware datetime (None for NULL)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value)


def returned(row: Row | None) -> Row:
    """The row an INSERT … RETURNING must give back."""
    if row is None:
        raise RuntimeError("INSERT … RETURNING returned no row")
    return row


def placeholders(values: Sequence[object]) -> str:
    """`?, ?, …`, one per value (for an IN list)."""
    return ", ".join("?" for _ in values)


def _required(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        result = convert(value)
        if result is None:
            raise ValueError("a required value is missing")
        return result

    return checked


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # An empty text is no time and no enum value (SQLite may hold '' where NULL is meant).
    return lambda value: None if value is None or value == "" else convert(value)


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How to turn a column's value into a field of type `hint`."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        if inner is datetime:
            return dt
        if isinstance(inner, type) and issubclass(inner, Enum):
            return _optional(inner)
        return _converter(inner)
    if hint is datetime:
        return _required(dt)
    if hint is bool:
        return bool
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if typing.get_origin(hint) is dict:
        return lambda value: json.loads(value) if isinstance(value, str) else dict(value)
    return lambda value: value


_Plan = tuple[tuple[str, Callable[[Any], Any]], ...]
_plans: dict[type[Any], _Plan] = {}


def _plan(cls: type[Any]) -> _Plan:
    """(field, converter) for each field of `cls`, worked out once per class."""
    plan = _plans.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        plan = tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))
        _plans[cls] = plan
    return plan


def load(cls: type[T], row: Row, **columns: str) -> T:
    """An instance of the dataclass `cls` from `row`; `columns` maps a field to a column
    of another name (`chat_id="external_id"`)."""
    return cls(**{name: convert(row[columns.get(name, name)]) for name, convert in _plan(cls)})
