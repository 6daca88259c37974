"""The one-stop desk's satisfaction survey (khảo sát mức độ hài lòng tại quầy).

A poster at a desk carries a QR code with a deep link whose start payload names the desk
(`khaosat_QUAY1`, or `khaosat_CG_QUAY1` where one bot serves several communes; Telegram
allows 64 characters of `[A-Za-z0-9_-]`). The survey asks four questions on a 1–5 scale
and an optional comment. It is anonymous: a response keeps the commune, the desk, the
local day and the scores, nothing of who gave it; a separate mark (citizen, desk, day),
unlinked to the response, allows one response per person per desk per day and is dropped
once its day is over.

The questions follow what SIPAS measures of the officials and the service (Bộ Nội vụ;
DOMAIN.md §6.1): the officials' attitude, the waiting time, how clearly the procedure was
explained, and overall satisfaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD_PREFIX = "khaosat_"
QUESTIONS = ("attitude", "waiting", "guidance", "overall")
SCORES = range(1, 6)
COMMENT_MAX = 500
_DESK = re.compile(r"^[A-Z0-9-]{1,20}$")
_COMMUNE = re.compile(r"^[A-Z]{2,4}$")


def valid_desk(desk: str) -> bool:
    """A desk code: 1–20 of A–Z, 0–9 and '-' (it travels in a deep link)."""
    return bool(_DESK.match(desk))


@dataclass(frozen=True, slots=True)
class SurveyLink:
    """What a desk's deep link names: the desk, and the commune where it says."""

    desk: str
    commune_code: str | None = None

    def payload(self) -> str:
        if self.commune_code:
            return f"{PAYLOAD_PREFIX}{self.commune_code}_{self.desk}"
        return f"{PAYLOAD_PREFIX}{self.desk}"

    @classmethod
    def parse(cls, payload: str) -> SurveyLink | None:
        """`khaosat_QUAY1` or `khaosat_CG_QUAY1` (any case), else None."""
        text = payload.strip()
        if not text.casefold().startswith(PAYLOAD_PREFIX) or len(text) > 64:
            return None
        parts = text[len(PAYLOAD_PREFIX) :].upper().split("_")
        if len(parts) == 1 and valid_desk(parts[0]):
            return cls(parts[0])
        if len(parts) == 2 and _COMMUNE.match(parts[0]) and valid_desk(parts[1]):
            return cls(parts[1], parts[0])
        return None


@dataclass(frozen=True, slots=True)
class DeskResult:
    """One desk's responses over a period: their count and the mean of each question."""

    desk: str
    responses: int
    attitude: float
    waiting: float
    guidance: float
    overall: float
    satisfied: int  # responses whose overall score is 4 or 5
    comments: int

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.responses if self.responses else None
