"""A dialogue's questions, grouped by topic, as a DOCX for the leader to prepare with.

The words come from the template `dialogue_questions_docx.j2` (`part|text` lines: title,
info, group, question, empty), rendered by the bot's renderer and turned into plain text;
python-docx escapes what it writes. Times New Roman, as the commune's documents are.
"""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as new_document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from domain.communes import CommuneSettings
from domain.dialogues import Dialogue, DialogueQuestion
from domain.messages import plain_text
from handlers.render import Renderer

FONT = "Times New Roman"
SIZES = {"title": 16, "info": 13, "group": 14, "question": 13, "empty": 13}


def questions_docx(
    renderer: Renderer,
    commune: CommuneSettings,
    dialogue: Dialogue,
    groups: list[tuple[str, list[DialogueQuestion]]],
    registered: int,
    now: datetime,
) -> bytes:
    text = plain_text(
        renderer.render(
            "dialogue_questions_docx",
            commune=commune,
            dialogue=dialogue,
            starts=dialogue.starts_at.astimezone(commune.timezone),
            groups=groups,
            registered=registered,
            made=now.astimezone(commune.timezone),
        )
    )
    document = new_document()
    for section in document.sections:
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
    for line in text.splitlines():
        kind, bar, words = line.partition("|")
        if not bar:
            continue
        paragraph = document.add_paragraph()
        if kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(words)
        run.font.name = FONT
        run.font.size = Pt(SIZES.get(kind, 13))
        run.bold = kind in ("title", "group")
        run.italic = kind == "empty"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
