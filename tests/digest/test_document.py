"""The digest's Word report (bot/digest/document.py) follows Decree 30/2020/NĐ-CP."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Mm, Pt

from bot.app import App
from bot.digest.job import write_outputs
from bot.digest.render import DigestRenderer
from tests.support.digest import digest_of


async def test_docx_follows_decree_30(
    seeded: App, renderer: DigestRenderer, tmp_path: Path
) -> None:
    commune = seeded.settings.communes[0]
    files = write_outputs(await digest_of(seeded, renderer), commune, renderer, tmp_path)
    document = Document(str(files.docx))
    section = document.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    # page numbers at the top centre, not on the first page
    assert section.different_first_page_header_footer
    assert 'w:instr="PAGE"' in section.header.paragraphs[0]._p.xml
    assert not section.first_page_header.paragraphs[0].text
    header, *tables = document.tables
    left, right = (cell.text for cell in header.rows[0].cells)
    assert "ỦY BAN NHÂN DÂN" in left
    assert "XÃ CÁT GIANG (XÃ MẪU)" in left
    assert "Số:" in left
    assert "/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert "Cát Giang, ngày 23 tháng 11 năm 2026" in right  # NOW in local time
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert (
        "Tình hình tiếp nhận, xử lý phản ánh, kiến nghị, khiếu nại, tố cáo của Nhân dân "
        "tuần 47 năm 2026 "
        "(từ ngày 16/11/2026 đến ngày 22/11/2026)"
    ) in paragraphs
    assert "I. TÌNH HÌNH TIẾP NHẬN" in paragraphs
    by_kind = next(t for t in tables if t.rows[0].cells[0].text == "Loại")
    assert [c.text for c in by_kind.rows[-1].cells] == ["Tổng cộng", "4", "2"]
    footer = tables[-1]
    recipients, signer = (cell.text for cell in footer.rows[0].cells)
    assert recipients.startswith("Nơi nhận:")
    assert "- Lưu: VT, VP." in recipients
    assert "TM. ỦY BAN NHÂN DÂN" in signer
    assert "CHỦ TỊCH" in signer
    assert len(document.inline_shapes) == 1  # the chart
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    runs += [
        r
        for t in document.tables[:-1]
        for row in t.rows
        for cell in row.cells
        for p in cell.paragraphs
        for r in p.runs
        if r.text.strip()
    ]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size for r in runs} <= {Pt(13), Pt(14)}
