"""Likely duplicates: an open record of the same topic and thôn, or within 100 m.

Only phản ánh and kiến nghị are matched (a khiếu nại or a tố cáo is a person's own
matter), only records filed in the last 30 days, and never the citizen's own.
"""

from __future__ import annotations

from datetime import timedelta
from math import asin, cos, degrees, radians, sin, sqrt

from domain.records import RecordKind
from handlers.flows.filing.draft import Filing, draft_of
from handlers.free_text import understander
from handlers.turn import Turn
from storage.repos.followers import Candidate

NEAR_METRES = 100.0
RECENT = timedelta(days=30)
_KINDS = (RecordKind.PHAN_ANH.value, RecordKind.KIEN_NGHI.value)
_EARTH_METRES = 6_371_000.0


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_METRES * asin(sqrt(h))


def around(latitude: float, longitude: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box a little wider than `NEAR_METRES` around a
    point: the database's first cut, the haversine then decides."""
    dlat = degrees(1.1 * NEAR_METRES / _EARTH_METRES)
    dlon = dlat / max(cos(radians(latitude)), 0.01)
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


async def likely_duplicate(turn: Turn) -> Candidate | None:
    """The newest open record the draft is likely about, if any."""
    draft = draft_of(turn)
    kind = str(draft.get("kind") or "")
    if kind not in _KINDS or not draft.get("description"):
        return None
    topic = draft.get("topic") or understander(turn).route(draft["description"], kind)[0]
    hamlet = draft.get("hamlet")
    location = draft.get("location")
    if not (topic and hamlet) and location is None:
        return None  # nothing to match on
    candidates = await turn.uow.followers.open_candidates(
        turn.commune.code,
        _KINDS,
        turn.now - RECENT,
        topic=topic if hamlet else None,
        hamlet=hamlet if topic else None,
        box=around(location[0], location[1]) if location is not None else None,
        not_citizen=turn.citizen.id,
    )
    for candidate in candidates:
        same_place = bool(topic and hamlet) and (candidate.topic, candidate.hamlet) == (
            topic,
            hamlet,
        )
        near = (
            location is not None
            and candidate.latitude is not None
            and candidate.longitude is not None
            and metres_between(
                (location[0], location[1]), (candidate.latitude, candidate.longitude)
            )
            <= NEAR_METRES
        )
        if same_place or near:
            return candidate
    return None


async def offer_to_follow(turn: Turn) -> bool:
    """At «Gửi»: offer the likely duplicate, once per draft; False if there is none."""
    draft = draft_of(turn)
    if draft.get("dup_checked"):
        return False
    draft["dup_checked"] = True
    candidate = await likely_duplicate(turn)
    if candidate is None:
        return False
    draft["dup"] = candidate.code
    await turn.goto(Filing.DUPLICATE)
    return True
