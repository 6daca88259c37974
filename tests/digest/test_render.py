"""The digest's message, page and chart (bot/digest/render.py): no personal data anywhere, the
message fits Telegram, long lists are cut, an empty week still reads well."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

from bot.app import App
from bot.digest.job import DigestFiles, make_digest, write_outputs
from bot.digest.render import TELEGRAM_LIMIT, DigestRenderer
from tests.support.digest import NOW, W47, digest_of
from tests.support.digest_seed import SECRETS, Seed, local


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return " ".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


def all_output_text(files: DigestFiles) -> str:
    return "\n".join(
        [
            files.message,
            files.message_path.read_text("utf-8"),
            files.html.read_text("utf-8"),
            docx_text(files.docx),
            files.chart.read_bytes().decode("latin-1"),
        ]
    )


async def test_outputs_hold_no_personal_data(
    seeded: App, renderer: DigestRenderer, tmp_path: Path
) -> None:
    commune = seeded.settings.communes[0]
    files = write_outputs(await digest_of(seeded, renderer), commune, renderer, tmp_path / "o")
    text = all_output_text(files)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "Đất đai" not in text  # the tố cáo's topic
    assert "CG-2611-R7" in text  # an overdue phản ánh is listed by code


async def test_message_fits_telegram_and_reads_well(seeded: App, renderer: DigestRenderer) -> None:
    message = renderer.message(await digest_of(seeded, renderer))
    assert len(message) <= TELEGRAM_LIMIT
    assert "<b>Tiếp nhận: 4</b> (▲ +2 so với tuần trước)" in message
    assert "Đúng hạn: <b>66,7%</b> (2/3 hồ sơ đã giải quyết)" in message
    assert "<b>Quá hạn cuối tuần: 2</b> (gồm 1 tố cáo, không liệt kê)" in message
    assert "<code>CG-2611-R7</code> — KT — 10 ngày" in message
    assert "Phản hồi đầu tiên: trung vị 4 giờ, 90% trong 24 giờ" in message
    assert "50% hài lòng trên 2 đánh giá" in message


async def test_long_lists_are_cut_to_fit_telegram(app: App, renderer: DigestRenderer) -> None:
    async with app.storage.transaction() as uow:
        seed = Seed(uow)
        for i in range(200):
            await seed.record(f"CG-2610-L{i:03d}", "phan_anh", "KT", local(10, 1), local(10, 11))
            await seed.record(
                f"CG-2611-N{i:03d}",
                "phan_anh",
                "KT",
                local(11, 17),
                local(11, 27),
                topic=f"chu_de_{i}",
                hamlet=f"Tổ dân phố số {i} khu dân cư mới",
            )
        for i in range(30):
            text = f"cau hoi rat dai so {i} " + "ve thu tuc hanh chinh " * 10
            await seed.question(local(11, 17), text)
    settings = replace(
        app.settings, digest=replace(app.settings.digest, overdue_list=100, top_questions=30)
    )
    commune = settings.communes[0]
    digest = await make_digest(app.storage, commune, W47, settings, renderer, NOW)
    assert len(digest.current.overdue) == 100
    message = renderer.message(digest)
    assert len(message) <= TELEGRAM_LIMIT
    assert "hồ sơ khác (xem báo cáo)" in message


async def test_empty_week(app: App, renderer: DigestRenderer, tmp_path: Path) -> None:
    digest = await digest_of(app, renderer)
    w = digest.current
    assert w.received == 0
    assert w.on_time_rate is None
    assert w.first_response.count == 0
    assert w.first_response.median_hours is None
    files = write_outputs(digest, app.settings.communes[0], renderer, tmp_path)
    assert all(path.stat().st_size > 0 for path in files.paths)
    assert "<b>Tiếp nhận: 0</b>" in files.message
    assert "Chưa có hồ sơ nào được xử lý." in files.message


async def test_chart_is_a_png(seeded: App, renderer: DigestRenderer, tmp_path: Path) -> None:
    commune = seeded.settings.communes[0]
    files = write_outputs(await digest_of(seeded, renderer), commune, renderer, tmp_path)
    data = files.chart.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000
    assert files.chart.name == "bieu-do-CG-2026-W47.png"
    assert 'src="data:image/png;base64,' in files.html.read_text("utf-8")
