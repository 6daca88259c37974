"""The personal-data notice and consent (handlers/flows/consent.py): nothing personal is
stored before agreeing, and declining still allows questions."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat
from tests.support.labels import label
from tests.support.records import rows


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


async def test_first_contact_shows_the_notice_and_stores_nothing_personal(
    chat: Chat, settings: Settings
) -> None:
    await chat.send("xin chào")
    assert chat.says("consent_notice")
    chat.says_exactly("consent_notice")
    assert chat.labels == [label("btn.consent_yes"), label("btn.consent_no")]
    row = (await rows(chat.app, "SELECT * FROM citizens"))[0]
    assert row["consent_at"] is None
    assert row["name"] is None
    assert row["phone"] is None


async def test_declining_consent_still_allows_questions_but_not_filing(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press(label("btn.consent_no"))
    assert chat.says("consent_declined")
    chat.says_exactly("consent_declined", ("menu", {"greeting": False, "consented": False}))
    assert label("btn.menu_file") not in chat.labels
    assert label("btn.menu_ask") in chat.labels
    await chat.send("/gopy")
    assert chat.says("consent_needed")
    chat.says_exactly("consent_needed", "consent_notice")
    assert chat.labels == [label("btn.consent_yes"), label("btn.consent_no")]
    await chat.press(label("btn.consent_yes"))
    assert chat.says("consent_given")
    assert chat.says("filing_kind")  # filing continues after agreeing
    chat.says_exactly("consent_given", "filing_kind")
