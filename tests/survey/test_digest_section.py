"""The weekly digest's section on the desk survey: the week's responses per desk in the
chat message and in the report (DOCX and page); no section in a week without any."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import App
from bot.digest.job import make_digest, write_outputs
from bot.digest.render import DigestRenderer
from bot.digest.surveys import week_survey_results
from bot.digest.weeks import IsoWeek
from tests.conftest import Chat, Clock
from tests.support.labels import label

W48 = IsoWeek(2026, 48)  # the fixtures' Thursday 26/11/2026 is in it


@pytest.fixture
def app(backend_app: App) -> App:
    """Backend-neutral: SQLite, and PostgreSQL where a DSN is set."""
    return backend_app


async def answer(chat: Chat, desk: str, *scores: int, comment: str | None = None) -> None:
    await chat.send(f"/start khaosat_{desk}")
    for score in scores:
        await chat.press(label(f"btn.score_{score}"))
    if comment:
        await chat.send(comment)
    else:
        await chat.press(label("btn.skip"))
    assert chat.says("survey_thanks", desk=desk)


async def test_the_weeks_results_per_desk_in_the_digest(
    app: App, chat_factory: Callable[..., Chat], clock: Clock, tmp_path: Path
) -> None:
    commune = app.settings.communes[0]
    renderer = DigestRenderer()
    empty = await make_digest(app.storage, commune, W48, app.settings, renderer, clock.now)
    assert empty.surveys == ()
    assert "Khảo sát tại quầy" not in renderer.message(empty)

    await answer(chat_factory("a"), "QUAY1", 5, 4, 5, 5, comment="Cán bộ nhiệt tình, chu đáo")
    await answer(chat_factory("b"), "QUAY1", 4, 2, 3, 3)
    await answer(chat_factory("c"), "QUAY2", 2, 1, 2, 2)
    clock.advance(days=7)  # next week's response is not this week's
    await answer(chat_factory("a"), "QUAY1", 1, 1, 1, 1)

    one, two = await week_survey_results(app.storage, commune, W48)
    assert (one.desk, one.responses, one.overall, one.satisfied) == ("QUAY1", 2, 4.0, 1)
    assert (two.desk, two.responses, two.satisfied_share) == ("QUAY2", 1, 0.0)

    digest = await make_digest(app.storage, commune, W48, app.settings, renderer, clock.now)
    message = renderer.message(digest)
    assert "<b>Khảo sát tại quầy Một cửa</b>" in message
    assert "• Quầy QUAY1: 2 phiếu — 4,5 / 3,0 / 4,0 / 4,0; hài lòng 50%; 1 góp ý" in message
    assert "• Quầy QUAY2: 1 phiếu — 2,0 / 1,0 / 2,0 / 2,0; hài lòng 0%" in message
    files = write_outputs(digest, commune, renderer, tmp_path / "out")
    with zipfile.ZipFile(files.docx) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    assert "Khảo sát mức độ hài lòng tại quầy Bộ phận Một cửa" in document
    assert "QUAY2" in document
    page = files.html.read_text("utf-8")
    assert "Khảo sát mức độ hài lòng tại quầy Bộ phận Một cửa" in page
    assert "Cán bộ nhiệt tình" not in message + document + page  # comments are counted only
