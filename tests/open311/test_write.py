"""Open311's write path over real HTTP (issue 13): a partner posts a service request with
its key and a record is filed as a chat filing files it (routing, deadline, code, the
office's notice, the first audit event naming the key); identity only with consent; a
wrong, revoked or missing key is 403 and a malformed post 400, both storing nothing;
`tokens/{token}` and the servicerequestupdates extension. Every JSON answer is checked
against its schema (conftest.py) and none names a seeded identity."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import httpx
import pytest

from bot.app import App
from bot.open311.keys import new_key
from domain.deadlines import record_due_at
from domain.records import RecordKind, RecordStatus
from tests.conftest import make_official, receive
from tests.open311.support import no_identity

CODE = re.compile(r"^CG-\d{4}-[A-Z0-9]{6}$")
FORM = {
    "service_code": "chieu_sang",
    "lat": "20.8601",
    "long": "106.6802",
    "description": "Đèn đường trước nhà văn hóa thôn 2 không sáng",
    "attribute[thon]": "Thôn 2",
    "first_name": "Lê Thị",
    "last_name": "Hoa",
    "phone": "0903 123 456",
    "email": "hoa@example.vn",
}
WINDOW = {"start_date": "2026-11-01T00:00:00Z", "end_date": "2026-12-31T00:00:00Z"}


async def make_key(app: App, commune: str | None = None) -> tuple[int, str]:
    secret, digest = new_key()
    async with app.storage.transaction() as uow:
        made = await uow.open311.add_key("Cổng tỉnh", commune, digest, app.dispatcher.clock())
    return made.id, secret


async def stored(app: App) -> tuple[int, int]:
    async with app.storage.transaction() as uow:
        return await uow.datacare.count_records(), await uow.open311.count_requests()


async def test_a_post_with_consent_files_a_record_as_a_chat_filing_does(
    app: App, http: httpx.AsyncClient
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    await receive(app, "lan")
    key_id, secret = await make_key(app)
    form = {**FORM, "api_key": secret, "attribute[dong_y]": "true"}
    posted = await http.post("/requests.json", data=form)
    assert posted.status_code == 200
    (answer,) = posted.json()
    code = answer["service_request_id"]
    assert CODE.match(code)
    assert code in answer["service_notice"]
    assert "Phòng Kinh tế sẽ trả lời trong vòng" in answer["service_notice"]

    commune = app.settings.communes[0]
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        events = await uow.events.list_for(record.id, visible_only=False)
        (key,) = await uow.open311.list_keys()
    assert (record.channel, record.kind, record.topic) == (
        "open311",
        RecordKind.PHAN_ANH,
        "chieu_sang",
    )
    assert (record.office_code, record.status) == ("KT", RecordStatus.RECEIVED)
    assert record.due_at == record_due_at(commune, RecordKind.PHAN_ANH, record.created_at)
    assert (record.hamlet, record.latitude, record.longitude) == ("Thôn 2", 20.8601, 106.6802)
    assert (record.contact_name, record.contact_phone) == ("Lê Thị Hoa", "0903123456")
    assert not record.anonymous
    assert record.citizen_id is None
    (filed,) = events
    assert (filed.action, filed.actor_ref, filed.to_status) == (
        "created",
        f"open311:{key_id}",
        RecordStatus.RECEIVED,
    )
    assert key.last_used_at == app.dispatcher.clock()

    (notice,) = await receive(app, "lan")  # the office hears of it as of a chat filing
    assert code in notice.text
    assert "Đèn đường trước nhà văn hóa" in notice.text

    token = await http.get(f"/tokens/{answer['token']}.json")
    assert token.json() == [{"service_request_id": code, "token": answer["token"]}]
    assert (await http.get("/tokens/khong-co-token-nay.json")).status_code == 404
    as_xml = ET.fromstring((await http.get(f"/tokens/{answer['token']}.xml")).content)  # noqa: S314
    assert as_xml.findtext("request/service_request_id") == code

    (listed,) = (await http.get(f"/requests/{code}.json")).json()
    assert (listed["status"], listed["agency_responsible"]) == ("open", "Phòng Kinh tế")
    assert (listed["lat"], listed["long"]) == (20.8601, 106.6802)
    for path in (f"/requests/{code}.json", f"/requests/{code}.xml", "/requests.json"):
        no_identity((await http.get(path)).text)
    xml_post = await http.post("/requests.xml", data=form)
    assert xml_post.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(xml_post.content)  # noqa: S314 - our own server's answer
    assert root.tag == "service_requests"
    assert CODE.match(root.findtext("request/service_request_id") or "")
    assert lan.user == "lan"


async def test_without_consent_only_the_content_is_stored(
    app: App, http: httpx.AsyncClient
) -> None:
    _, secret = await make_key(app)
    form = {**FORM, "api_key": secret, "attribute[loai]": "kien_nghi"}
    form.pop("lat"), form.pop("long")
    form["address_string"] = "Ngõ 7, đường Trần Phú"
    posted = await http.post("/requests.json", data=form)
    assert posted.status_code == 200
    code = posted.json()[0]["service_request_id"]
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
    assert record is not None
    assert (record.contact_name, record.contact_phone, record.anonymous) == (None, None, True)
    assert (record.kind, record.place) == (RecordKind.KIEN_NGHI, "Ngõ 7, đường Trần Phú")
    assert record.latitude is None


async def test_a_wrong_revoked_or_missing_key_is_403_and_stores_nothing(
    app: App, http: httpx.AsyncClient
) -> None:
    key_id, secret = await make_key(app)
    async with app.storage.transaction() as uow:
        assert await uow.open311.revoke_key(key_id, app.dispatcher.clock())
    other = await make_key(app, commune="CG")
    for key in (secret, "sai-khoa", "", "x" * 5000, other[1][:-1]):
        refused = await http.post("/requests.json", data={**FORM, "api_key": key})
        assert refused.status_code == 403, key
        assert refused.json() == [{"code": 403, "description": "api_key is missing or not valid"}]
    as_xml = await http.post("/requests.xml", data={**FORM, "api_key": secret})
    assert as_xml.status_code == 403
    assert ET.fromstring(as_xml.content).findtext("error/code") == "403"  # noqa: S314
    # a bad key with a bad form: still 403 (a stranger learns nothing of the checks)
    assert (await http.post("/requests.json", data={"api_key": "sai"})).status_code == 403
    assert await stored(app) == (0, 0)
    async with app.storage.transaction() as uow:
        keys = await uow.open311.list_keys()
    assert [k.last_used_at for k in keys] == [None, None]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"service_code": "khieu_nai_to_cao"}, "no such service_code"),
        ({"attribute[loai]": "to_cao"}, "attribute[loai] must be phan_anh or kien_nghi"),
        ({"description": "  😀 "}, "description is required"),
        ({"description": "x" * 2001}, "description is longer than 2000"),
        ({"lat": "", "long": "", "attribute[thon]": ""}, "a location is required"),
        ({"long": ""}, "lat and long go together"),
        ({"lat": "200"}, "lat must be between -90 and 90"),
        ({"long": "đông"}, "long must be a decimal number"),
        ({"lat": "nan"}, "lat must be between"),
        ({"attribute[thon]": "Thôn 99"}, "attribute[thon] must be one of"),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http(s) address"),
        ({"attribute[dong_y]": "true", "phone": "123"}, "phone must be a Vietnamese"),
        ({"attribute[dong_y]": "true", "first_name": "<b>"}, "first_name and last_name"),
        ({"attribute[dong_y]": "true", "email": "không phải thư"}, "email must be"),
        ({"jurisdiction_id": "XX"}, "unknown jurisdiction_id"),
    ],
)
async def test_a_malformed_post_is_400_and_stores_nothing(
    app: App, http: httpx.AsyncClient, change: dict[str, str], says: str
) -> None:
    _, secret = await make_key(app)
    answer = await http.post("/requests.json", data={**FORM, "api_key": secret, **change})
    assert answer.status_code == (404 if "jurisdiction" in says else 400)
    (error,) = answer.json()
    assert error["description"].startswith(says)
    assert await stored(app) == (0, 0)


async def test_a_post_that_is_not_a_form_is_400(app: App, http: httpx.AsyncClient) -> None:
    _, secret = await make_key(app)
    as_json = await http.post("/requests.json", json={**FORM, "api_key": secret})
    assert as_json.status_code == 400
    with_file = await http.post(
        "/requests.json", data={**FORM, "api_key": secret}, files={"media": b"\x89PNG"}
    )
    assert with_file.status_code == 400
    assert (await http.post("/requests.csv", data=FORM)).status_code == 404
    assert await stored(app) == (0, 0)


async def test_updates_follow_a_posted_request_without_personal_data(
    app: App, http: httpx.AsyncClient
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    _, secret = await make_key(app)
    posted = await http.post(
        "/requests.json", data={**FORM, "api_key": secret, "attribute[dong_y]": "true"}
    )
    code = posted.json()[0]["service_request_id"]
    await receive(app, "lan")
    app.dispatcher.clock.advance(hours=2)  # type: ignore[attr-defined]
    await lan.send(f"/traloi {code} Đã thay bóng đèn, chị Lê Thị Hoa gọi 0903123456 nếu hỏng")

    updates = (await http.get("/servicerequestupdates.json", params=WINDOW)).json()
    assert [(u["service_request_id"], u["status"]) for u in updates] == [
        (code, "open"),  # filed
        (code, "open"),  # taken by the official who answers
        (code, "closed"),  # answered
    ]
    assert [u["description"] for u in updates] == [
        app.renderer.label("status.received"),
        app.renderer.label("status.accepted"),
        "Đã thay bóng đèn, chị … gọi … nếu hỏng",  # her name and phone masked
    ]
    assert updates[0]["updated_datetime"] < updates[2]["updated_datetime"]
    assert [int(u["update_id"]) for u in updates] == sorted(int(u["update_id"]) for u in updates)
    later = {**WINDOW, "start_date": (app.dispatcher.clock() - timedelta(minutes=1)).isoformat()}
    assert len((await http.get("/servicerequestupdates.json", params=later)).json()) == 2
    paged = {**WINDOW, "page_size": "1", "page": "3"}
    assert [
        u["status"] for u in (await http.get("/servicerequestupdates.json", params=paged)).json()
    ] == ["closed"]
    xml = ET.fromstring((await http.get("/servicerequestupdates.xml", params=WINDOW)).content)  # noqa: S314
    assert xml.tag == "service_request_updates"
    assert [u.findtext("status") for u in xml.iter("request_update")] == ["open", "open", "closed"]
    for path in ("/servicerequestupdates.json", "/servicerequestupdates.xml"):
        no_identity((await http.get(path, params=WINDOW)).text, ["lan"])
    backwards = {"start_date": WINDOW["end_date"], "end_date": WINDOW["start_date"]}
    assert (await http.get("/servicerequestupdates.json", params=backwards)).status_code == 400
