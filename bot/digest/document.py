"""The report as a DOCX in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I).

A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm (the decree allows
20–25, 20–25, 30–35 and 15–20). Times New Roman throughout: the issuing body, quốc hiệu
and number 13 pt, tiêu ngữ, title and body 14 pt, tables 13 pt; "Nơi nhận" 12 pt bold
italic and its list 11 pt, as the decree sets. The header and the signature are laid out
in borderless two-column tables, as commune offices do in Word. Pages are numbered at the
top centre from the second page.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.digest.render import Block

FONT = "Times New Roman"
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14
TABLE_PT = 13


def _run(
    paragraph: Paragraph,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic


def _line(
    cell: _Cell | None,
    document: Document,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Paragraph:
    if cell is None:
        paragraph = document.add_paragraph()
    elif first:
        paragraph = cell.paragraphs[0]
    else:
        paragraph = cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    _run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths (Word reads the cells, LibreOffice the grid: set both)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _no_borders(table: Table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def _at_least(mm: float) -> Twips:
    """Word stores margins in twips; round up so 15 mm is not saved as 14.99 mm."""
    return Twips(math.ceil(mm * 1440 / 25.4))


def _page_numbers(section: Section) -> None:
    """Page numbers at the top centre from the second page on (NĐ 30/2020, Phụ lục I)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _setup(document: Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = _at_least(MARGINS_MM["top"])
    section.bottom_margin = _at_least(MARGINS_MM["bottom"])
    section.left_margin = _at_least(MARGINS_MM["left"])
    section.right_margin = _at_least(MARGINS_MM["right"])
    _page_numbers(section)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)


def _header(document: Document, parts: dict[str, tuple[str, ...]]) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (62, TEXT_WIDTH_MM - 62))
    left, right = table.rows[0].cells
    issuer = parts["issuer"]
    _line(left, document, issuer[0], 13, bold=True, first=True)
    _line(left, document, issuer[1], 13, bold=True)
    _line(left, document, "———", 13)
    _line(left, document, parts["number"][0], 13)
    _line(right, document, parts["nation"][0], 13, bold=True, first=True)
    _line(right, document, parts["motto"][0], 14, bold=True)
    _line(right, document, "———————————", 13)
    _line(right, document, parts["dateline"][0], 14, italic=True)


def _table(document: Document, block: Block) -> None:
    table = document.add_table(rows=1, cols=len(block.cells))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.cells, strict=True):
        _line(cell, document, text, TABLE_PT, bold=True, first=True)
    for row in block.rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.CENTER
            _line(cell, document, text, TABLE_PT, align=align, first=True)
    # Word keeps a table on one page, and with the heading above it, through "keep with
    # next" on every row but the last (and rows that do not split across pages).
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    for row in table.rows:
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
    columns = len(block.cells)
    if columns > 1:
        first = TEXT_WIDTH_MM * (0.4 if columns > 3 else 0.5)
        rest = (TEXT_WIDTH_MM - first) / (columns - 1)
        _widths(table, (first, *([rest] * (columns - 1))))


def _body(document: Document, text: str, *, italic: bool = False) -> None:
    paragraph = _line(
        None, document, text, BODY_PT, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY
    )
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(6)


def _footer(document: Document, blocks: Sequence[Block]) -> None:
    parts = {b.kind: b.cells for b in blocks}
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (85, TEXT_WIDTH_MM - 85))
    left, right = table.rows[0].cells
    _line(
        left,
        document,
        parts["recipients_title"][0],
        12,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first=True,
    )
    for block in blocks:
        if block.kind == "recipient":
            _line(left, document, block.cells[0], 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    if parts["signer_authority"][0]:
        _line(right, document, parts["signer_authority"][0], 14, bold=True, first=True)
        first = False
    _line(right, document, parts["signer_title"][0], 14, bold=True, first=first)
    for _ in range(4):
        _line(right, document, "", 14)
    _line(right, document, parts["signer_name"][0], 14, bold=True)


def build_docx(blocks: Sequence[Block], chart: bytes) -> bytes:
    """The DOCX file's bytes for the report's blocks and the chart PNG."""
    document = new_document()
    _setup(document)
    parts = {b.kind: b.cells for b in blocks}
    _header(document, parts)
    for position, block in enumerate(blocks):
        text = block.cells[0] if block.cells else ""
        before_table = position + 1 < len(blocks) and blocks[position + 1].kind == "table"
        if block.kind == "title":
            _line(None, document, text, BODY_PT, bold=True).paragraph_format.space_before = Pt(12)
        elif block.kind == "subtitle":
            _line(None, document, text, BODY_PT, bold=True).paragraph_format.space_after = Pt(12)
        elif block.kind == "heading":
            paragraph = _line(
                None, document, text, BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT
            )
            paragraph.paragraph_format.space_before = Pt(6)
            paragraph.paragraph_format.space_after = Pt(3)
            paragraph.paragraph_format.keep_with_next = True  # never alone at a page's foot
        elif block.kind == "para":
            _body(document, text)
            document.paragraphs[-1].paragraph_format.keep_with_next = before_table
        elif block.kind == "note":
            _body(document, text, italic=True)
            document.paragraphs[-1].paragraph_format.space_before = Pt(6)  # off a table
        elif block.kind == "table":
            _table(document, block)
        elif block.kind == "chart":
            document.add_picture(io.BytesIO(chart), width=Mm(165))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            document.paragraphs[-1].paragraph_format.space_before = Pt(12)  # off the table
            _line(None, document, text, TABLE_PT, italic=True)
    document.add_paragraph()
    _footer(document, blocks)
    document.core_properties.title = parts["title"][0] + " " + parts["subtitle"][0]
    document.core_properties.author = parts["issuer"][1]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
