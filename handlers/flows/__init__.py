"""The flows, one module each; `STEPS` maps every named state to its step."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.flows import consent, erase, filing, info, lookup, menu, rating
from handlers.turn import Step

STEPS: Mapping[str, Step] = {
    **consent.STEPS,
    **menu.STEPS,
    **filing.STEPS,
    **lookup.STEPS,
    **erase.STEPS,
    **info.STEPS,
    **rating.STEPS,
}
