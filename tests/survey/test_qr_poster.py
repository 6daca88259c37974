"""`danvan qr`: the desk's poster PNG, its QR code decoded back to the desk's link, and
that link's payload answered on the terminal channel of the demo commune."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image

from domain.surveys import SurveyLink
from tests.support.cli import cli, run_chat


def test_the_poster_decodes_to_the_desk_and_the_survey_runs_on_the_terminal(
    tmp_path: Path,
) -> None:
    out = tmp_path / "quay1.png"
    made = cli(
        tmp_path,
        "qr",
        "--commune",
        "CG",
        "--desk",
        "quay1",
        "--out",
        str(out),
        "--bot",
        "@xa_cat_giang_bot",
    )
    assert made.returncode == 0, made.stderr
    assert "link: https://t.me/xa_cat_giang_bot?start=khaosat_QUAY1" in made.stdout
    with Image.open(out) as poster:
        assert poster.size == (1240, 1754)
        (found,) = zxingcpp.read_barcodes(poster)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == "https://t.me/xa_cat_giang_bot?start=khaosat_QUAY1"
    payload = found.text.split("?start=", 1)[1]
    assert SurveyLink.parse(payload) == SurveyLink("QUAY1")

    # The terminal: what the link sends, then the buttons by their numbers (1–5), «Bỏ qua».
    answered = run_chat(tmp_path, [f"/start {payload}", "5", "4", "4", "5", "1"])
    assert "Câu 1/4." in answered.stdout, answered.stderr
    assert "Câu 4/4." in answered.stdout
    assert "Đánh giá cho quầy QUAY1 đã được ghi nhận (ẩn danh)" in answered.stdout
    again = run_chat(tmp_path, [f"/start {payload}"])
    assert "hôm nay anh/chị đã đánh giá quầy QUAY1 rồi" in again.stdout, again.stderr


def test_a_bad_desk_code_is_refused(tmp_path: Path) -> None:
    done = cli(tmp_path, "qr", "--desk", "quầy 1", "--out", "x.png", "--bot", "b")
    assert done.returncode == 2
    assert "--desk" in done.stderr
    assert not (tmp_path / "x.png").exists()
