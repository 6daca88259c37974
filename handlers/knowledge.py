"""The knowledge base as the conversation uses it: one understander per commune and day.

Entries carry `effective_from` / `effective_until` (rules change on 01/7/2026, DOMAIN.md
§1.6), so the understander is built over the entries in force on the commune's local
date and rebuilt when the date changes. Routing is the built-in table with the commune's
own `routing` settings on top.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from domain.communes import CommuneSettings
from domain.records import RecordKind
from faq.knowledge import FaqEntry, KnowledgeBase
from faq.normalize import normalize
from faq.topics import DEFAULT_ROUTING
from faq.understand import Understander, redact_for_log

_CAPITALISED_WORD = re.compile(r"(?<=\S\s)[A-ZĐÀ-Ỹ][\wÀ-ỹ]*")


class Knowledge:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._cache: dict[str, tuple[date, Understander]] = {}

    def understander(self, commune: CommuneSettings, day: date) -> Understander:
        cached = self._cache.get(commune.code)
        if cached is not None and cached[0] == day:
            return cached[1]
        routing = {**DEFAULT_ROUTING, **commune.routing}
        understander = Understander(self.kb.active_on(day), routing)
        self._cache[commune.code] = (day, understander)
        return understander

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self.kb.get(entry_id)


# What people write when they know which kind they want, in normalised form; the most
# serious kind named wins ("khiếu nại, tố cáo" is handled as a tố cáo).
_KIND_PHRASES: tuple[tuple[RecordKind, tuple[str, ...]], ...] = (
    (
        RecordKind.TO_CAO,
        # naming it, or describing an official's corruption (a tố cáo, not a kiến nghị)
        (
            "to cao",
            "to giac",
            "doi tien",
            "gay kho de",
            "hoi lo",
            "an chan",
            "boi tron",
            "tham nhung",
            "nhan phong bi",
            "lot tay",
            "voi tien",
        ),
    ),
    (RecordKind.KHIEU_NAI, ("khieu nai", "khieu kien")),
    (RecordKind.KIEN_NGHI, ("kien nghi", "de nghi", "de xuat", "gop y")),
)


def requested_kind(text: str) -> RecordKind:
    """The kind of record a free-text report asks for; phản ánh unless one is named."""
    padded = f" {normalize(text)} "
    for kind, phrases in _KIND_PHRASES:
        if any(f" {phrase} " in padded for phrase in phrases):
            return kind
    return RecordKind.PHAN_ANH


def loggable_question(text: str, vocabulary: Collection[str]) -> str:
    """A question as the unanswered-question log may keep it: normalised, only words of
    the knowledge base's vocabulary (others masked), capitalised words inside the
    sentence (most likely names) and long numbers (phones, ID numbers) removed."""
    return redact_for_log(_CAPITALISED_WORD.sub("#", text), vocabulary)
