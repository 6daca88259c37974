"""Open311 GeoReport v2, read-only (issue 13): the commune's services and its phản ánh and
kiến nghị over real HTTP (the app's routes under uvicorn on 127.0.0.1), in JSON and XML, with
the standard's errors, every JSON answer checked against its schema (conftest.py); nothing
personal in any answer, khiếu nại and tố cáo never listed; a
record an official answers in chat shows as closed with the answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree as ET

import httpx

from bot.app import App
from tests.conftest import Chat, make_official, receive
from tests.open311.support import BASE, no_identity
from tests.support.labels import label
from tests.support.officials import file_to_cao
from tests.support.records import file_report

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own server's answer


async def test_discovery_services_and_a_definition_in_json_and_xml(
    app: App, http: httpx.AsyncClient
) -> None:
    discovery = await http.get("/discovery.json")
    assert discovery.headers["content-type"] == JSON_TYPE
    endpoint = discovery.json()["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith(BASE)
    assert endpoint["formats"] == ["application/json", "text/xml"]

    services = (await http.get("/services.json")).json()
    codes = {s["service_code"] for s in services}
    assert "chieu_sang" in codes
    assert {"khieu_nai_to_cao", "khan_cap"}.isdisjoint(codes)
    light = next(s for s in services if s["service_code"] == "chieu_sang")
    assert light["service_name"] == "Đèn chiếu sáng"
    assert light["group"] == "Phòng Kinh tế"
    assert light["metadata"] is True
    assert light["type"] == "realtime"

    xml = await http.get("/services.xml")
    assert xml.headers["content-type"] == XML_TYPE
    root = parse(xml.content)
    assert root.tag == "services"
    assert {e.findtext("service_code") for e in root.iter("service")} == codes
    assert root.find("service/metadata") is not None
    assert root.findtext("service/metadata") in {"true", "false"}

    definition = (await http.get("/services/chieu_sang.json")).json()
    (hamlet,) = definition["attributes"]
    assert (hamlet["code"], hamlet["datatype"]) == ("thon", "singlevaluelist")
    commune = app.settings.communes[0]
    assert [v["key"] for v in hamlet["values"]] == list(commune.hamlets)
    defined = parse((await http.get("/services/chieu_sang.xml")).content)
    assert [v.findtext("key") for v in defined.iter("value")] == list(commune.hamlets)


async def test_errors_are_in_the_standards_shape(app: App, http: httpx.AsyncClient) -> None:
    missing = await http.get("/services/khong_co.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "no such service_code"}]
    assert (await http.get("/services.json", params={"jurisdiction_id": "XX"})).status_code == 404
    wrong = await http.get("/services.json", params={"jurisdiction_id": "xx"})
    assert wrong.json()[0]["code"] == 404
    as_xml = await http.get("/requests/CG-0000-AAAAAA.xml")
    assert as_xml.status_code == 404
    assert parse(as_xml.content).findtext("error/code") == "404"
    for bad in (
        {"start_date": "hôm qua"},
        {"status": "pending"},
        {"page_size": "0"},
        {"page_size": "１０"},
        {"service_code": "x'; DROP TABLE records;--"},
    ):
        answer = await http.get("/requests.json", params=bad)
        assert answer.status_code == 400, bad
        assert answer.json()[0]["code"] == 400
    assert (await http.get("/services.csv")).status_code == 404
    code = app.settings.communes[0].code
    ok = await http.get("/services.json", params={"jurisdiction_id": code.lower()})
    assert ok.status_code == 200


async def test_requests_hold_nothing_personal_and_no_complaint_or_denunciation(
    app: App, chat_factory: Callable[..., Chat], http: httpx.AsyncClient
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen, anonymous=False)
    other = chat_factory("binh")
    await other.agree()
    to_cao = await file_to_cao(other)

    listed = await http.get("/requests.json")
    assert listed.headers["content-type"] == JSON_TYPE
    (request,) = listed.json()
    assert request["service_request_id"] == code
    assert (request["status"], request["service_code"]) == ("open", "chieu_sang")
    assert request["description"] == "Đèn chiếu sáng"  # no consent to publish: the topic only
    assert request["agency_responsible"] == "Phòng Kinh tế"
    assert request["address"].startswith("Thôn 3")
    assert request["expected_datetime"] > request["requested_datetime"]
    assert request["requested_datetime"].endswith("+07:00")
    for path in ("/requests.json", "/requests.xml", f"/requests/{code}.json"):
        body = (await http.get(path)).text
        no_identity(body, ["dan", "binh"])
        assert to_cao not in body
    assert (await http.get(f"/requests/{to_cao}.json")).status_code == 404
    by_id = await http.get("/requests.json", params={"service_request_id": f"{code},{to_cao}"})
    assert [r["service_request_id"] for r in by_id.json()] == [code]

    await receive(app, "lan")
    await lan.send(
        f"/traloi {code} Đã thay bóng đèn, anh Nguyễn Văn An gọi 0912345678 nếu còn hỏng"
    )
    closed = (await http.get(f"/requests/{code}.json")).json()[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"].startswith("Đã thay bóng đèn")
    no_identity(json.dumps(closed, ensure_ascii=False), ["dan"])
    assert (await http.get("/requests.json", params={"status": "open"})).json() == []
    assert len((await http.get("/requests.json", params={"status": "closed"})).json()) == 1
    window = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}
    assert (await http.get("/requests.json", params=window)).json() == []
    xml = parse((await http.get("/requests.xml")).content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == code
    assert xml.findtext("request/lat") == ""


async def test_a_record_the_citizen_let_be_published_shows_its_masked_description(
    app: App, chat_factory: Callable[..., Chat], http: httpx.AsyncClient
) -> None:
    citizen = chat_factory("dan")
    await citizen.agree()
    await citizen.send("/gopy")
    await citizen.press(label("kind.phan_anh"))
    await citizen.send("Xe 29A-123.45 của ông Nguyễn Văn An đỗ chắn lối vào chợ, gọi 0912345678")
    await citizen.press("Thôn 3")
    await citizen.press(label("btn.skip"))
    await citizen.press(label("btn.anonymous"))
    await citizen.press(label("btn.publish_yes"))
    await citizen.press(label("btn.submit"))
    (request,) = (await http.get("/requests.json")).json()
    assert request["description"].startswith("Xe … của ông … đỗ chắn lối vào chợ")
    no_identity(json.dumps(request, ensure_ascii=False), ["dan"])
    assert "29A" not in request["description"]
