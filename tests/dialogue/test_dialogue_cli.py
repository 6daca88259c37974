"""Dialogues on the demo commune through the command line and the terminal channel:
`danvan dialogue create/list/questions --docx/answer`, a citizen at the terminal who
registers and asks, and the answer reaching their terminal."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.cli import cli, run_chat

QUESTION = "Khi nào sửa cống thoát nước ở thôn 2, mưa là ngập?"


def run_cli(cwd: Path, *args: str) -> str:
    done = cli(cwd, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_dialogue_on_the_terminal_from_creation_to_the_answer(tmp_path: Path) -> None:
    day = (datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=10)).date()
    made = run_cli(
        tmp_path,
        "dialogue",
        "create",
        "--commune",
        "CG",
        "--date",
        day.isoformat(),
        "--time",
        "08:00",
        "--place",
        "Hội trường UBND xã",
        "--topic",
        "Môi trường, thoát nước",
    )
    dialogue_id = made.splitlines()[0]
    assert dialogue_id == "1"
    assert "note: the law asks" not in made

    # The citizen types the buttons' labels (the terminal also takes their numbers).
    asked = run_chat(
        tmp_path,
        [
            "/start",
            "Đồng ý",
            "Đối thoại với lãnh đạo xã",
            "Đăng ký tham dự",
            "Gửi câu hỏi trước",
            QUESTION,
            "Gửi ẩn danh",
        ],
        "--user",
        "ba-tu",
    )
    assert "Chủ đề: Môi trường, thoát nước" in asked.stdout, asked.stderr
    assert "Đã đăng ký tham dự buổi đối thoại lúc 08:00" in asked.stdout
    assert "Đã ghi nhận câu hỏi số 1, gửi ẩn danh." in asked.stdout

    listed = run_cli(tmp_path, "dialogue", "list")
    assert "\tHội trường UBND xã\tMôi trường, thoát nước\t1 registered\t1 questions" in listed
    docx = tmp_path / "cau-hoi.docx"
    shown = run_cli(tmp_path, "dialogue", "questions", dialogue_id, "--docx", str(docx))
    assert f"  1. {QUESTION} — anonymous" in shown
    with zipfile.ZipFile(docx) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    assert "CÂU HỎI NGƯỜI DÂN GỬI TRƯỚC BUỔI ĐỐI THOẠI" in document
    assert f"1. {QUESTION} — ẩn danh" in document

    bad = cli(tmp_path, "dialogue", "answer", dialogue_id, "2", "--text", "Không có câu này")
    assert bad.returncode == 2
    assert "has no question 2" in bad.stderr
    answered = run_cli(
        tmp_path, "dialogue", "answer", dialogue_id, "1", "--text", "Tháng 1/2027 nạo vét cống."
    )
    assert "queued to the person who asked" in answered
    delivered = run_chat(tmp_path, [], "--user", "ba-tu")
    assert "Trả lời câu hỏi của anh/chị" in delivered.stdout, delivered.stderr
    assert QUESTION in delivered.stdout
    assert "Tháng 1/2027 nạo vét cống." in delivered.stdout


def test_create_refuses_a_bad_date_and_a_past_moment(tmp_path: Path) -> None:
    common = ("dialogue", "create", "--time", "08:00", "--place", "Hội trường", "--topic", "Đất")
    bad = cli(tmp_path, *common, "--date", "20/13/2026")
    assert bad.returncode == 2
    assert "--date 20/13/2026" in bad.stderr
    past = cli(tmp_path, *common, "--date", "2020-01-01")
    assert past.returncode == 2
    assert "has passed" in past.stderr
    assert run_cli(tmp_path, "dialogue", "list") == "no dialogues\n"
