"""Issue 12: the commune's public page over real HTTP (the routes under uvicorn on
127.0.0.1), on data seeded through the chat (citizens filing, an official answering) and
through the repositories (enough records for the statistics): the "<3" rule, tố cáo only
in the commune's total, khiếu nại and tố cáo never listed, a record without consent never
shown, a published description masked, and no name, phone or chat id of any seeded
identity on any page served or in the JSON."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.app import App
from bot.server import build_app
from bot.web.public import public_routes
from domain import tracking_code
from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, NewRecord, Rating, RecordKind, RecordStatus
from handlers.broadcast import queue_broadcast
from storage import UnitOfWork
from tests.botapi_http import serve_app
from tests.conftest import T0, Chat, make_official, receive
from tests.support.labels import label
from tests.support.records import CODE

# Who the seed is made of: every one of these must stay off the public page.
AN = ("tg-dan-an-4711", "Nguyễn Văn An", "0912345678")
BINH = ("tg-dan-binh-4712", "Trần Văn Bình", "0987654321")
CHI = ("tg-dan-chi-4713", "Lê Thị Chi", "0905111222")
DUNG = ("tg-dan-dung-4714", "Vũ Minh Dũng", "0977333444")
OFFICIAL = ("canbo-lan-9001", "Hoàng Thị Lan")
BULK_CONTACTS = [("Đỗ Văn Hải", "0966555111"), ("Bùi Thị Hoa", "0944222333")]
NAMED_IN_TEXT = ("Phạm Văn Dũng", "29A-123.45", "29A", "123.45")


def secrets() -> list[str]:
    found: list[str] = [*NAMED_IN_TEXT, *OFFICIAL]
    for chat_id, name, phone in (AN, BINH, CHI, DUNG):
        found += [chat_id, name, phone, f"{phone[:4]} {phone[4:7]} {phone[7:]}", phone[-6:]]
    for name, phone in BULK_CONTACTS:
        found += [name, phone, phone[-6:]]
    return found


@dataclass
class Seed:
    published: str = ""  # An's phản ánh: consented, answered
    unpublished: str = ""  # Bình's: answered, no consent
    to_cao: str = ""
    khieu_nai: str = ""
    drains: list[str] = field(default_factory=list)  # twelve published, answered


async def file(
    chat: Chat, kind: RecordKind, description: str, hamlet: str, *, publish: bool = False
) -> str:
    """File through the chat, with the citizen's name and phone."""
    _, name, phone = next(p for p in (AN, BINH, CHI, DUNG) if p[0] == chat.user)
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label(f"kind.{kind.value}"))
    if kind.needs_identity:
        await chat.press(label("btn.continue"))
    await chat.send(description)
    await chat.press(hamlet)
    await chat.press(label("btn.skip"))
    if not kind.needs_identity:
        await chat.press(label("btn.leave_contact"))
    await chat.send(name)
    await chat.send(phone)
    if not kind.needs_identity:
        await chat.press(label("btn.publish_yes" if publish else "btn.publish_no"))
    await chat.press(label("btn.submit"))
    match = CODE.search(chat.text)
    assert match, chat.text
    return match.group(0)


async def answer_in_chat(app: App, code: str, text: str) -> None:
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
    assert record is not None
    lan = await make_official(app, OFFICIAL[0], record.office_code, "member", OFFICIAL[1])
    await receive(app, OFFICIAL[0])
    await lan.send(f"/traloi {code} {text}")
    async with app.storage.transaction() as uow:
        answered = await uow.records.get_by_code(code)
    assert answered is not None
    assert answered.status is RecordStatus.ANSWERED, lan.text


async def insert(
    uow: UnitOfWork,
    app: App,
    *,
    kind: RecordKind = RecordKind.PHAN_ANH,
    hamlet: str,
    office: str,
    description: str,
    days_ago: float,
    publishable: bool = False,
    contact: tuple[str, str] | None = None,
    answered_after: float | None = None,
    note: str = "Đã xử lý xong.",
    rating: Rating | None = None,
) -> str:
    commune = app.settings.communes[0]
    created = T0 - timedelta(days=days_ago)
    new = NewRecord(
        commune_code=commune.code,
        citizen_id=None,
        channel="test",
        kind=kind,
        topic=None,
        office_code=office,
        description=description,
        hamlet=hamlet,
        place=None,
        latitude=None,
        longitude=None,
        anonymous=contact is None,
        contact_name=contact[0] if contact else None,
        contact_phone=contact[1] if contact else None,
        created_at=created,
        due_at=created + timedelta(days=10),
        publishable=publishable,
    )
    record = await uow.records.insert(
        tracking_code.make_code(commune.code, created.astimezone(commune.timezone)), new
    )
    assert record is not None
    if answered_after is not None:
        at = created + timedelta(days=answered_after)
        to = RecordStatus.ANSWERED
        event = PlannedEvent(at, ActorKind.OFFICIAL, "1", "answered", record.status, to, note, True)
        changes: dict[str, Any] = {
            "status": RecordStatus.ANSWERED,
            "answered_at": at,
            "resolved_at": at,
        }
        assert await uow.transition(record, record.version, changes, event) is not None
        if rating is not None:
            await uow.ratings.add(record.id, at + timedelta(hours=5), rating, None)
    return record.code


async def seed(app: App) -> Seed:
    s = Seed()
    an = Chat(app, AN[0])
    s.published = await file(
        an,
        RecordKind.PHAN_ANH,
        f"Xe 29A-123.45 của ông Phạm Văn Dũng đỗ chắn lối vào chợ, gọi tôi {AN[2]}",
        "Thôn 3",
        publish=True,
    )
    await answer_in_chat(
        app, s.published, f"Đã nhắc chủ xe 29A-123.45; anh {AN[1]} gọi {AN[2]} nếu còn tái diễn."
    )
    binh = Chat(app, BINH[0])
    s.unpublished = await file(
        binh, RecordKind.PHAN_ANH, "Rác thải đổ bừa bãi cạnh trạm bơm", "Thôn 3"
    )
    await answer_in_chat(app, s.unpublished, "Đã cho thu gom rác cạnh trạm bơm.")
    s.to_cao = await file(
        Chat(app, CHI[0]), RecordKind.TO_CAO, "Cán bộ địa chính đòi tiền khi làm sổ", "Thôn 2"
    )
    s.khieu_nai = await file(
        Chat(app, DUNG[0]), RecordKind.KHIEU_NAI, "Quyết định thu hồi đất sai diện tích", "Thôn 3"
    )
    async with app.storage.transaction() as uow:
        # Thôn 1: five phản ánh, four resolved (one late), three rated
        for n, (after, rating) in enumerate(
            [
                (2.0, Rating.SATISFIED),
                (3.0, Rating.VERY_SATISFIED),
                (1.0, Rating.UNSATISFIED),
                (12.0, None),
                (None, None),
            ]
        ):
            await insert(
                uow,
                app,
                hamlet="Thôn 1",
                office="KT",
                description=f"Ổ gà số {n} trên đường",
                days_ago=20,
                contact=BULK_CONTACTS[n % 2],
                answered_after=after,
                rating=rating,
            )
        await insert(
            uow,
            app,
            kind=RecordKind.KIEN_NGHI,
            hamlet="Thôn 2",
            office="VP",
            description="Đề nghị lắp thêm biển báo",
            days_ago=3,
            contact=BULK_CONTACTS[0],
        )
        for n in range(2):  # tố cáo in Thôn 4 only: the thôn never shows
            await insert(
                uow,
                app,
                kind=RecordKind.TO_CAO,
                hamlet="Thôn 4",
                office="VP",
                description="Tố cáo sai phạm",
                days_ago=5 + n,
                contact=BULK_CONTACTS[1],
            )
        for n in range(12):
            s.drains.append(
                await insert(
                    uow,
                    app,
                    hamlet="Thôn Đông",
                    office="VP",
                    days_ago=15 - n,
                    description=f"Cống thoát nước ngõ {n + 1} bị tắc, ông Đỗ Văn Hải báo",
                    publishable=True,
                    contact=BULK_CONTACTS[0],
                    answered_after=1,
                    note=f"Đã nạo vét cống ngõ {n + 1}.",
                )
            )
        await queue_broadcast(
            uow, app.renderer, app.settings.communes[0], "Lịch tiêm phòng cho trẻ em", None, T0
        )
    return s


@pytest.fixture
def app(backend_app: App) -> App:
    """Every test here runs on SQLite and, with DANVAN_TEST_POSTGRES_DSN, PostgreSQL."""
    return backend_app


@pytest.fixture
async def http(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serve_app(build_app(public_routes(app))) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        yield client


def shown(body: str) -> str:
    return html.unescape(body)


def assert_private(body: str, where: str) -> None:
    for text in (body, shown(body)):
        for secret in secrets():
            assert secret not in text, f"{secret!r} on {where}"


async def test_statistics_hide_small_cells_and_count_to_cao_only_in_the_total(
    app: App, http: httpx.AsyncClient
) -> None:
    await seed(app)
    answer = await http.get("/public/CG/stats.json")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=300"
    stats = answer.json()
    # 4 chat-filed (one tố cáo) + 5 + 1 + 2 tố cáo + 12 = 24 received, 3 of them tố cáo
    assert stats["total"]["received"] == 24
    november = next(m for m in stats["month"] if m["label"] == "11/2026")
    assert november["received"] == 21  # the same without the tố cáo
    assert [m["label"] for m in stats["month"]][:2] == ["11/2026", "10/2026"]
    hamlets = {h["label"]: h for h in stats["hamlet"]}
    assert "Thôn 4" not in hamlets  # only tố cáo there
    assert hamlets["Thôn 2"]["received"] == "<3"  # one kiến nghị (Chi's tố cáo not counted)
    # the only small cell of the column: the next smallest (Thôn 3's three) is hidden too
    assert hamlets["Thôn 3"]["received"] == "<3"
    assert hamlets["Thôn 1"]["received"] == 5
    assert hamlets["Thôn 1"]["resolved"] == 4
    assert hamlets["Thôn 1"]["on_time"] == 75  # one of four answered after its deadline
    assert hamlets["Thôn 1"]["satisfaction"] == 67  # two of three rated satisfied
    assert hamlets["Thôn Đông"]["received"] == 12
    assert hamlets["Thôn Đông"]["satisfaction"] is None  # nobody rated
    offices = {o["label"]: o for o in stats["office"]}
    assert offices["Phòng Kinh tế"]["received"] != 0
    assert all(o["label"] != "VP" for o in stats["office"])  # offices by name

    page = shown((await http.get("/public/CG/")).text)
    assert "Theo thôn, tổ dân phố" in page
    assert "<3" in page
    assert "Thôn 4" not in page


async def test_only_consented_answered_phan_anh_are_listed_masked_and_searchable(
    app: App, http: httpx.AsyncClient
) -> None:
    s = await seed(app)
    first = await http.get("/public/CG/")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["content-type"].startswith("text/html")
    body = shown(first.text)
    assert 'lang="vi"' in body
    assert "Trang 1/2" in body  # 13 published cases, 10 a page
    assert s.published in body
    assert "Xe … của ông … đỗ chắn lối vào chợ, gọi tôi …" in body
    assert "Đã nhắc chủ xe …; anh … gọi … nếu còn tái diễn." in body
    assert "Lịch tiêm phòng cho trẻ em" in body  # the announcement
    second = shown((await http.get("/public/CG/", params={"trang": "2"})).text)
    listed = body + second
    assert len(set(CODE.findall(listed))) == 13
    for never in (s.unpublished, s.to_cao, s.khieu_nai):
        assert never not in listed
    for text in ("Rác thải", "đòi tiền", "thu hồi đất"):
        assert text not in listed

    found = shown((await http.get("/public/CG/", params={"q": "cong thoat nuoc"})).text)
    assert "Tìm thấy 12 hồ sơ" in found
    assert s.published not in found
    one = shown((await http.get("/public/CG/", params={"q": "chắn lối vào"})).text)
    assert "Tìm thấy 1 hồ sơ" in one
    assert s.published in one
    for probe in ("Nguyễn Văn An", "29A", "0912345678", "Rác thải", "đòi tiền"):
        none = shown((await http.get("/public/CG/", params={"q": probe})).text)
        assert "Tìm thấy 0 hồ sơ" in none, probe
    odd = await http.get("/public/CG/", params={"trang": "abc", "q": "<script>x</script>"})
    assert odd.status_code == 200
    assert "<script>x" not in odd.text  # escaped


async def test_the_knowledge_base_is_browsable(app: App, http: httpx.AsyncClient) -> None:
    listing = await http.get("/public/CG/huong-dan/")
    assert listing.status_code == 200
    assert listing.headers["cache-control"] == "public, max-age=300"
    today = T0.astimezone(app.settings.communes[0].timezone).date()
    entries = app.knowledge.kb.active_on(today).entries
    assert len(entries) > 5
    entry = next(e for e in entries if e.legal_basis)
    page = await http.get(f"/public/CG/huong-dan/{entry.id}")
    assert page.status_code == 200
    text = shown(page.text)
    assert entry.title in text
    assert "Căn cứ pháp lý" in text
    assert entry.legal_basis in text
    missing = await http.get("/public/CG/huong-dan/khong-co-muc-nay")
    assert missing.status_code == 404
    assert "Không tìm thấy hướng dẫn này" in shown(missing.text)


async def test_an_unknown_commune_is_a_404_in_vietnamese(http: httpx.AsyncClient) -> None:
    for path in ("/public/XX/", "/public/XX/huong-dan/", "/public/XX/huong-dan/a"):
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert "Không tìm thấy xã có mã «XX»" in shown(answer.text)
    as_json = await http.get("/public/XX/stats.json")
    assert as_json.status_code == 404
    assert as_json.json() == {"error": "Không tìm thấy xã có mã «XX»."}
    lower = await http.get("/public/cg/")
    assert lower.status_code == 200
    listing = await http.get("/public/")
    assert listing.status_code == 200
    assert 'href="/public/CG/"' in listing.text


async def test_no_page_served_holds_a_seeded_identity(app: App, http: httpx.AsyncClient) -> None:
    await seed(app)
    paths = [
        "/public/",
        "/public/CG/",
        "/public/CG/?trang=2",
        "/public/CG/?q=c%E1%BB%91ng",
        "/public/CG/?q=Nguy%E1%BB%85n",
        "/public/CG/stats.json",
        "/public/CG/huong-dan/",
    ]
    today = datetime.date(T0.astimezone(app.settings.communes[0].timezone))
    paths += [f"/public/CG/huong-dan/{e.id}" for e in app.knowledge.kb.active_on(today).entries]
    for path in paths:
        answer = await http.get(path)
        assert answer.status_code == 200, path
        assert_private(answer.text, path)
