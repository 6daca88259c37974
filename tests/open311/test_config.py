"""The `[open311]` table: the example's values, errors that name the key, `enabled = false`
mounting nothing, and the page size a client gets by default and at most."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import ValidationError

from bot.app import App
from bot.config import ConfigError, parse_settings
from bot.open311.routes import open311_routes
from bot.settings import Open311Settings
from tests.open311.support import check

ROOT = Path(__file__).resolve().parents[2]


def example() -> dict[str, Any]:
    return tomllib.loads((ROOT / "config.example.toml").read_text("utf-8"))


def test_the_example_serves_open311_with_pages_of_100() -> None:
    assert parse_settings(example(), ROOT).open311 == Open311Settings(True, 100, 1000)
    data = example()
    del data["open311"]
    assert parse_settings(data, ROOT).open311 == Open311Settings()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"page_size": 0}, "open311.page_size: 0 is out of range"),
        ({"page_size": 500, "max_page_size": 200}, "open311.page_size: 500 is more than"),
        ({"enabled": "yes"}, "open311.enabled: expected true or false"),
        ({"pages": 3}, "open311.pages: unknown setting"),
    ],
)
def test_wrong_values_name_the_key(changes: dict[str, Any], message: str) -> None:
    data = example()
    data["open311"].update(changes)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse_settings(data, ROOT)


async def test_disabled_mounts_nothing_and_page_sizes_hold(
    app: App, http: httpx.AsyncClient
) -> None:
    off = replace(app.settings, open311=Open311Settings(enabled=False))
    assert open311_routes(App(off, app.storage, app.renderer, app.knowledge)) == []
    assert (await http.get("/requests.json", params={"page_size": "1000"})).status_code == 200
    huge = await http.get("/servicerequestupdates.json", params={"page": "1000000"})
    assert huge.status_code == 400
    too_big = await http.get("/requests.json", params={"page_size": "1001"})
    assert too_big.status_code == 400
    assert too_big.json()[0]["description"] == "page_size must be a whole number from 1 to 1000"


def test_the_schemas_refuse_what_we_must_never_serve() -> None:
    request = {
        "service_request_id": "CG-2611-AAAAAA",
        "status": "open",
        "service_code": "chieu_sang",
        "requested_datetime": "2026-11-26T09:00:00+07:00",
    }
    check("service_requests", [request])
    for leak in ({"phone": "0903123456"}, {"first_name": "Hoa"}, {"status": "pending"}):
        with pytest.raises(ValidationError):
            check("service_requests", [{**request, **leak}])
    with pytest.raises(ValidationError):
        check("posted", [{"service_notice": "Đã tiếp nhận"}])  # neither id nor token
    with pytest.raises(ValidationError):
        check("errors", [])
