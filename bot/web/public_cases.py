"""The published answered cases on the public page (issue 12).

Only a phản ánh or kiến nghị whose citizen chose «cho phép công khai (đã ẩn thông tin cá
nhân)» at filing, once answered (`uow.public.published`); never a khiếu nại or tố cáo, never
the sender. The description and the official's answer pass `faq.redact.mask_personal`
(phone numbers, plate numbers, e-mail addresses, personal names), and the search runs over
the masked text only: a query for a name finds nothing the page does not show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.communes import CommuneSettings
from faq.normalize import normalize
from faq.redact import mask_personal
from faq.topics import TOPICS
from storage.repos.public import Published

PAGE_SIZE = 10
MOST = 1000  # the newest cases searched; older ones stay in the commune's files
QUERY_MAX = 100


@dataclass(frozen=True, slots=True)
class Case:
    code: str
    kind: str
    topic: str | None
    hamlet: str | None
    office: str
    received: datetime
    answered: datetime | None
    description: str
    answer: str

    def matches(self, words: Sequence[str]) -> bool:
        text = normalize(f"{self.description} {self.answer} {self.topic or ''} {self.office}")
        haystack = f" {text} "
        return all(f" {w}" in haystack for w in words)


@dataclass(frozen=True, slots=True)
class CasePage:
    cases: list[Case]
    query: str
    page: int
    pages: int
    found: int


def case(commune: CommuneSettings, published: Published) -> Case:
    record, zone = published.record, commune.timezone
    office = commune.office(record.office_code)
    return Case(
        code=record.code,
        kind=record.kind.value,
        topic=TOPICS.get(record.topic or ""),
        hamlet=record.hamlet,
        office=office.name if office else record.office_code,
        received=record.created_at.astimezone(zone),
        answered=record.answered_at.astimezone(zone) if record.answered_at else None,
        description=mask_personal(record.description),
        answer=mask_personal(published.answer or ""),
    )


def page_of(
    commune: CommuneSettings, published: Sequence[Published], query: str, page: int
) -> CasePage:
    """The `page`-th page (from 1) of the cases whose masked text holds every word of
    `query` (folded: without diacritics or case)."""
    query = " ".join(query.split())[:QUERY_MAX]
    words = normalize(query).split()
    cases = [case(commune, p) for p in published]
    found = [c for c in cases if c.matches(words)] if words else cases
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return CasePage(found[start : start + PAGE_SIZE], query, page, pages, len(found))
