"""The digest's figures (bot/digest/figures.py) on the hand-checkable history of
tests/support/digest_seed.py, the week before and the changes, and queries that use indexes."""

from __future__ import annotations

import re

import pytest

from bot.app import App
from bot.digest.render import DigestRenderer
from bot.digest.weeks import IsoWeek
from storage import SqliteStorage
from tests.support.digest import digest_of
from tests.support.digest_seed import seed_weeks


def counts(items: object) -> dict[str, int]:
    return {c.key: c.n for c in items}  # type: ignore[attr-defined]


async def test_golden_figures(seeded: App, renderer: DigestRenderer) -> None:
    d = await digest_of(seeded, renderer)
    w = d.current
    # R1 (Mon 00:00), R2, R3, R4 (Sun 23:59:59); not R5 (next Mon 00:00) nor R6 (Sun before).
    assert w.received == 4
    assert counts(w.by_kind) == {"phan_anh": 1, "kien_nghi": 1, "khieu_nai": 1, "to_cao": 1}
    assert counts(w.by_office) == {"KT": 2, "VP": 2}
    # Tố cáo (R4) are left out of topics and hamlets.
    assert counts(w.by_topic) == {"chieu_sang": 1, "thoat_nuoc": 1, "": 1}
    assert counts(w.by_hamlet) == {"Thôn 1": 2, "Thôn 2": 1}
    assert w.to_cao_received == 1
    assert dict(w.actions) == {
        "accepted": 4,  # R1, R2, R3, R6
        "need_info": 0,
        "answered": 0,
        "transferred": 1,  # R3
        "rejected": 0,
        "closed": 3,  # R1, R6, R9 (R1's rating keeps it closed: not counted again)
        "extended": 0,
        "reopened": 1,  # R9
    }
    assert (w.resolved, w.on_time) == (3, 2)  # R9 was late
    assert w.on_time_rate == pytest.approx(2 / 3)
    # Open past the deadline at Mon 23/11 00:00: R7 (due 13/11) and the tố cáo R8.
    assert (w.overdue_total, w.overdue_to_cao) == (2, 1)
    assert [(o.code, o.office, o.days) for o in w.overdue] == [("CG-2611-R7", "KT", 10)]
    # First official event in the week: R2 2 h, R1 4 h, R6 6 h 1 s, R3 24 h (R9's was in
    # October). Nearest rank: median = 2nd of 4, p90 = 4th.
    assert w.first_response.count == 4
    assert w.first_response.median_hours == pytest.approx(4.0, abs=1e-3)
    assert w.first_response.p90_hours == pytest.approx(24.0, abs=1e-3)
    # Closed: R1 48 h, R6 108 h 1 s, R9 747 h.
    assert w.to_close.count == 3
    assert w.to_close.median_hours == pytest.approx(108.0, abs=1e-3)
    assert w.to_close.p90_hours == pytest.approx(747.0, abs=1e-3)
    assert dict(w.ratings) == {"very_satisfied": 0, "satisfied": 1, "unsatisfied": 1}
    assert w.satisfied_share == pytest.approx(0.5)
    assert w.unanswered == (
        ("lam the nao xin giay phep xay nha tam", 3),
        ("so dien thoai cua toi la # co dung khong", 1),
    )
    assert [(d.received, d.closed) for d in w.daily] == [
        (1, 0),
        (1, 0),
        (1, 1),
        (0, 0),
        (0, 2),
        (0, 0),
        (1, 0),
    ]
    offices = {o.code: o for o in w.offices}
    kt = offices["KT"]
    assert (kt.received, kt.closed, kt.resolved, kt.on_time, kt.overdue) == (2, 1, 1, 1, 1)
    assert (kt.rated, kt.satisfied) == (1, 1)
    assert (offices["VP"].received, offices["VP"].overdue) == (2, 1)
    assert (offices["TTPVHCC"].resolved, offices["TTPVHCC"].on_time) == (1, 0)


async def test_previous_week_and_changes(seeded: App, renderer: DigestRenderer) -> None:
    d = await digest_of(seeded, renderer)
    p = d.previous
    assert p.week == IsoWeek(2026, 46)
    assert p.received == 2  # R6 (Sun 23:59:59) and R10
    assert (p.actions["closed"], p.resolved, p.on_time) == (1, 1, 1)
    assert p.overdue_total == 3  # R7, R8, and R9 (resolved only in W47)
    assert p.first_response.median_hours == pytest.approx(1.0)
    changes = {c.key: c for c in d.changes}
    assert (changes["received"].arrow, changes["received"].delta) == ("▲", 2)
    assert changes["on_time"].arrow == "▼"
    assert changes["overdue"].arrow == "▼"
    assert changes["first_response"].arrow == "▲"
    assert changes["satisfied"].delta is None  # no ratings the week before


async def test_digest_queries_use_indexes(app: App, renderer: DigestRenderer) -> None:
    """No statement of the digest walks a whole table of records or events (SQLite plans)."""
    await seed_weeks(app.storage)
    seeded = app
    statements: list[str] = []
    storage = seeded.storage
    assert isinstance(storage, SqliteStorage)
    await storage._conn.set_trace_callback(statements.append)
    try:
        await digest_of(seeded, renderer)
    finally:
        await storage._conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) >= 10
    plans = []
    async with storage.transaction() as uow:
        for sql in selects:
            plans += [row[3] for row in await uow._all("EXPLAIN QUERY PLAN " + sql)]  # type: ignore[attr-defined]
    full_scans = [p for p in plans if re.match(r"SCAN (records|events|r|e|p)\b", p)]
    assert full_scans == []
