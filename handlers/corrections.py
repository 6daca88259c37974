"""Corrections of the bot's understanding, kept for `danvan faq train` (issue 11).

* An official's transfer (`/chuyen`, Chuyển) of a phản ánh or kiến nghị says where the
  report should have gone: a routing correction, accepted at once (an official decided).
  Khiếu nại and tố cáo always go to the triage office first, so their transfers teach
  nothing about routing and are not kept (nor is their text).
* A citizen who files right after an answer, rejects the bot's guess («Không, tôi muốn
  hỏi») or answers «hỏi thủ tục hay gửi phản ánh?» gives an intent label; it waits for an
  administrator (`danvan faq corrections --accept ID`).

Only the de-identified text is stored (`faq.redact.redact_for_training`: names, phones,
e-mail addresses and words the repository's own texts never use are masked).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from domain.lifecycle import StepResult
from domain.records import RecordKind
from faq.corpus import training_vocabulary
from faq.knowledge import load_knowledge_base
from faq.redact import log_vocabulary, redact_for_training
from storage.uow import UnitOfWork

ROUTED_KINDS = (RecordKind.PHAN_ANH, RecordKind.KIEN_NGHI)
# The conversation's note of the text last answered from the knowledge base (consented
# citizens only), until their next free text: filing right after it makes it a report.
ANSWERED = "_answered"


@functools.cache
def _vocabulary() -> frozenset[str]:
    return log_vocabulary(load_knowledge_base()) | training_vocabulary()


def correction_text(text: str) -> str:
    """What a correction may keep of a citizen's text."""
    return redact_for_training(text, _vocabulary())


async def transferred(uow: UnitOfWork, commune_code: str, now: datetime, step: StepResult) -> None:
    """Keep a transfer as a routing correction (phản ánh and kiến nghị only)."""
    before, after = step.before, step.after
    if after.kind not in ROUTED_KINDS or before.office_code == after.office_code:
        return
    await uow.corrections.add(
        commune_code,
        now,
        correction_text(after.description),
        "routing",
        after.office_code,
        previous=before.office_code,
        source="transfer",
        accepted=True,
    )


async def labelled(
    uow: UnitOfWork,
    commune_code: str,
    now: datetime,
    text: str,
    intent: str,
    *,
    previous: str | None,
    source: str,
) -> None:
    """Keep a citizen's intent label (question or report), pending acceptance."""
    await uow.corrections.add(
        commune_code,
        now,
        correction_text(text),
        "intent",
        intent,
        previous=previous,
        source=source,
        accepted=False,
    )


async def filed_after_answer(
    uow: UnitOfWork, commune_code: str, now: datetime, data: dict[str, Any], kind: RecordKind
) -> None:
    """The citizen filed right after an answer: what they had typed was a report. Not kept
    for a tố cáo (what a denouncer typed is kept nowhere it need not be)."""
    text = data.pop(ANSWERED, None)
    if isinstance(text, str) and text and kind is not RecordKind.TO_CAO:
        await labelled(
            uow, commune_code, now, text, "report", previous="question", source="filed_after_answer"
        )
