"""`danvan poll …` in-process on the demo commune: create prints the id, codes print one a
line, a citizen votes with one in the chat, results print counts only, close tells them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.config import load_settings
from tests.conftest import Chat, receive
from tests.support.cli import run_chat

QUESTION = "Có đồng ý mỗi hộ góp 200.000 đồng làm đường bê tông Thôn 3 không?"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An operator's folder with no config: the demo commune, data in ./data."""
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["poll", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_create_codes_vote_results_close(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys, "create", "--question", QUESTION, "--option", "Đồng ý", "--option",
        "Không đồng ý", "--hamlet", "thon 3", "--closes", "2099-12-31", "--household",
    )  # fmt: skip
    assert status == 0, err
    assert out == "1\n"  # only the id: ID=$(danvan poll create …)
    assert "poll 1: queued 0 messages to subscribers of CG (Thôn 3)" in err
    status, out, _ = run(capsys, "codes", "1", "--hamlet", "Thôn 3", "--count", "3")
    assert status == 0
    codes = out.split()
    assert len(codes) == 3
    assert run(capsys, "codes", "1", "--hamlet", "Thôn 1", "--count", "3")[0] == 2
    status, out, _ = run(capsys, "list")
    assert out.startswith("1\topen\thousehold\tThôn 3, last day 2099-12-31\tCó đồng ý")

    assert "Đã ghi nhận lựa chọn «Đồng ý»" in asyncio.run(_vote(codes[1]))

    status, out, _ = run(capsys, "results", "1", "--comments")
    assert status == 0
    assert "Tổng số: 1 hộ biểu quyết" in out
    assert "đã biểu quyết 1/3 mã đã phát (33%)" in out  # the demo has no households count
    assert "<b>" not in out  # plain text for the console
    assert "cli-voter" not in out

    status, out, _ = run(capsys, "close", "1")
    assert (status, out) == (0, "poll 1 closed; the result queued to 1 participants\n")
    assert run(capsys, "close", "1")[1] == "poll 1 was closed already; the result went out then\n"
    assert "Đã kết thúc." in asyncio.run(_result())
    assert run(capsys, "codes", "1", "--hamlet", "Thôn 3", "--count", "1")[0] == 2  # closed


async def _vote(code: str) -> str:
    """A citizen of the demo commune answers poll 1 with a household code in the chat."""
    app = await App.open(load_settings(None))
    try:
        citizen = Chat(app, "cli-voter", "console")
        await citizen.agree()
        await citizen.deliver(citizen.inbound(button="m:laykien:1:0"))
        await citizen.send(code)
        return citizen.text
    finally:
        await app.close()


async def _result() -> str:
    app = await App.open(load_settings(None))
    try:
        (result,) = await receive(app, "cli-voter", "console")
        return result.text
    finally:
        await app.close()


def test_bad_input_is_named(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "create", "--question", "Một phương án?", "--option", "Có")
    assert status == 2
    assert "cannot create the poll: options" in err
    status, _, err = run(
        capsys, "create", "--question", "?", "--option", "A", "--option", "B", "--hamlet", "X"
    )
    assert status == 2
    assert "not a hamlet of CG" in err
    status, _, err = run(
        capsys, "create", "--question", "?", "--option", "A", "--option", "B",
        "--closes", "2020-01-01",
    )  # fmt: skip
    assert status == 2
    assert "closes" in err
    assert run(capsys, "results", "42")[0] == 2
    assert run(capsys, "close", "42")[0] == 2
    status, out, err = run(capsys, "list")
    assert (status, out) == (0, "")


def test_the_terminal_chat_answers_a_poll_on_the_demo_commune(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = run(
        capsys, "create", "--question", "Có nên mở chợ phiên?", "--option", "Nên mở",
        "--option", "Không nên",
    )  # fmt: skip
    assert status == 0
    # consent (1), the menu's «🗳 Lấy ý kiến» (7), the poll (1), «Không nên» (2)
    done = run_chat(folder, ["/start", "1", "7", "1", "2"], "--user", "dan")
    assert done.returncode == 0, done.stderr
    assert "[7] 🗳 Lấy ý kiến" in done.stdout
    assert "Đã ghi nhận lựa chọn «Không nên» của anh/chị." in done.stdout
    status, out, _ = run(capsys, "results", "1")
    assert "2. Không nên: 1 (100%)" in out
