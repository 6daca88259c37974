"""The flows, one module each; `STEPS` maps every named state to its step."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.flows import (
    announcements,
    commune,
    consent,
    erase,
    filing,
    info,
    lookup,
    menu,
    questions,
    rating,
)
from handlers.turn import Step

STEPS: Mapping[str, Step] = {
    **commune.STEPS,
    **consent.STEPS,
    **menu.STEPS,
    **filing.STEPS,
    **lookup.STEPS,
    **erase.STEPS,
    **questions.STEPS,
    **announcements.STEPS,
    **info.STEPS,
    **rating.STEPS,
}
