"""The weekly digest's consultations section: the week's polls in the chat message, the DOCX
and the HTML page, as counts only (no comment, no person), and the >50 % outcome in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docx import Document

from bot.app import App
from bot.digest.job import make_digest, write_outputs
from bot.digest.render import DigestRenderer
from bot.digest.weeks import IsoWeek
from domain.messages import plain_text
from tests.conftest import Chat
from tests.polls.conftest import make_codes, make_poll

W48 = IsoWeek(2026, 48)  # the week of T0 (Thursday 26/11/2026)


async def test_the_weeks_consultations_are_in_the_message_docx_and_page(
    app: App, chat_factory: Callable[..., Chat], tmp_path: Path
) -> None:
    road, _ = await make_poll(
        app, "Góp tiền làm đường Thôn 3?", ("Đồng ý", "Không"), hamlet="Thôn 3", household=True
    )
    market, _ = await make_poll(app)  # a consultation of the whole commune
    codes = await make_codes(app, road, "Thôn 3", 4)
    for i, code in enumerate(codes[:3]):
        voter = chat_factory(f"v{i}")
        await voter.agree()
        await voter.deliver(voter.inbound(button=f"m:laykien:{road.id}:0"))
        await voter.send(code)
        await voter.deliver(voter.inbound(button=f"m:laykien:{market.id}:1"))
        await voter.press("✍️ Góp thêm ý kiến")
        await voter.send(f"Tôi là Trần Thị Bích {i}, số 0987000{i}")

    commune = app.settings.communes[0]
    renderer = DigestRenderer()
    digest = await make_digest(
        app.storage, commune, W48, app.settings, renderer, app.dispatcher.clock()
    )
    files = write_outputs(digest, commune, renderer, tmp_path)

    message = plain_text(files.message)
    assert "Lấy ý kiến Nhân dân" in message
    assert (
        f"• Số {road.id} «Góp tiền làm đường Thôn 3?» (Thôn 3): 3 hộ — «Đồng ý» được hơn một "
        "nửa số hộ đồng ý" in message
    )
    assert f"• Số {market.id} «Có nên mở chợ phiên" in message
    assert "(cả xã): 3 người — nhiều nhất «Không nên» (3)" in message

    document = Document(str(files.docx))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "3 hộ/4" in cells
    assert "Thông qua: «Đồng ý» (hơn một nửa số hộ); đang lấy ý kiến" in cells
    headings = [p.text for p in document.paragraphs]
    assert "V. LẤY Ý KIẾN NHÂN DÂN" in headings
    page = files.html.read_text("utf-8")
    assert "Nhiều nhất: «Không nên» (3); đang lấy ý kiến" in page

    for text in (files.message, page, "\n".join(cells)):
        assert "Trần Thị Bích" not in text
        assert "0987000" not in text

    # The week before had none: its section says so, and nothing is listed.
    earlier = await make_digest(
        app.storage, commune, W48.previous(), app.settings, renderer, app.dispatcher.clock()
    )
    assert earlier.current.consultations == ()
    assert "Lấy ý kiến Nhân dân" not in renderer.message(earlier)
    blocks = renderer.report(earlier, commune)
    assert any(b.cells == ("Không có nội dung lấy ý kiến trong tuần.",) for b in blocks)
