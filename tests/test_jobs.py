"""Scheduled jobs on the real app: reminders, escalation, follow-ups; and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings
from bot.jobs import run_deadline_reminders, run_followups
from domain.messages import plain_text
from tests.conftest import Chat, Clock, make_official, receive
from tests.support.cli import cli, run_chat
from tests.support.labels import label
from tests.support.records import file_report, rows, texts


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These cases are the Văn phòng's: street lights are routed there by configuration."""
    commune = replace(settings.communes[0], routing={"chieu_sang": "VP"})
    return replace(settings, communes=(commune,))


async def test_reminders_then_escalation_once_a_day(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    await make_official(app, "lan", "VP", "member")
    await make_official(app, "ct", "VP", "leader")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)  # Thursday 26/11, due Monday 07/12 (not Sunday 06/12)
    await receive(app, "lan")
    await receive(app, "ct")

    start = clock.now
    early = await run_deadline_reminders(app, start + timedelta(days=3))
    assert (early.reminded, early.escalated) == (0, 0)

    clock.now = soon = start + timedelta(days=9)  # Saturday 05/12: due within 2 days
    report = await run_deadline_reminders(app, soon)
    assert (report.reminded, report.escalated) == (1, 0)
    reminder = texts(await receive(app, "lan"))
    assert f"Nhắc hạn — Văn phòng HĐND và UBND xã\n• {code}" in reminder
    assert "hạn 07/12/2026" in reminder
    assert (await run_deadline_reminders(app, soon)).reminded == 0  # twice a day: once
    assert await receive(app, "lan") == []

    clock.now = late = start + timedelta(days=12)  # Tuesday 08/12: overdue
    report = await run_deadline_reminders(app, late)
    assert (report.reminded, report.escalated) == (1, 1)
    assert "đã quá hạn" in texts(await receive(app, "lan"))
    escalation = texts(await receive(app, "ct"))
    assert f"Hồ sơ quá hạn giải quyết (1)\n• {code}" in escalation
    lan_view = await make_official(app, "lan2", "VP", "member")
    await lan_view.send("/quahan")
    assert f"Quá hạn (1)\n• {code}" in lan_view.text


async def test_a_quiet_answer_is_closed_and_followed_up_once(
    app: App, chat_factory: Callable[..., Chat], clock: Clock, settings: Settings
) -> None:
    lan = await make_official(app, "lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/tiepnhan {code}")
    await lan.send(f"/traloi {code} Đã thay bóng")
    await receive(app, "dan")
    start = clock.now
    assert (await run_followups(app, start + timedelta(days=6))).followed_up == 0
    clock.now = start + timedelta(days=8)
    report = await run_followups(app, clock.now)
    assert report.followed_up == 1
    followup = await receive(app, "dan")
    assert "đã được giải quyết chưa ạ?" in plain_text(followup[0].text)
    assert [b.label for b in followup[0].buttons] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert (await run_followups(app, start + timedelta(days=9))).followed_up == 0
    row = (await rows(app, "SELECT status FROM records"))[0]
    last = (await rows(app, "SELECT action, actor_kind FROM events ORDER BY id DESC"))[0]
    assert row["status"] == "closed"
    assert tuple(last) == ("auto_closed", "system")
    citizen.replies = followup
    await citizen.press(label("btn.rate_s"))
    assert citizen.says("rating_thanks", code=code, value="satisfied")


def run_cli(cwd: Path, *args: str) -> str:
    done = cli(cwd, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_case_through_the_terminal_with_two_identities(tmp_path: Path) -> None:
    # Street lights are the Phòng Kinh tế's (the demo commune routes by topic).
    invite = run_cli(tmp_path, "official", "invite", "--office", "KT", "--role", "member")
    invite_code = invite.split("invite code: ")[1].split()[0]
    joined = run_chat(tmp_path, [f"/thamgia {invite_code} Chị Lan"], "--user", "lan")
    assert "Chào Chị Lan!" in joined.stdout, joined.stderr
    assert "\tKT\tmember\tconsole:lan\tChị Lan" in run_cli(tmp_path, "official", "list")

    filed = run_chat(
        tmp_path,
        ["/start", "1", "1", "1", "den duong ngo 7 thon 3 hong", "3", "1", "2", "1", "1"],
        "--user",
        "ba-lan",
    )
    code = filed.stdout.split("Mã hồ sơ của anh/chị: ")[1].split()[0]

    # The official's terminal shows the notification with numbered buttons: 1 = Tiếp nhận.
    triage = run_chat(
        tmp_path,
        ["1", f":traloi {code} Đã báo điện lực, thay bóng trong ngày 27/11."],
        "--user",
        "lan",
    )
    assert f"Hồ sơ mới\n{code} · Phản ánh · Thôn 3" in triage.stdout, triage.stderr
    assert f"[1] {label('btn.r_take')}" in triage.stdout
    assert "Chị Lan đã tiếp nhận" in triage.stdout
    assert "Đã gửi trả lời cho người gửi." in triage.stdout

    # The citizen sees the updates, then rates (buttons 1–3 on the last message).
    rated = run_chat(tmp_path, ["1"], "--user", "ba-lan")
    assert "có trả lời từ Phòng Kinh tế" in rated.stdout, rated.stderr
    assert "«Đã báo điện lực, thay bóng trong ngày 27/11.»" in rated.stdout
    assert "Xin cảm ơn anh/chị đã đánh giá «Rất hài lòng»" in rated.stdout

    reminded = run_cli(tmp_path, "jobs", "run-reminders")
    assert reminded.startswith("reminders: 0 records reminded")
    assert run_cli(tmp_path, "jobs", "run-followups").startswith("follow-ups: 0 sent")

    listed = run_cli(tmp_path, "official", "list")
    lan_id = next(line.split("\t")[0] for line in listed.splitlines() if "console:lan" in line)
    assert run_cli(tmp_path, "official", "revoke", lan_id) == f"official {lan_id} revoked\n"
    revoked = run_chat(tmp_path, ["/hangdoi"], "--user", "lan")
    assert "tài khoản cán bộ của anh/chị đã bị thu hồi" in revoked.stdout


async def test_without_a_leader_overdue_records_go_to_heads_then_admins(
    app: App, chat_factory: Callable[..., Chat], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    await make_official(app, "lan", "VP", "member")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)  # due Monday 07/12
    await receive(app, "lan")
    start = clock.now

    # no leader, no head: the bootstrap admin (config) hears of it
    clock.now = start + timedelta(days=12)
    report = await run_deadline_reminders(app, clock.now)
    assert (report.reminded, report.escalated) == (1, 1)
    assert f"Hồ sơ quá hạn giải quyết (1)\n• {code}" in texts(
        await receive(app, "admin", channel="console")
    )
    reminder = texts(await receive(app, "lan"))
    assert "đã được báo quản trị" in reminder
    assert "báo lãnh đạo" not in reminder
    assert "no active leader" in caplog.text

    # a head exists: heads before admins
    await make_official(app, "hoa", "KT", "head")
    clock.now = start + timedelta(days=13)
    report = await run_deadline_reminders(app, clock.now)
    assert report.escalated == 1
    assert code in texts(await receive(app, "hoa"))
    assert await receive(app, "admin", channel="console") == []
    assert "đã được báo các trưởng bộ phận" in texts(await receive(app, "lan"))

    # nobody at all to escalate to: nothing counted, the reminder promises nothing
    async with app.storage.transaction() as uow:
        for official in await uow.officials.list_active():
            if official.role.value in ("head", "admin"):
                await uow.officials.revoke(official.id, clock.now)
    clock.now = start + timedelta(days=14)
    report = await run_deadline_reminders(app, clock.now)
    assert (report.reminded, report.escalated) == (1, 0)
    reminder = texts(await receive(app, "lan"))
    assert "quá hạn" in reminder
    assert "đã được báo" not in reminder


async def test_a_due_soon_reminder_does_not_claim_an_escalation(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    await make_official(app, "lan", "VP", "member")
    await make_official(app, "ct", "VP", "leader")
    citizen = chat_factory("dan")
    await citizen.agree()
    await file_report(citizen)
    await receive(app, "lan")
    clock.advance(days=9)
    report = await run_deadline_reminders(app, clock.now)
    assert (report.reminded, report.escalated) == (1, 0)
    assert "báo lãnh đạo" not in texts(await receive(app, "lan"))


async def test_the_cli_revoke_tells_heads_which_records_to_reassign(
    app: App,
    chat_factory: Callable[..., Chat],
    settings: Settings,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import UTC, datetime

    from bot.cli import officials

    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/tiepnhan {code}")
    await receive(app, "hoa")
    async with app.storage.transaction() as uow:
        found = await uow.officials.get("test", "lan")
        assert found is not None
    assert await officials.revoke_and_tell(app.settings, found.id) == 0
    assert f"open records to reassign: {code}" in capsys.readouterr().out
    clock.now = datetime.now(UTC) + timedelta(minutes=1)  # the CLI runs on the real clock
    told = texts(await receive(app, "hoa"))
    assert "Quyền cán bộ của chị Lan đã bị thu hồi" in told
    assert code in told
