"""A posted service request (GeoReport v2 `POST requests`, form-encoded) checked and turned
into the `handlers.records.Intake` a chat filing makes; `handlers.records.file_record` does
the rest (routing, deadline, code, the office's notice, the first audit event).

- The standard's fields: `service_code` (the topic), `lat` and `long` or `address_string`
  (one of them is required, as the standard says), `description`, `media_url`,
  `first_name`, `last_name`, `phone`, `email` and `attribute[CODE]`.
- Our attributes: `attribute[thon]` (one of the commune's hamlets, as the service
  definition lists), `attribute[loai]` (`phan_anh`, the default, or `kien_nghi`: only these
  come in through Open311; khiếu nại and tố cáo need the citizen's own signed petition) and
  `attribute[dong_y]` (`true`: the citizen agreed that their name and phone be kept).
- Identity follows consent: without `attribute[dong_y]=true` the name, phone and e-mail sent
  are ignored and the record is anonymous (only the content is stored). With it, the name
  and phone are checked like a chat's (`handlers.text.valid_name`, `valid_phone`) and kept
  on the record; an e-mail address is checked but never kept (the record has no place for
  it that retention and erasure would clear).
- Every refusal is an `Invalid` with an English description for the partner's developers
  (the API's errors are the standard's, for machines), answered 400; nothing is stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.open311 import documents
from domain.communes import CommuneSettings
from domain.records import RecordKind
from handlers.records import Intake
from handlers.text import clean_text, has_words, valid_name, valid_phone

CHANNEL = "open311"
KIND_ATTRIBUTE, CONSENT_ATTRIBUTE = "loai", "dong_y"
KINDS = {str(k): k for k in documents.LISTED_KINDS}
YES = frozenset({"true", "1", "yes", "co", "có"})
MAX_ADDRESS, MAX_URL = 300, 500
_ATTRIBUTE = re.compile(r"^attribute\[([a-z_]{1,30})\]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")


class Invalid(Exception):
    """A posted request the standard's 400 refuses; `str()` says which field and why."""


@dataclass(frozen=True, slots=True)
class Submission:
    """The posted request, checked."""

    topic: str
    kind: RecordKind
    description: str
    hamlet: str | None
    place: str | None
    location: tuple[float, float] | None
    media_url: str | None
    consent: bool
    name: str | None
    phone: str | None


def attributes(form: Mapping[str, str]) -> dict[str, str]:
    """`attribute[CODE]=value` fields by CODE."""
    found = {}
    for field, value in form.items():
        match = _ATTRIBUTE.match(field)
        if match:
            found[match[1]] = value.strip()
    return found


def _text(form: Mapping[str, str], name: str, limit: int) -> str | None:
    value = clean_text(form.get(name, ""))
    if len(value) > limit:
        raise Invalid(f"{name} is longer than {limit} characters")
    return value or None


def _coordinate(form: Mapping[str, str], name: str, bound: float) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Invalid(f"{name} must be a decimal number (WGS84)") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise Invalid(f"{name} must be between -{bound:g} and {bound:g}")
    return value


def _location(form: Mapping[str, str]) -> tuple[float, float] | None:
    lat, lon = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    if (lat is None) != (lon is None):
        raise Invalid("lat and long go together: send both or neither")
    return (lat, lon) if lat is not None and lon is not None else None


def _media_url(form: Mapping[str, str]) -> str | None:
    url = form.get("media_url", "").strip()
    if not url:
        return None
    if len(url) > MAX_URL or not re.match(r"^https?://[^\s<>\"']+$", url):
        raise Invalid(f"media_url must be an http(s) address of at most {MAX_URL} characters")
    return url


def _identity(form: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The name and phone a consenting citizen gave (either may be missing)."""
    typed = " ".join(p for p in (form.get("first_name", ""), form.get("last_name", "")) if p)
    name = valid_name(typed) if typed.strip() else None
    if typed.strip() and name is None:
        raise Invalid("first_name and last_name must be a person's name (letters)")
    raw_phone = form.get("phone", "").strip()
    phone = valid_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        raise Invalid("phone must be a Vietnamese phone number")
    email = form.get("email", "").strip()
    if email and not _EMAIL.match(email):
        raise Invalid("email must be an e-mail address")
    return name, phone


def parse(form: Mapping[str, str], commune: CommuneSettings, max_text: int) -> Submission:
    """The posted form, checked against the commune; raises `Invalid`."""
    topic = form.get("service_code", "").strip()
    if not topic:
        raise Invalid("service_code is required")
    if not documents.is_service(topic):
        raise Invalid("no such service_code")
    extra = attributes(form)
    kind = KINDS.get(extra.get(KIND_ATTRIBUTE) or str(RecordKind.PHAN_ANH))
    if kind is None:
        raise Invalid(
            "attribute[loai] must be phan_anh or kien_nghi: khiếu nại and tố cáo are filed "
            "by the citizen in person"
        )
    description = _text(form, "description", max_text)
    if description is None or not has_words(description):
        raise Invalid("description is required: what happened, in words")
    hamlet = extra.get(documents.HAMLET_ATTRIBUTE) or None
    if hamlet is not None and hamlet not in commune.hamlets:
        raise Invalid("attribute[thon] must be one of the values the service definition lists")
    place = _text(form, "address_string", MAX_ADDRESS)
    location = _location(form)
    if location is None and place is None and hamlet is None:
        raise Invalid("a location is required: lat and long, or address_string")
    consent = extra.get(CONSENT_ATTRIBUTE, "").lower() in YES
    name, phone = _identity(form) if consent else (None, None)
    return Submission(
        topic=topic,
        kind=kind,
        description=description,
        hamlet=hamlet,
        place=place,
        location=location,
        media_url=_media_url(form),
        consent=consent,
        name=name,
        phone=phone,
    )


def intake(submission: Submission, routed_office: str, filed_by: str) -> Intake:
    """What `file_record` takes; anonymous unless the citizen consented and gave a name or
    a phone."""
    identified = submission.consent and (submission.name or submission.phone) is not None
    return Intake(
        citizen_id=None,
        channel=CHANNEL,
        kind=submission.kind,
        description=submission.description,
        hamlet=submission.hamlet,
        place=submission.place,
        location=submission.location,
        anonymous=not identified,
        contact_name=submission.name if identified else None,
        contact_phone=submission.phone if identified else None,
        topic=submission.topic,
        routed_office=routed_office,
        filed_by=filed_by,
    )
