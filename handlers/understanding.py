"""Understanding as the conversation uses it: the knowledge base and the deployment's word
lists, one understander per commune and day, and the intent checks made outside it.

Entries carry `effective_from` / `effective_until` (rules change on 01/7/2026, DOMAIN.md
§1.6), so the understander is built over the entries in force on the commune's local
date and rebuilt when the date changes. Routing is the built-in table with the commune's
own `routing` settings on top of the lexicon's (a deployment's `topics.toml` may change it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date

from domain.communes import CommuneSettings
from domain.records import RecordKind
from faq.intent import BUNDLED_RULES, IntentRules
from faq.knowledge import FaqEntry, KnowledgeBase
from faq.lexicon import Lexicon
from faq.model import Model
from faq.topics import DEFAULT_ROUTING
from faq.understand import Understander, redact_for_log

_CAPITALISED_WORD = re.compile(r"(?<=\S\s)[A-ZĐÀ-Ỹ][\wÀ-ỹ]*")


class Knowledge:
    """The knowledge base, the word lists (`faq.lexicon`; the bundled ones when None) and
    the trained model (`faq.model`: the bundled one when None; a commune's own, trained
    with its corrections by `danvan faq train`, in `models`)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        lexicon: Lexicon | None = None,
        model: Model | None = None,
        models: Mapping[str, Model] | None = None,
    ) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self.model = model
        self.models = dict(models or {})
        # The deployment's word lists reach every check, not only the understander's.
        self.rules = BUNDLED_RULES if lexicon is None else IntentRules(lexicon)
        self._cache: dict[str, tuple[date, Understander]] = {}

    def understander(self, commune: CommuneSettings, day: date) -> Understander:
        cached = self._cache.get(commune.code)
        if cached is not None and cached[0] == day:
            return cached[1]
        default = DEFAULT_ROUTING if self.lexicon is None else self.lexicon.routing
        routing = {**default, **commune.routing}
        model = self.models.get(commune.code, self.model)
        understander = Understander(
            self.kb.active_on(day), routing, lexicon=self.lexicon, model=model
        )
        self._cache[commune.code] = (day, understander)
        return understander

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self.kb.get(entry_id)

    def is_emergency(self, text: str) -> bool:
        """Emergency wording (`faq.intent`), with the deployment's phrases."""
        return self.rules.emergency(self.rules.analyse(text))

    def is_thanks(self, text: str) -> bool:
        return self.rules.thanks(self.rules.analyse(text))

    def requested_kind(self, text: str) -> RecordKind:
        """The kind of record a free-text report asks for; phản ánh unless one is named
        (the phrases are faq/data/lexicons/kinds.toml)."""
        return self.rules.requested_kind(text)


def loggable_question(text: str, vocabulary: Collection[str]) -> str:
    """A question as the unanswered-question log may keep it: normalised, only words of
    the knowledge base's vocabulary (others masked), capitalised words inside the
    sentence (most likely names) and long numbers (phones, ID numbers) removed."""
    return redact_for_log(_CAPITALISED_WORD.sub("#", text), vocabulary)
