"""The desk survey through the real dispatcher: opened by the poster's deep link, four
1–5 questions and a comment, anonymous, one response per person, desk and day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.app import App
from tests.conftest import Chat, Clock
from tests.support.labels import label


@pytest.fixture
def app(backend_app: App) -> App:
    """Backend-neutral: SQLite, and PostgreSQL where a DSN is set."""
    return backend_app


async def answer(chat: Chat, *scores: int) -> None:
    for score in scores:
        await chat.press(label(f"btn.score_{score}"))


async def test_a_newcomer_answers_and_a_second_answer_that_day_is_refused(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    visitor = chat_factory("khach")
    await visitor.send("/start khaosat_QUAY1")  # before any notice on personal data
    visitor.says_exactly(
        ("survey_intro", {"desk": "QUAY1", "count": 4}),
        ("survey_question", {"question": "attitude", "number": 1, "count": 4}),
    )
    assert visitor.labels == ["1", "2", "3", "4", "5"]
    await visitor.send("7")  # not a score: asked again, nothing lost
    visitor.says_exactly(
        "survey_choose", ("survey_question", {"question": "attitude", "number": 1, "count": 4})
    )
    await visitor.send("5")  # typing the digit works too
    assert visitor.says("survey_question", question="waiting", number=2, count=4)
    await answer(visitor, 2, 4, 4)
    assert visitor.says("survey_comment", limit=500)
    await visitor.send("Phải chờ lâu, nhưng cán bộ nhiệt tình")
    visitor.says_exactly(
        ("survey_thanks", {"desk": "QUAY1"}), ("menu", {"greeting": False, "consented": False})
    )

    await visitor.send("/start khaosat_quay1")  # again the same day: refused politely
    visitor.says_exactly(
        ("survey_already", {"desk": "QUAY1"}), ("menu", {"greeting": False, "consented": False})
    )
    await visitor.send("/start khaosat_QUAY2")  # another desk is another survey
    await answer(visitor, 3, 3, 3, 3)
    await visitor.press(label("btn.skip"))
    assert visitor.says("survey_thanks", desk="QUAY2")

    clock.advance(days=1)  # the next day, the first desk again
    await visitor.send("/start khaosat_QUAY1")
    await answer(visitor, 4, 4, 4, 4)
    await visitor.press(label("btn.skip"))
    assert visitor.says("survey_thanks", desk="QUAY1")

    async with app.storage.transaction() as uow:
        first = await uow.surveys.results("CG", date(2026, 11, 26), date(2026, 11, 26))
        assert [(r.desk, r.responses, r.attitude, r.waiting, r.comments) for r in first] == [
            ("QUAY1", 1, 5.0, 2.0, 1),
            ("QUAY2", 1, 3.0, 3.0, 0),
        ]
        rows = await uow._all("SELECT * FROM survey_responses ORDER BY id")
        assert all("khach" not in str(tuple(row)) for row in rows)
        citizen = await uow.citizens.get("test", "khach")
        assert citizen is not None
        assert not citizen.has_consented  # answering asked for nothing personal


async def test_a_link_of_no_desk_or_another_commune(chat: Chat) -> None:
    await chat.send("/start khaosat_HN_QUAY1")
    chat.says_exactly("survey_unknown", ("menu", {"greeting": False, "consented": False}))
    await chat.send("/start khaosat_qu@y")  # not a desk code: the ordinary welcome
    assert chat.says("consent_notice")
