"""The one row loader: a frozen dataclass from a row, converted by its type hints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.records import ActorKind, Conversation, Event, RecordStatus, Subscription
from storage.repos.rows import load

AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_times_enums_bools_and_json_are_converted() -> None:
    row = {
        "id": 1,
        "record_id": 2,
        "at": "2026-11-26T02:00:00.000000+00:00",
        "actor_kind": "official",
        "actor_ref": None,
        "action": "take",
        "from_status": "",  # SQLite may hold '' for no status
        "to_status": "accepted",
        "note": "",
        "visible_to_citizen": 0,
        "channel": "web",
        "ignored": "a column the dataclass does not have",
    }
    event = load(Event, row)
    assert event == Event(
        1, 2, AT, ActorKind.OFFICIAL, None, "take", None, RecordStatus.ACCEPTED, "", False, "web"
    )
    assert event.visible_to_citizen is False
    assert isinstance(event.to_status, RecordStatus)
    conversation = load(
        Conversation,
        {
            "citizen_id": 1,
            "flow": "f",
            "state": "s",
            "data": '{"a": [1]}',
            "nonce": 2,
            "updated_at": AT,
        },
        owner_id="citizen_id",
    )
    assert conversation.data == {"a": [1]}
    assert conversation.updated_at == AT


def test_a_field_may_come_from_a_column_of_another_name() -> None:
    row = {
        "citizen_id": 1,
        "channel": "t",
        "external_id": "u1",
        "commune_code": "CG",
        "hamlet": None,
    }
    assert load(Subscription, row, chat_id="external_id").chat_id == "u1"


def test_a_missing_required_time_is_an_error() -> None:
    row = {"citizen_id": 1, "flow": "f", "state": "s", "data": "{}", "nonce": 2, "updated_at": None}
    with pytest.raises(ValueError, match="required"):
        load(Conversation, row, owner_id="citizen_id")
