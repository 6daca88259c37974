"""The knowledge base as the conversation uses it: one understander per commune and day.

Entries carry `effective_from` / `effective_until` (rules change on 01/7/2026, DOMAIN.md
§1.6), so the understander is built over the entries in force on the commune's local
date and rebuilt when the date changes. Routing is the built-in table with the commune's
own `routing` settings on top of the lexicon's (a deployment's `topics.toml` may change it).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from domain.communes import CommuneSettings
from domain.records import RecordKind
from faq.intent import requested_kind as faq_requested_kind
from faq.knowledge import FaqEntry, KnowledgeBase
from faq.lexicon import Lexicon
from faq.topics import DEFAULT_ROUTING
from faq.understand import Understander, redact_for_log

_CAPITALISED_WORD = re.compile(r"(?<=\S\s)[A-ZĐÀ-Ỹ][\wÀ-ỹ]*")


class Knowledge:
    """The knowledge base and the word lists (`faq.lexicon`; the bundled ones when None)."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon | None = None) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self._cache: dict[str, tuple[date, Understander]] = {}

    def understander(self, commune: CommuneSettings, day: date) -> Understander:
        cached = self._cache.get(commune.code)
        if cached is not None and cached[0] == day:
            return cached[1]
        default = DEFAULT_ROUTING if self.lexicon is None else self.lexicon.routing
        routing = {**default, **commune.routing}
        understander = Understander(self.kb.active_on(day), routing, lexicon=self.lexicon)
        self._cache[commune.code] = (day, understander)
        return understander

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self.kb.get(entry_id)


def requested_kind(text: str) -> RecordKind:
    """The kind of record a free-text report asks for; phản ánh unless one is named
    (the phrases are faq/data/lexicons/kinds.toml, the rule `faq.intent.requested_kind`)."""
    return RecordKind(faq_requested_kind(text))


def loggable_question(text: str, vocabulary: Collection[str]) -> str:
    """A question as the unanswered-question log may keep it: normalised, only words of
    the knowledge base's vocabulary (others masked), capitalised words inside the
    sentence (most likely names) and long numbers (phones, ID numbers) removed."""
    return redact_for_log(_CAPITALISED_WORD.sub("#", text), vocabulary)
