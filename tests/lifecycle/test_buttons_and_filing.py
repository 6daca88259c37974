"""Record buttons, reopening, the queue summary, and filing a record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import tracking_code
from domain.communes import CommuneSettings
from domain.lifecycle import (
    Action,
)
from domain.messages import MAX_BUTTON_DATA_BYTES
from domain.permissions import (
    SYSTEM_ACTOR,
)
from domain.records import (
    Record,
    RecordKind,
    Stage,
)
from domain.tracking_code import make_code
from handlers import records
from handlers.callbacks import RecordButton
from handlers.notify import CARD_ACTIONS, Notifier
from handlers.render import Renderer
from storage import Storage
from tests.support.lifecycle import NOW, S, new_in, record

# --- record buttons -----------------------------------------------------------------------


def record_button_data(rec: Record, action: Action) -> str:
    return RecordButton(rec.code, action, rec.version).pack()


def parse_record_button(data: str) -> tuple[str, str, int] | None:
    button = RecordButton.unpack(data)
    return None if button is None else (button.code, button.action.value, button.version)


@given(
    commune=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4),
    version=st.integers(min_value=0, max_value=10**12),
    action=st.sampled_from(list(Action)),
)
def test_record_buttons_fit_telegram_and_round_trip(
    commune: str, version: int, action: Action
) -> None:
    code = make_code(commune, NOW)
    rec = record(code=code, version=version)
    data = record_button_data(rec, action)
    assert len(data.encode("ascii")) <= MAX_BUTTON_DATA_BYTES
    assert parse_record_button(data) == (code, action.value, version)


def test_card_buttons_are_labelled_by_key_as_the_refusal_template_names_them() -> None:
    # staff_refused.j2 names a step as labels["btn.r_" ~ action]
    renderer = Renderer()
    for action, key in CARD_ACTIONS.items():
        assert key == f"btn.r_{action.value}"
        assert renderer.label(key)


@pytest.mark.parametrize("data", ["r:", "r:X", "r:CG-2611-AAAAAA:take", "r:a:b:c", "r:a:b:-1"])
def test_malformed_record_buttons_are_refused(data: str) -> None:
    assert parse_record_button(data) is None


async def test_a_reopened_record_gets_a_fresh_due_time_from_the_reopening(
    storage: Storage, commune: CommuneSettings
) -> None:
    from domain.deadlines import record_due_at, resolve_due_at

    later = NOW + timedelta(days=40)
    answered = await new_in(storage, S.ANSWERED, RecordKind.PHAN_ANH)
    resolving = await new_in(storage, S.CLOSED, RecordKind.KHIEU_NAI, Stage.RESOLVE)
    async with storage.transaction() as uow:
        done = await records.apply(uow, commune, answered, Action.REOPEN, SYSTEM_ACTOR, later)
        assert done.after.due_at == record_due_at(commune, RecordKind.PHAN_ANH, later)
        assert done.after.due_at > later
        done = await records.apply(uow, commune, resolving, Action.REOPEN, SYSTEM_ACTOR, later)
        assert done.after.due_at == resolve_due_at(commune, RecordKind.KHIEU_NAI, later)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đèn đường hỏng", "Đèn đường hỏng"),
        ("a" * 60, "a" * 60),
        (
            "Đèn đường ngõ 7 hỏng hai tuần nay, buổi tối trẻ con đi học về rất nguy hiểm",
            "Đèn đường ngõ 7 hỏng hai tuần nay, buổi tối trẻ con đi học…",
        ),
        ("x" * 80, "x" * 59 + "…"),  # one long word: cut inside it, still marked
    ],
)
def test_the_queue_summary_is_cut_at_a_word_boundary(text: str, expected: str) -> None:
    from handlers.officials.queues import shorten

    short = shorten(text, 60)
    assert short == expected
    assert len(short) <= 60


# --- filing ---------------------------------------------------------------------------


async def test_filing_retries_a_taken_code_and_writes_the_first_event(
    storage: Storage, commune: CommuneSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = await new_in(storage, S.RECEIVED, RecordKind.PHAN_ANH)
    fresh = make_code("CG", NOW.astimezone(commune.timezone), "7KQ3X")
    codes = iter([taken.code, fresh])
    monkeypatch.setattr(tracking_code, "make_code", lambda *_args: next(codes))
    intake = records.Intake(
        citizen_id=None,
        channel="test",
        kind=RecordKind.TO_CAO,
        description="Cán bộ đòi tiền",
        photos=("photo-1",),
        contact_name="Trần Văn Bình",
        contact_phone="0987654321",
        routed_office="VP",  # the understander sends a tố cáo to the Văn phòng
        chosen_office="KT",  # and an office chosen before does not change that
    )
    async with storage.transaction() as uow:
        notifier = Notifier(uow, Renderer(), commune, NOW)
        filed = await records.file_record(uow, commune, intake, NOW, notifier=notifier)
        record = filed.record
        assert (record.code, record.office_code, record.status) == (fresh, "VP", S.RECEIVED)
        assert filed.rule == commune.deadlines[RecordKind.TO_CAO]
        assert [a.ref for a in await uow.attachments.list_for(record.id)] == ["photo-1"]
        (event,) = await uow.events.list_for(record.id, visible_only=False)
        assert (event.action, event.from_status, event.to_status) == ("created", None, S.RECEIVED)
    # the office's head hears of it, with the record's buttons, masked (a tố cáo)
    assert [r.record_code for r in notifier.out] == [fresh]
    assert "Trần Văn Bình" not in notifier.out[0].text


def test_an_office_chosen_before_filing_stands_unless_the_kind_needs_the_vp(
    commune: CommuneSettings,
) -> None:
    assert records.choose_office(commune, RecordKind.PHAN_ANH, "VP", "KT") == "KT"
    assert records.choose_office(commune, RecordKind.PHAN_ANH, "KT", "XX") == "KT"
    assert records.choose_office(commune, RecordKind.PHAN_ANH, "XX", None) == "VP"
    assert records.choose_office(commune, RecordKind.KHIEU_NAI, "VP", "KT") == "VP"
