"""Issue 11's corrections loop, end to end: an official's /chuyen becomes a stored routing
correction, `danvan faq train` folds it into the commune's model, and the same message is
then routed to the office the official chose."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings, load_settings
from bot.settings import StorageSettings
from tests.conftest import Chat, Clock, make_official, receive
from tests.support.cli import cli
from tests.support.records import file_report

REPORT = "Đèn đường ngõ 7 hỏng hai tuần nay"  # what file_report describes


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The default configuration in `tmp_path`, where `danvan` run there finds it too."""
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    storage = StorageSettings(data_dir=data, sqlite_path=data / "danvan.sqlite3")
    return replace(load_settings(None), storage=storage)


def office_of(app: App, text: str) -> str:
    commune = app.settings.communes[0]
    understander = app.knowledge.understander(commune, app.dispatcher.clock().date())
    return understander.route(text, "phan_anh")[1]


async def test_a_transfer_teaches_the_commune_where_such_reports_go(
    settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    app = await App.open(settings)
    app.dispatcher.clock = clock
    try:
        assert office_of(app, REPORT) == "KT"  # street lights: the Phòng Kinh tế
        kt = await make_official(app, "kt", "KT", "member")
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        assert [r.record_code for r in await receive(app, "kt")] == [code]
        await kt.send(f"/chuyen {code} VHXH Ở xã này đèn ngõ do văn hóa quản lý")
        async with app.storage.transaction() as uow:
            (stored,) = await uow.corrections.list_for("CG")
        assert (stored.kind, stored.label, stored.previous) == ("routing", "VHXH", "KT")
        assert (stored.source, stored.status) == ("transfer", "accepted")
        assert stored.text == "đèn đường ngõ 7 hỏng hai tuần nay"  # de-identified, marks kept
    finally:
        await app.close()

    listed = cli(tmp_path, "faq", "corrections")
    assert listed.returncode == 0, listed.stderr
    assert "routing → VHXH (was KT) [transfer] đèn đường ngõ 7" in listed.stdout
    trained = cli(tmp_path, "faq", "train", "--commune", "CG")
    assert trained.returncode == 0, trained.stderr
    assert "CG: 1 accepted correction(s) folded in" in trained.stdout
    assert "on eval.toml: " in trained.stdout
    assert '"report_recall": ' in trained.stdout
    assert (settings.storage.data_dir / "models" / "commune-CG.npz").exists()

    again = await App.open(settings)
    try:
        assert office_of(again, REPORT) == "VHXH"
        assert office_of(again, "đèn đường ngõ 7 hỏng hai tuần nay") == "VHXH"
    finally:
        await again.close()
