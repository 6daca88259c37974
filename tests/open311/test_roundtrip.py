"""End to end with the third-party client `georeport` (PyPI, Apache-2.0) over real HTTP:
the app's Open311 routes under uvicorn on a free port, the client (synchronous, on
`requests`) in a worker thread. It lists the services, reads a definition, posts a
request with a key (the client has no post method: the post goes through `requests`, the
library it uses, as a partner's code would), finds it by id, and after an official
completes it in chat sees it closed with the official's answer as `status_notes`. Every
answer the client gets is checked against its schema; no GET, in JSON or XML, names any
seeded identity (names, phones, e-mail, chat ids)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import requests
from georeport import GeoReport

from bot.app import App
from bot.open311.keys import new_key
from tests.conftest import Chat, make_official, receive
from tests.open311.support import check, no_identity
from tests.support.officials import file_to_cao
from tests.support.records import file_report

CHAT_IDS = ["zz-dan-4471", "zz-binh-8812", "zz-lan-5512"]
ANSWER = "Đã thay bóng đèn cột số 12; chị Lê Thị Hoa cần gì thêm xin gọi 0903123456"


async def call(work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(work, *args, **kwargs)


async def every_get_is_clean(base_url: str, codes: list[str], token: str) -> None:
    """Each GET route, in JSON and XML, with no seeded identity in it."""
    window = "?start_date=2026-11-01T00:00:00Z&end_date=2026-12-31T00:00:00Z"
    paths = [
        "discovery",
        "services",
        "services/chieu_sang",
        "requests",
        *(f"requests/{code}" for code in codes),
        f"tokens/{token}",
        "servicerequestupdates",
    ]
    for path in paths:
        for fmt in ("json", "xml"):
            query = window if path in ("requests", "servicerequestupdates") else ""
            answer = await call(requests.get, f"{base_url}/{path}.{fmt}{query}", timeout=10)
            no_identity(answer.text, CHAT_IDS)


async def test_the_georeport_client_round_trip(
    app: App, base_url: str, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, CHAT_IDS[2], "KT", "member", "chị Lan")
    citizen = chat_factory(CHAT_IDS[0])
    await citizen.agree()
    from_chat = await file_report(citizen, anonymous=False)
    other = chat_factory(CHAT_IDS[1])
    await other.agree()
    to_cao = await file_to_cao(other)
    secret, digest = new_key()
    async with app.storage.transaction() as uow:
        await uow.open311.add_key("Cổng tỉnh", "CG", digest, app.dispatcher.clock())
    client = GeoReport(base_url, jurisdiction="CG", api_key=secret)

    services = await call(client.get_service_list)
    check("services", services)
    assert "chieu_sang" in {s["service_code"] for s in services}
    definition = await call(client.get_service_definition, "chieu_sang")
    check("service_definition", definition)
    (hamlet,) = definition["attributes"]
    choice = hamlet["values"][1]["key"]

    form = {
        "jurisdiction_id": client.jurisdiction,
        "api_key": client.api_key,
        "service_code": "chieu_sang",
        "lat": "20.8601",
        "long": "106.6802",
        "description": "Đèn đường cột số 12 không sáng ba đêm nay",
        "attribute[thon]": choice,
        "attribute[dong_y]": "true",
        "first_name": "Lê Thị",
        "last_name": "Hoa",
        "phone": "0903123456",
        "email": "hoa@example.vn",
    }
    posted = await call(
        requests.post, f"{client.root_address}/requests.json", data=form, timeout=10
    )
    assert posted.status_code == 200
    check("posted", posted.json())
    code = posted.json()[0]["service_request_id"]
    token = posted.json()[0]["token"]

    found = await call(client.get_service_request, code)
    check("service_requests", [found])
    assert (found["service_request_id"], found["status"]) == (code, "open")
    assert found["agency_responsible"] == "Phòng Kinh tế"
    assert found["status_notes"] == ""
    listed = await call(client.get_service_requests, service_request_id=f"{code},{to_cao}")
    check("service_requests", listed)
    assert [r["service_request_id"] for r in listed] == [code]  # a tố cáo is never listed
    as_xml = GeoReport(base_url, jurisdiction="CG", output_format="xml")
    assert (await call(as_xml.get_service_request, code))["status"] == "open"

    await receive(app, CHAT_IDS[2])
    app.dispatcher.clock.advance(hours=3)  # type: ignore[attr-defined]
    await lan.send(f"/hoanthanh {code} {ANSWER}")

    closed = await call(client.get_service_request, code)
    check("service_requests", [closed])
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Đã thay bóng đèn cột số 12; chị … cần gì thêm xin gọi …"
    assert closed["updated_datetime"] > found["updated_datetime"]
    by_status = await call(
        client.get_service_requests,
        status="closed",
        start_date="2026-11-01T00:00:00Z",
        end_date="2026-12-31T00:00:00Z",
    )
    check("service_requests", by_status)
    assert [r["service_request_id"] for r in by_status] == [code]
    xml_closed = await call(as_xml.get_service_request, code)
    assert (xml_closed["status"], xml_closed["status_notes"]) == ("closed", closed["status_notes"])

    await every_get_is_clean(base_url, [code, from_chat, to_cao], token)
