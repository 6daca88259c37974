"""The trained understanding model of a deployment and of each commune (issue 11).

Files live in `<storage.data_dir>/models/`: `model-<key>.npz`, the deployment's model
(the bundled training split, the deployment's knowledge base and word lists; trained at
first start, then loaded), and `commune-<CODE>.npz`, a commune's own model trained by
`danvan faq train --commune CODE` with that commune's accepted corrections. A commune
without its own file uses the deployment's model.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.settings import Settings
from domain.communes import CommuneSettings
from faq.corpus import Correction, correction_examples
from faq.knowledge import KnowledgeBase
from faq.lexicon import Lexicon
from faq.model import Model, build_model
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def models_dir(settings: Settings) -> Path:
    return settings.storage.data_dir / "models"


def commune_model_path(settings: Settings, code: str) -> Path:
    return models_dir(settings) / f"commune-{code}.npz"


def load_models(
    settings: Settings, kb: KnowledgeBase, lexicon: Lexicon
) -> tuple[Model, dict[str, Model]]:
    """The deployment's model and the communes' own models that `danvan faq train` saved."""
    default = build_model(kb, lexicon, (), models_dir(settings))
    communes: dict[str, Model] = {}
    for commune in settings.communes:
        path = commune_model_path(settings, commune.code)
        if path.exists():
            try:
                communes[commune.code] = Model.load(path)
            except (OSError, ValueError, KeyError):
                log.warning("model %s unreadable; the commune uses the default", path.name)
    return default, communes


async def accepted_corrections(uow: UnitOfWork, commune: CommuneSettings) -> list[Correction]:
    rows = await uow.corrections.list_for(commune.code, "accepted", limit=100_000)
    return [
        Correction(
            row.text,
            office=row.label if row.kind == "routing" else None,
            intent=row.label if row.kind == "intent" else None,
        )
        for row in rows
    ]


def train_commune(
    settings: Settings,
    commune: CommuneSettings,
    kb: KnowledgeBase,
    lexicon: Lexicon,
    corrections: list[Correction],
) -> Model:
    """The commune's model with its corrections folded in, saved as its own file."""
    default = build_model(kb, lexicon, (), models_dir(settings))
    routing = {**lexicon.routing, **commune.routing}
    topic_of = {
        c.text: [topic for topic, _ in default.predict(c.text).ranked_topics()] for c in corrections
    }
    examples = correction_examples(corrections, routing, topic_of)
    model = build_model(kb, lexicon, examples, models_dir(settings))
    model.save(commune_model_path(settings, commune.code))
    return model
