"""What the Open311 tests share: the GeoReport v2 JSON schemas (tests/open311/schemas/),
which schema an answer must match, and the check that no seeded identity leaks."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "/open311/v2"
# Every name, phone and chat id the tests seed, in every spelling they use.
SEEDED_IDENTITIES = (
    "Nguyễn Văn An",
    "0912345678",
    "0912 345 678",
    "Trần Văn Bình",
    "0987654321",
    "Lê Thị Hoa",
    "0903123456",
    "hoa@example.vn",
)
_ROUTES = (
    ("GET", r"/discovery\.json", "discovery"),
    ("GET", r"/services\.json", "services"),
    ("GET", r"/services/[^/]+\.json", "service_definition"),
    ("GET", r"/requests(/[^/]+)?\.json", "service_requests"),
    ("POST", r"/requests\.json", "posted"),
    ("GET", r"/tokens/[^/]+\.json", "tokens"),
    ("GET", r"/servicerequestupdates\.json", "service_request_updates"),
)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def check(name: str, document: Any) -> None:
    """Raise `jsonschema.ValidationError` unless `document` matches schema `name`."""
    validator(name).validate(document)


def schema_for(method: str, path: str, status: int) -> str | None:
    """The schema a JSON answer to `method path` must match (None: not a JSON route)."""
    if not path.startswith(BASE) or not path.endswith(".json"):
        return None
    if status >= 400:
        return "errors"
    rest = path[len(BASE) :]
    return next((n for m, p, n in _ROUTES if m == method and re.fullmatch(p, rest)), None)


def no_identity(body: str, chat_ids: list[str] = []) -> None:  # noqa: B006 - read only
    for secret in (*SEEDED_IDENTITIES, *chat_ids):
        assert secret not in body, secret
