"""`danvan run`, `danvan outbox status` and `danvan broadcast` as an operator uses them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.config import load_settings
from tests.botapi import TOKEN, BotApiStandIn, FakeClock
from tests.botapi_http import serve_app, standin_app
from tests.conftest import T0

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "config.example.toml").read_text("utf-8")


def write_config(tmp: Path, *, telegram: bool = True, base_url: str = "") -> Path:
    text = EXAMPLE.replace('data_dir = "data"', f'data_dir = "{tmp / "data"}"')
    text = text.replace('base_url = ""', f'base_url = "{base_url}"')
    text = re.sub(r"\[zalo_bot\].*?(?=\n# Pacing)", "", text, flags=re.DOTALL)
    text = text.replace("port = 8080\nmax_body_kb", "port = 0\nmax_body_kb")  # [server]
    if not telegram:
        text = re.sub(r"\[telegram\].*?(?=\n# The one web server)", "", text, flags=re.DOTALL)
    path = tmp / "config.toml"
    path.write_text(text, "utf-8")
    return path


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("DANVAN_CONFIG", "DANVAN_TELEGRAM_TOKEN", "DANVAN_TELEGRAM_SECRET")
    }


def test_run_without_a_token_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_TELEGRAM_TOKEN", raising=False)
    assert main(["--config", str(write_config(tmp_path)), "run"]) == 2
    err = capsys.readouterr().err
    assert "telegram.token_env" in err
    assert "DANVAN_TELEGRAM_TOKEN is not set" in err


def test_broadcast_and_outbox_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path)
    settings = load_settings(config)

    async def subscribe(n: int) -> None:
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            commune = settings.communes[0]
            for i in range(n):
                citizen = await uow.citizens.create("telegram", str(700 + i), T0)
                await uow.citizens.set_consent(citizen.id, T0, "v")
                await uow.subscriptions.save(citizen.id, commune.code, commune.hamlets[i % 2], T0)

    asyncio.run(subscribe(6))
    notice = tmp_path / "thong-bao.txt"
    notice.write_text("Lịch tiêm chủng tháng 12\nSáng thứ Bảy tại trạm y tế.", "utf-8")
    broadcast = ["--config", str(config), "broadcast", "--file", str(notice), "--hamlet"]
    assert main([*broadcast, "Thôn 1"]) == 0
    assert "queued 3 messages to subscribers of CG (Thôn 1)" in capsys.readouterr().out
    assert main([*broadcast, "Thôn 9"]) == 2
    assert "not a hamlet of CG" in capsys.readouterr().err
    assert main(["--config", str(config), "outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "outbox: 3 pending, 0 sent, 0 failed" in out
    assert "telegram: 3 pending (broadcast 3)" in out
    assert "oldest pending: #1 on telegram" in out
    assert re.search(r"queued \d\d:\d\d \d\d/\d\d/20\d\d \(UTC\+07:00\)", out), out


async def test_run_serves_then_stops_cleanly_on_sigterm_and_logs_no_secrets(tmp_path: Path) -> None:
    standin = BotApiStandIn(clock=FakeClock(T0))
    async with serve_app(standin_app(standin, timeout_delay=1.0)) as port:
        config = write_config(tmp_path, base_url=f"http://127.0.0.1:{port}/bot")
        env = {**clean_env(), "DANVAN_TELEGRAM_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "--config",
            str(config),
            "run",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            private_text = "nhà tôi ở ngõ 7 bí mật"
            standin.push(standin.message_update(31337, text="/start"))
            for _ in range(1500):
                if standin.to(31337):
                    break
                await asyncio.sleep(0.01)
            assert standin.to(31337), "the bot did not answer"
            standin.push(standin.message_update(31338, text=private_text))  # no chat pacing
            for _ in range(1500):
                if standin.to(31338):
                    break
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    log = err.decode()
    assert process.returncode == 0, log
    assert TOKEN not in log
    assert TOKEN.split(":", 1)[1] not in log
    assert private_text not in log
    assert "telegram: stopping" in log
    assert standin.methods("setMyCommands")


def test_broadcast_dry_run_folded_hamlet_nobody_yet_and_local_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 16 #18 and #19
    config = write_config(tmp_path)
    notice = tmp_path / "thong-bao.txt"
    notice.write_text("Lịch tiêm chủng tháng 12", "utf-8")
    broadcast = ["--config", str(config), "broadcast", "--file", str(notice)]
    assert main([*broadcast, "--hamlet", "thon 1", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Lịch tiêm chủng tháng 12" in out  # the text as citizens will read it
    assert "would queue 0 messages to subscribers of CG (Thôn 1)" in out
    assert "chưa có ai đăng ký" in out
    assert "nothing was sent" in out
    assert main([*broadcast, "--hamlet", "THON 1"]) == 0
    assert "queued 0 messages to subscribers of CG (Thôn 1); chưa có ai đăng ký" in (
        capsys.readouterr().out
    )
    invite = ["--config", str(config), "official", "invite", "--office", "KT", "--role", "member"]
    assert main(invite) == 0
    out = capsys.readouterr().out
    assert re.search(r"valid until \d\d:\d\d \d\d/\d\d/20\d\d \(UTC\+07:00\)", out), out
    assert "+00:00" not in out
