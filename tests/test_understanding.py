"""A deployment's knowledge folder reaches the whole conversation: its answers sit beside
the bundled ones, and its word lists reach every check (mid-step emergencies, the kind a
free text names), not only the understander."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import Settings
from tests.conftest import Chat, Clock
from tests.support.labels import label

ENTRY = """
[[entry]]
id = "cho_que"
title = "Chợ quê họp phiên"
office = "VP"
questions = ["chợ quê họp phiên ngày nào"]
answer = "Chợ quê họp phiên vào ngày rằm."
legal_basis = "Quy chế chợ của xã"
source = "https://example.org"
"""


@pytest.fixture
async def deployed(tmp_path: Path, settings: Settings, clock: Clock) -> AsyncIterator[App]:
    folder = tmp_path / "kb"
    (folder / "lexicons").mkdir(parents=True)
    (folder / "cho.toml").write_text(ENTRY, encoding="utf-8")
    (folder / "lexicons" / "emergency.toml").write_text('phrases = ["ran ho mang"]\n', "utf-8")
    (folder / "lexicons" / "kinds.toml").write_text('to_cao = ["an hoi mon"]\n', "utf-8")
    bot = replace(settings.bot, knowledge_dirs=(folder,))
    application = await App.open(replace(settings, bot=bot))
    application.dispatcher.clock = clock
    try:
        yield application
    finally:
        await application.close()


async def test_a_deployment_emergency_phrase_interrupts_a_step(deployed: App) -> None:
    chat = Chat(deployed)
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đèn đường trước nhà văn hoá bị hỏng")
    await chat.send("rắn hổ mang bò vào nhà")  # at the hamlet step: no hamlet, an emergency
    assert chat.says("emergency")
    assert chat.says("filing_hamlet", hamlets=deployed.settings.communes[0].hamlets)


async def test_a_deployment_kind_phrase_names_the_kind_offered(deployed: App) -> None:
    chat = Chat(deployed)
    await chat.agree()
    await chat.send("cán bộ địa chính ăn hối môn của dân")
    assert "muốn gửi tố cáo" in chat.text
    await chat.send("cán bộ địa chính gây khó dễ")  # a bundled phrase still counts
    assert "muốn gửi tố cáo" in chat.text


async def test_deployment_answers_sit_beside_the_bundled_ones(deployed: App) -> None:
    chat = Chat(deployed)
    await chat.agree()
    await chat.send("chợ quê họp phiên ngày nào")
    assert "ngày rằm" in chat.text
    await chat.send("làm giấy khai sinh cho con cần gì")
    assert "60 ngày" in chat.text
