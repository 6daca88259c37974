"""The desk's deep-link payload (domain/surveys.py) and where Telegram's `/start` reads it."""

from __future__ import annotations

import pytest

from bot.channels.telegram.inbound import _commune_hint
from domain.surveys import SurveyLink


@pytest.mark.parametrize(
    ("payload", "link"),
    [
        ("khaosat_QUAY1", SurveyLink("QUAY1")),
        ("KHAOSAT_quay-2", SurveyLink("QUAY-2")),
        ("khaosat_HP_QUAY1", SurveyLink("QUAY1", "HP")),
        ("khaosat_", None),
        ("khaosat_QUẦY1", None),
        ("khaosat_A_B_C", None),
        ("khaosat_" + "Q" * 21, None),
        ("CG", None),
        ("", None),
    ],
)
def test_payloads(payload: str, link: SurveyLink | None) -> None:
    assert SurveyLink.parse(payload) == link
    if link is not None:
        assert SurveyLink.parse(link.payload()) == link
        assert len(link.payload()) <= 64  # Telegram's limit on a start payload


def test_the_payload_names_the_commune_where_a_bot_serves_several() -> None:
    assert _commune_hint("/start khaosat_HP_QUAY1", ("CG", "HP")) == "HP"
    assert _commune_hint("/start khaosat_QUAY1", ("CG", "HP")) is None
    assert _commune_hint("/start khaosat_HN_QUAY1", ("CG", "HP")) is None
    assert _commune_hint("/start cg", ("CG", "HP")) == "CG"
