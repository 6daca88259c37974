"""Understanding Vietnamese citizen text: normalisation, knowledge base, intent, routing.

Public API (see each module): `normalize`, `fold` (faq.normalize); `FaqEntry`,
`KnowledgeBase`, `KnowledgeBaseError`, `load_knowledge_base`, `check_knowledge_base`
(faq.knowledge); `Lexicon`, `LexiconError`, `load_lexicon` (faq.lexicon, the word lists
under faq/data); `DEFAULT_OFFICES`, `TOPICS`, `DEFAULT_ROUTING` (faq.topics);
`is_emergency`, `is_greeting`, `is_thanks` (faq.intent); `redact_for_log` (faq.redact);
`Intent`, `Understanding`, `Understander` (faq.understand); the trained model:
`faq.features`, `faq.corpus` (its examples), `faq.model` (`Model`, `build_model`,
`default_model`).
"""

from faq.intent import is_emergency, is_greeting, is_thanks
from faq.knowledge import (
    FaqEntry,
    KnowledgeBase,
    KnowledgeBaseError,
    check_knowledge_base,
    load_knowledge_base,
)
from faq.lexicon import Lexicon, LexiconError, load_lexicon
from faq.normalize import fold, normalize
from faq.redact import redact_for_log
from faq.topics import DEFAULT_OFFICES, DEFAULT_ROUTING, TOPICS
from faq.understand import Intent, Understander, Understanding

__all__ = [
    "DEFAULT_OFFICES",
    "DEFAULT_ROUTING",
    "TOPICS",
    "FaqEntry",
    "Intent",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Lexicon",
    "LexiconError",
    "Understander",
    "Understanding",
    "check_knowledge_base",
    "fold",
    "is_emergency",
    "is_greeting",
    "is_thanks",
    "load_knowledge_base",
    "load_lexicon",
    "normalize",
    "redact_for_log",
]
