"""The public statistics' rules on rows of our own (bot/web/public_stats.py): counts and
rates over fewer than 3 records are "<3", a column never hides just one cell, tố cáo only
in the total, months in the commune's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.web.public_stats import HIDDEN, compute, window
from domain.records import RecordKind, RecordStatus
from storage.repos.public import StatRow

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def row(
    hamlet: str,
    *,
    kind: RecordKind = RecordKind.PHAN_ANH,
    created: datetime = NOW - timedelta(days=5),
    answered_after: float | None = None,
    late: bool = False,
    rating: str | None = None,
    status: RecordStatus = RecordStatus.CLOSED,
) -> StatRow:
    answered = created + timedelta(days=answered_after) if answered_after is not None else None
    return StatRow(
        kind=kind,
        office_code="KT",
        hamlet=hamlet,
        status=status if answered else RecordStatus.RECEIVED,
        created_at=created,
        due_at=created + timedelta(days=1 if late else 10),
        resolved_at=answered,
        answered_at=answered,
        rating=rating,
    )


def test_small_counts_and_rates_hide_and_a_lone_hidden_cell_takes_a_second(
    settings: Settings,
) -> None:
    commune = settings.communes[0]
    rows = [
        *[row("Thôn 1", answered_after=2, rating="satisfied") for _ in range(4)],
        row("Thôn 2", answered_after=3, late=True, rating="unsatisfied"),
        *[row("Thôn 3") for _ in range(3)],
        *[row("Thôn 4") for _ in range(7)],
        row("Thôn 5", kind=RecordKind.TO_CAO),
        row("Thôn 1", answered_after=1, status=RecordStatus.REJECTED),  # not a resolution
    ]
    stats = compute(commune, rows, NOW)
    assert stats.total.cells == {
        "received": 17,
        "resolved": 5,
        "on_time": 80,
        "satisfaction": 80,
    }
    hamlets = {ln.label: ln.cells for ln in stats.tables[2].lines}
    assert set(hamlets) == {"Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4"}  # tố cáo: total only
    assert hamlets["Thôn 2"] == {
        "received": HIDDEN,
        "resolved": HIDDEN,
        "on_time": HIDDEN,  # a rate over one record
        "satisfaction": HIDDEN,
    }
    assert hamlets["Thôn 3"]["received"] == HIDDEN  # the second hidden: the next smallest
    assert hamlets["Thôn 4"]["received"] == 7
    assert hamlets["Thôn 1"]["received"] == 5
    # resolved: Thôn 2's one is hidden, and Thôn 1's 4, the only other, with it (else the
    # total's 5 would give the hidden cell back)
    assert hamlets["Thôn 1"]["resolved"] == HIDDEN
    assert hamlets["Thôn 1"]["on_time"] == HIDDEN
    assert hamlets["Thôn 4"]["resolved"] == 0


def test_the_window_is_twelve_local_months() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    since, months = window(datetime(2026, 11, 30, 18, 0, tzinfo=UTC), zone)  # 01/12 local
    assert months[0] == "12/2026"
    assert months[-1] == "01/2026"
    assert len(months) == 12
    assert since == datetime(2026, 1, 1, tzinfo=zone)
