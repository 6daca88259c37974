"""The terminal channel as a person runs it: `danvan chat` with piped input."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.config import Settings
from domain.messages import plain_text
from handlers.render import Renderer
from tests.support.cli import ROOT, cli, run_chat
from tests.support.labels import label


def test_file_a_report_and_look_it_up_through_a_pipe(tmp_path: Path) -> None:
    filed = run_chat(
        tmp_path,
        [
            "/start",
            "1",  # Đồng ý
            "1",  # Gửi phản ánh…
            "1",  # Phản ánh
            "den duong ngo 7 thon 3 hong 2 tuan nay roi",
            "3",  # Thôn 3
            ":anh cot-den.jpg",
            ":vitri 20.86,106.68",
            "1",  # Tiếp tục
            "2",  # Gửi ẩn danh
            "2",  # Có, cho phép công khai
            "1",  # Gửi
        ],
        "--user",
        "ba-lan",
    )
    assert filed.returncode == 0, filed.stderr
    assert "Công khai: có (đã ẩn thông tin cá nhân)" in filed.stdout  # the numbered menu
    match = re.search(r"Mã hồ sơ của anh/chị: (CG-\d{4}-[0-9A-Z]{6})", filed.stdout)
    assert match, filed.stdout
    code = match.group(1)
    assert (tmp_path / "data" / "danvan.sqlite3").is_file()

    looked_up = run_chat(tmp_path, [f"/tracuu {code}"], "--user", "ba-lan")
    assert looked_up.returncode == 0, looked_up.stderr
    assert f"Hồ sơ {code}" in looked_up.stdout
    assert "Diễn biến" in looked_up.stdout
    assert "<b>" not in looked_up.stdout  # markup is stripped for the terminal


def test_unknown_commune_and_bad_config_say_what_to_fix(tmp_path: Path) -> None:
    result = run_chat(tmp_path, [], "--commune", "ZZ")
    assert result.returncode == 2
    assert "--commune ZZ: not configured; use one of CG" in result.stderr
    (tmp_path / "config.toml").write_text('[bot]\nlog_level = "LOUD"\n', encoding="utf-8")
    result = run_chat(tmp_path, [])
    assert result.returncode == 2
    assert "configuration problem: communes: no commune configured" in result.stderr


def test_end_of_input_exits_cleanly(tmp_path: Path, settings: Settings) -> None:
    result = run_chat(tmp_path, [])  # one empty line, then the end of input
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no traceback, no warning
    notice = Renderer().render("consent_notice", commune=settings.communes[0])
    buttons = f"  [1] {label('btn.consent_yes')}\n  [2] {label('btn.consent_no')}\n"
    assert result.stdout == f"> \n{plain_text(notice)}\n{buttons}\n"  # the line, then the notice
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    nothing = cli(fresh, "chat")  # nothing typed at all: nothing said, no error
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "")


def test_a_restarted_terminal_shows_the_step_again(tmp_path: Path) -> None:
    run_chat(tmp_path, ["/start", "1", "/gopy", "1", "Cống bị tắc"], "--user", "ba")
    resumed = run_chat(tmp_path, ["3"], "--user", "ba")  # "3" = Thôn 3 on the re-shown step
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("Việc này ở thôn/tổ dân phố nào ạ?")
    assert "[3] Thôn 3" in resumed.stdout
    assert "gửi thêm ảnh hoặc vị trí" in resumed.stdout


async def test_what_a_phone_could_not_send_is_answered_in_the_terminal(
    app: App, tmp_path: Path
) -> None:
    # issue 16 #14 and #16: out-of-range numbers, missing or wrong files, impossible places
    out = io.StringIO()
    console = ConsoleChannel(app, "ba", None, out)
    picture = tmp_path / "den.jpg"
    picture.write_bytes(b"\xff\xd8 a photo")
    notes = tmp_path / "notes.txt"
    notes.write_text("ghi chú")
    lines = ["/start", "1", "/gopy", "9", "1", "Cống bị tắc", "3"]
    lines += [":anh khongco.jpg", f":anh {notes}", ":vitri 200,500", f":anh {picture}"]
    await console.run(io.StringIO("\n".join(lines) + "\n"))
    text = out.getvalue()
    render = app.renderer.render
    assert plain_text(render("console_problem", problem="range", detail="5")) in text
    assert "Không tìm thấy tệp «khongco.jpg»" in text
    assert f"Tệp «{notes}» không phải là ảnh" in text
    assert "Vị trí «200,500» không hợp lệ" in text
    assert "Đã nhận 1 ảnh" in text
    async with app.storage.transaction() as uow:
        conversation = await uow.conversations.get(1)
    assert conversation is not None
    draft = conversation.data["draft"]
    assert draft["photos"] == [f"console-photo:{picture}"]
    assert "place" not in draft  # «:vitri 200,500» is no address


async def test_reopening_at_the_menu_shows_the_menu_so_a_number_is_a_button(app: App) -> None:
    first = io.StringIO()
    await ConsoleChannel(app, "ba", None, first).run(io.StringIO("/start\n1\n/huy\n"))
    again = io.StringIO()
    await ConsoleChannel(app, "ba", None, again).run(io.StringIO("1\n"))
    shown = again.getvalue()
    assert shown.startswith(
        plain_text(
            app.renderer.render(
                "menu", greeting=False, consented=True, commune=app.settings.communes[0]
            )
        )
    )
    assert "chưa có câu trả lời sẵn" not in shown  # "1" pressed the menu's first button


def test_a_reader_that_leaves_early_ends_the_chat_quietly(tmp_path: Path) -> None:
    # issue 16 #23: `danvan chat … | head -5` printed a BrokenPipeError traceback
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_CONFIG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "chat", "--user", "ba"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(b"/start\n")
    process.stdin.flush()
    assert process.stdout.readline()  # the reader takes a line, then leaves
    process.stdout.close()
    process.stdin.write(b"/trogiup\n" * 50)
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert "Traceback" not in errors
    assert "BrokenPipe" not in errors


async def test_a_piped_script_is_not_a_flood(app: App) -> None:
    # issue 16 #15: the README's filing pipe run three times in a minute lost lines
    out = io.StringIO()
    limit = app.settings.bot.max_messages_per_minute
    lines = ["/start", "1"] + ["/trogiup"] * limit + ["/gopy"]
    await ConsoleChannel(app, "ba", None, out).run(io.StringIO("\n".join(lines) + "\n"))
    text = out.getvalue()
    assert "nhiều tin quá nhanh" not in text
    assert plain_text(app.renderer.render("filing_kind")) in text  # the last line was read


async def test_at_the_prompt_what_arrives_is_printed_without_typing(app: App) -> None:
    # issue 16 #14: a card or an answer appeared only after the next line typed
    arrived = asyncio.Event()

    class Screen(io.StringIO):
        def write(self, text: str) -> int:
            if "Hướng dẫn sử dụng" in text:
                arrived.set()
            return super().write(text)

    out = Screen()
    console = ConsoleChannel(app, "ba", None, out)
    await console.run(io.StringIO("/start\n1\n"))
    other = ConsoleChannel(app, "ba", None, io.StringIO())
    await app.dispatcher.handle(other.inbound_for("/trogiup"))  # as if from elsewhere
    poller = asyncio.create_task(console.poll(every=0))
    try:
        async with asyncio.timeout(10):  # (a bound, not a measure: no timing is asserted)
            await arrived.wait()
    finally:
        poller.cancel()
    assert out.getvalue().count("Hướng dẫn sử dụng") == 1  # printed once
