"""The GeoReport v2 documents, as plain dicts (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.communes import CommuneSettings
from domain.records import ActorKind, Event, Record, RecordKind, RecordStatus
from faq.redact import mask_personal
from faq.topics import DEFAULT_ROUTING, TOPICS
from storage.repos.open311 import PublicUpdate

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00+07:00"
FORMATS = ("application/json", "text/xml")
# Only these come in and go out through Open311; khiếu nại and tố cáo never do.
LISTED_KINDS = (RecordKind.PHAN_ANH, RecordKind.KIEN_NGHI)
OPEN = frozenset(
    {
        RecordStatus.RECEIVED,
        RecordStatus.ACCEPTED,
        RecordStatus.IN_PROGRESS,
        RecordStatus.NEED_INFO,
        RecordStatus.TRANSFERRED,
    }
)
# Topics a citizen cannot report as a service: complaints and denunciations have their own
# procedure, an emergency is 113/114/115.
NOT_SERVICES = frozenset({"khieu_nai_to_cao", "khan_cap"})
HAMLET_ATTRIBUTE = "thon"


def discovery(base_url: str, contact: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "Cấp khóa API: quản trị viên chạy «danvan open311 key create».",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(FORMATS),
            }
        ],
    }


def office_name(commune: CommuneSettings, code: str) -> str:
    return next((o.name for o in commune.offices if o.code == code), code)


def service_office(commune: CommuneSettings, topic: str) -> str:
    return commune.routing.get(topic) or DEFAULT_ROUTING.get(topic) or "VP"


def services(commune: CommuneSettings) -> list[dict[str, Any]]:
    return [
        {
            "service_code": topic,
            "service_name": name,
            "description": f"Phản ánh, kiến nghị về {name.lower()} tại {commune.name}.",
            "metadata": bool(commune.hamlets),
            "type": "realtime",
            "keywords": "",
            "group": office_name(commune, service_office(commune, topic)),
        }
        for topic, name in TOPICS.items()
        if topic not in NOT_SERVICES
    ]


def is_service(topic: str) -> bool:
    return topic in TOPICS and topic not in NOT_SERVICES


def definition(commune: CommuneSettings, topic: str) -> dict[str, Any]:
    attributes = []
    if commune.hamlets:
        attributes.append(
            {
                "variable": True,
                "code": HAMLET_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "Thôn hoặc tổ dân phố nơi xảy ra sự việc.",
                "order": 1,
                "description": "Thôn, tổ dân phố",
                "values": [{"key": h, "name": h} for h in commune.hamlets],
            }
        )
    return {"service_code": topic, "attributes": attributes}


def public_description(record: Record, publishable: bool) -> str:
    """What a record says in public: its description (masked) only where the citizen let
    it be published (`Record.publishable`, the filing flow's «cho phép công khai» step),
    and otherwise the topic's name."""
    if publishable and record.kind in LISTED_KINDS:
        return mask_personal(record.description)
    return TOPICS.get(record.topic or "", "Phản ánh, kiến nghị")


def published(text: str | None, contact_name: str | None) -> str:
    """An official's words as Open311 serves them: `mask_personal`, and the record's own
    contact name masked too (its full form and any run of its last two or more words, e.g.
    «Thị Hoa»), whatever the list of surnames knows."""
    masked = mask_personal(text or "")
    words = (contact_name or "").split()
    for start in range(len(words) - 1):
        run = " ".join(words[start:])
        masked = re.sub(rf"(?<!\w){re.escape(run)}(?!\w)", "…", masked, flags=re.IGNORECASE)
    if len(words) == 1:
        masked = re.sub(rf"(?<!\w){re.escape(words[0])}(?!\w)", "…", masked)
    return re.sub(r"…(\s*…)+", "…", masked)


def _local(at: datetime | None, commune: CommuneSettings) -> str | None:
    return at.astimezone(commune.timezone).isoformat(timespec="seconds") if at else None


def service_request(
    commune: CommuneSettings, record: Record, events: Sequence[Event]
) -> dict[str, Any]:
    """One record as a GeoReport service request; `events` are its citizen-visible events."""
    answers = [e for e in events if e.actor_kind == "official" and e.note]
    updated = max((e.at for e in events), default=record.created_at)
    topic = record.topic or ""
    return {
        "service_request_id": record.code,
        "status": status_of(record.status),
        "status_notes": published(answers[-1].note, record.contact_name) if answers else "",
        "service_name": TOPICS.get(topic, ""),
        "service_code": topic,
        "description": public_description(record, record.publishable),
        "agency_responsible": office_name(commune, record.office_code),
        "service_notice": "",
        "requested_datetime": _local(record.created_at, commune),
        "updated_datetime": _local(updated, commune),
        "expected_datetime": _local(record.due_at, commune),
        "address": ", ".join(p for p in (record.hamlet, commune.name) if p),
        "address_id": "",
        "zipcode": "",
        "lat": record.latitude,
        "long": record.longitude,
        "media_url": "",
    }


def status_of(status: RecordStatus) -> str:
    return "open" if status in OPEN else "closed"


def service_request_update(
    commune: CommuneSettings, update: PublicUpdate, label: str
) -> dict[str, Any]:
    """One public step of a record (mySociety's servicerequestupdates extension): the
    official's words, masked, or else `label` (the status reached, as the citizen reads
    it); nothing names a person."""
    official = update.actor_kind is ActorKind.OFFICIAL
    words = published(update.note, update.contact_name) if official else ""
    return {
        "update_id": str(update.id),
        "service_request_id": update.record_code,
        "status": status_of(update.status),
        "updated_datetime": _local(update.at, commune),
        "description": words or label,
        "media_url": "",
    }
