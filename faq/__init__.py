"""Understanding Vietnamese citizen text: normalisation, knowledge base, intent, routing.

Public API (see each module): `normalize`, `fold` (faq.normalize); `FaqEntry`,
`KnowledgeBase`, `KnowledgeBaseError`, `load_knowledge_base`, `check_knowledge_base`
(faq.knowledge); `DEFAULT_OFFICES`, `TOPICS`, `DEFAULT_ROUTING` (faq.topics); `Intent`,
`Understanding`, `Understander`, `is_emergency`, `is_greeting`, `is_thanks`,
`redact_for_log` (faq.understand).
"""

from faq.knowledge import (
    FaqEntry,
    KnowledgeBase,
    KnowledgeBaseError,
    check_knowledge_base,
    load_knowledge_base,
)
from faq.normalize import fold, normalize
from faq.topics import DEFAULT_OFFICES, DEFAULT_ROUTING, TOPICS
from faq.understand import (
    Intent,
    Understander,
    Understanding,
    is_emergency,
    is_greeting,
    is_thanks,
    redact_for_log,
)

__all__ = [
    "DEFAULT_OFFICES",
    "DEFAULT_ROUTING",
    "TOPICS",
    "FaqEntry",
    "Intent",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Understander",
    "Understanding",
    "check_knowledge_base",
    "fold",
    "is_emergency",
    "is_greeting",
    "is_thanks",
    "load_knowledge_base",
    "normalize",
    "redact_for_log",
]
