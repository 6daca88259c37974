"""`danvan ask` and `danvan faq check`: the understanding layer from the command line.

`faq check` validates the knowledge base and the word lists (`faq.check`) of
`bot.knowledge_dirs`, with the bundled ones.

`ask` stores nothing: it loads the knowledge base, understands each message and prints
one JSON object per message, with the text a citizen would be shown. It uses the bundled
trained model (`faq.model.default_model`), not a commune's own, and writes no model file
into the data folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings
from domain.communes import TRIAGE_OFFICE, CommuneSettings
from domain.messages import plain_text
from faq.check import check_lexicon
from faq.knowledge import KnowledgeBaseError, check_knowledge_base, load_deployment_knowledge
from faq.lexicon import LexiconError, load_lexicon
from faq.understand import Intent
from handlers.free_text import render_answer
from handlers.render import Renderer
from handlers.understanding import Knowledge


def ask(settings: Settings, commune: CommuneSettings, texts: Iterable[str]) -> Iterator[str]:
    """One JSON line per text, in order."""
    dirs = settings.bot.knowledge_dirs
    knowledge = Knowledge(load_deployment_knowledge(dirs), load_lexicon(dirs))
    renderer = Renderer(settings.bot.templates_dir)
    today = datetime.now(UTC).astimezone(commune.timezone).date()
    understander = knowledge.understander(commune, today)
    for text in texts:
        understanding = understander.understand(text)
        answer: str | None = None
        if understanding.intent is Intent.FAQ and understanding.faq_id:
            entry = knowledge.entry(understanding.faq_id)
            if entry is not None:
                answer = plain_text(render_answer(renderer, entry, commune))
        elif understanding.intent is Intent.EMERGENCY:
            answer = plain_text(renderer.render("emergency", commune=commune))
        result: dict[str, Any] = {
            "intent": understanding.intent.value,
            "faq_id": understanding.faq_id,
            "answer": answer,
            "suggestions": list(understanding.suggestions),
            "topic": understanding.topic,
            "office": understanding.office
            if commune.office(understanding.office) is not None
            else TRIAGE_OFFICE,
            "confidence": round(understanding.confidence, 4),
        }
        yield json.dumps(result, ensure_ascii=False)


def check_faq(settings: Settings) -> list[str]:
    """Problems in the knowledge base and the word lists (topics, lexicons) as this
    configuration loads them ([] = fine)."""
    dirs = settings.bot.knowledge_dirs
    try:
        problems = check_lexicon(load_lexicon(dirs))
        kb = load_deployment_knowledge(dirs)
    except (LexiconError, KnowledgeBaseError) as error:
        return [str(error)]
    offices = {o.code for c in settings.communes for o in c.offices}
    problems.extend(check_knowledge_base(kb, offices))
    renderer = Renderer(settings.bot.templates_dir)
    for commune in settings.communes:
        for entry in kb.entries:
            try:
                render_answer(renderer, entry, commune)
            except Exception as exc:  # reported, not raised
                problems.append(f"{entry.id}: does not render for {commune.code}: {exc}")
    return problems
