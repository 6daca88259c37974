"""The officials' side through the real dispatcher, templates and SQLite file."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.app import App
from bot.config import Settings
from domain.lifecycle import Action
from domain.messages import RESUME, Inbound, Priority, Reply, plain_text
from domain.records import OFFICIAL_TEXT, Official, OfficialRole
from handlers.officials import routing
from handlers.officials.turn import TextStep
from tests.conftest import Chat, Clock, OfficialChat, make_official, receive
from tests.support.labels import label
from tests.support.records import CODE, db, file_report, texts


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These cases are the Văn phòng's: street lights are routed there by configuration."""
    commune = replace(settings.communes[0], routing={"chieu_sang": "VP"})
    return replace(settings, communes=(commune,))


def events(settings: Settings, code: str) -> list[sqlite3.Row]:
    with db(settings) as conn:
        return list(
            conn.execute(
                "SELECT e.* FROM events e JOIN records r ON r.id = e.record_id "
                "WHERE r.code = ? ORDER BY e.id",
                (code,),
            )
        )


def status(settings: Settings, code: str) -> str:
    with db(settings) as conn:
        return str(conn.execute("SELECT status FROM records WHERE code = ?", (code,)).fetchone()[0])


async def delivered(app: App, chat_id: str, code: str, message_id: str, at: datetime) -> None:
    """What the channel's sender records when it delivers the card about `code`."""
    async with app.storage.transaction() as uow:
        rows = await uow._all("SELECT id, payload FROM outbox WHERE chat_id = ?", (chat_id,))
        for row in rows:
            if json.loads(row["payload"]).get("record_code") == code:
                await uow.outbox.record_delivery(row["id"], 0, "test", chat_id, message_id, at)
                return
    raise AssertionError(f"no card about {code} for {chat_id}")


async def test_a_case_from_filing_to_rating(
    app: App, chat_factory: Callable[..., Chat], settings: Settings, clock: Clock
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen, anonymous=False)

    new = await receive(app, "lan")
    assert len(new) == 1
    assert new[0].record_code == code
    assert f"Hồ sơ mới\n{code} · Phản ánh · Thôn 3" in plain_text(new[0].text)
    assert "Người gửi: Nguyễn Văn An, 0912345678" in plain_text(new[0].text)
    assert [b.label for b in new[0].buttons] == ["Tiếp nhận", "Yêu cầu bổ sung", "Chuyển"]
    assert label("btn.r_reject") not in [b.label for b in new[0].buttons]  # a member cannot reject
    assert all(b.data.startswith(f"r:{code}:") for b in new[0].buttons)
    assert len(await receive(app, "hoa")) == 1  # the head sees it too, with Từ chối

    lan.replies = new
    clock.advance(minutes=10)
    await lan.press(label("btn.r_take"))
    assert f"✅ {code} — chị Lan đã tiếp nhận lúc 09:10 26/11/2026." in lan.text
    told = await receive(app, "dan")
    assert "đã được Văn phòng HĐND và UBND xã tiếp nhận xử lý" in texts(told)
    assert "chị Lan đã tiếp nhận" in texts(await receive(app, "hoa"))

    await lan.press(label("btn.r_reply"))
    assert f"Xin nhập nội dung trả lời cho người gửi hồ sơ {code}" in lan.text
    await lan.send("Đã báo điện lực, thay bóng trong ngày 27/11.")
    assert "Đã gửi trả lời cho người gửi." in lan.text
    assert lan.labels == [label("btn.r_done")]
    answer = await receive(app, "dan")
    assert "«Đã báo điện lực, thay bóng trong ngày 27/11.»" in texts(answer)
    assert [b.label for b in answer[0].buttons] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert status(settings, code) == "answered"

    citizen.replies = answer
    await citizen.press(label("btn.rate_u"))
    assert citizen.says("rating_reason", code=code)
    assert status(settings, code) == "in_progress"
    assert "chưa hài lòng" in texts(await receive(app, "hoa"))
    await citizen.send("Bóng mới lắp vẫn không sáng")
    assert citizen.says("rating_reopened", code=code)
    reason = await receive(app, "hoa")
    assert len(reason) == 1  # one short line, not the card again
    assert f"hồ sơ {code}: «Bóng mới lắp vẫn không sáng»" in texts(reason)
    assert reason[0].buttons == ()
    assert len(await receive(app, "lan")) == 2  # the reopening (card), then the reason line

    await lan.send(f"/traloi {code} Điện lực đã thay lại bộ đèn, đã kiểm tra sáng tối 28/11.")
    again = await receive(app, "dan")
    citizen.replies = again
    await citizen.press(label("btn.rate_vs"))
    assert citizen.says("rating_thanks", code=code, value="very_satisfied")
    citizen.replies = again
    await citizen.press(label("btn.rate_s"))  # the same message again: counted once
    assert citizen.says("rating_already", code=code)
    assert status(settings, code) == "closed"

    trail = [(e["action"], e["from_status"], e["to_status"]) for e in events(settings, code)]
    assert trail == [
        ("created", None, "received"),
        ("accepted", "received", "accepted"),
        ("answered", "accepted", "answered"),
        ("reopened", "answered", "in_progress"),
        ("answered", "in_progress", "answered"),
        ("rated", "answered", "closed"),
    ]
    with db(settings) as conn:
        ratings = [tuple(r) for r in conn.execute("SELECT value, reason FROM ratings ORDER BY id")]
    assert ratings == [
        ("unsatisfied", "Bóng mới lắp vẫn không sáng"),
        ("very_satisfied", None),
    ]
    await citizen.send(f"/tracuu {code}")
    assert "Mở lại để xử lý tiếp" in citizen.text


async def test_two_officials_pressing_take_at_once_one_wins(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan")
    minh = await make_official(app, "minh")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    take = next(
        b for r in await receive(app, "lan") for b in r.buttons if b.label == label("btn.r_take")
    )
    first, second = await asyncio.gather(
        lan.deliver(lan.inbound(button=take.data)), minh.deliver(minh.inbound(button=take.data))
    )
    outcomes = sorted([texts(first), texts(second)])
    assert "đã tiếp nhận" in outcomes[0] or "đã tiếp nhận" in outcomes[1]
    assert sum("đã có người xử lý" in o for o in outcomes) == 1
    assert [e["action"] for e in events(settings, code)] == ["created", "accepted"]
    # a double press by the same official is told the same
    await lan.deliver(lan.inbound(button=take.data))
    assert "đã có người xử lý" in lan.text


async def file_to_cao(citizen: Chat) -> str:
    await citizen.send("/gopy")
    await citizen.press(label("kind.to_cao"))
    await citizen.press(label("btn.continue"))
    await citizen.send("Cán bộ địa chính đòi tiền khi làm sổ đỏ")
    await citizen.press("Thôn 2")
    await citizen.press(label("btn.skip"))
    await citizen.send("Trần Văn Bình")
    await citizen.send("0987654321")
    await citizen.press(label("btn.submit"))
    match = CODE.search(citizen.text)
    assert match, citizen.text
    return match.group(0)


SECRETS = ("Trần Văn Bình", "0987654321", "dan")


def leaks(reply: Reply) -> bool:
    return any(s in reply.text or s in str(reply.extra) for s in SECRETS[:2])


async def test_a_denouncer_is_masked_for_everyone_but_leader_and_handler(
    app: App, chat_factory: Callable[..., Chat], settings: Settings, caplog: object
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    minh = await make_official(app, "minh", "VP", "member", "anh Minh")
    chu_tich = await make_official(app, "ct", "VP", "leader", "ông Chủ tịch")
    kt = await make_official(app, "kt", "KT", "head", "chị Thu")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_to_cao(citizen)

    for_lan, for_minh = await receive(app, "lan"), await receive(app, "minh")
    assert "được giữ bí mật theo Luật Tố cáo" in texts(for_lan)
    assert not any(leaks(r) for r in [*for_lan, *for_minh])
    for_leader = await receive(app, "ct")
    assert len(for_leader) == 1  # once, though the leader is also a VP official
    assert "Người gửi: Trần Văn Bình, 0987654321" in texts(for_leader)
    assert await receive(app, "kt") == []  # another office hears nothing

    assert label("btn.r_take") not in [b.label for r in for_lan for b in r.buttons]
    await lan.send(f"/tiepnhan {code}")  # a member cannot make herself the handler
    assert lan.says("staff_refused", reason="not_allowed", code=code, action="take")
    await lan.send(f"/xem {code}")
    assert not any(leaks(r) for r in lan.replies)
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    await hoa.send(f"/xem {code}")
    assert not any(leaks(r) for r in hoa.replies)  # the head assigns, but is not the handler
    await hoa.press(label("btn.r_assign"))
    assert "Xin gõ số của cán bộ được giao xử lý" in hoa.text
    lan_id = hoa.text.split(" — chị Lan")[0].split("• ")[-1]
    await hoa.send(lan_id)
    assert f"✅ {code} — anh Hòa đã giao xử lý" in hoa.text
    assert "Người xử lý: chị Lan." in hoa.text
    assert not any(leaks(r) for r in hoa.replies)
    assigned = await receive(app, "lan")
    assert "📌 anh Hòa đã giao anh/chị xử lý hồ sơ" in texts(assigned)
    assert "Người gửi: Trần Văn Bình, 0987654321" in texts(assigned)
    assert not any(leaks(r) for r in await receive(app, "minh"))
    assert await receive(app, "dan") == []  # who handles it is not the citizen's news
    assert events(settings, code)[-1]["action"] == "assigned"
    assert events(settings, code)[-1]["visible_to_citizen"] == 0
    lan.replies = assigned
    await lan.press(label("btn.r_take"))  # the assigned handler may take it
    assert "đã tiếp nhận" in lan.text
    assert not leaks(lan.replies[0])
    await lan.send(f"/xem {code}")
    assert "Người gửi: Trần Văn Bình, 0987654321" in lan.text
    await minh.send(f"/xem {code}")
    assert "được giữ bí mật" in minh.text
    assert not any(leaks(r) for r in minh.replies)
    await chu_tich.send(f"/xem {code}")
    assert "Trần Văn Bình" in chu_tich.text
    await kt.send(f"/xem {code}")
    assert kt.says("lookup_not_found", code=code)
    await minh.send("/hangdoi")
    assert code in minh.text
    assert not any(leaks(r) for r in minh.replies)

    from datetime import timedelta

    from bot.jobs import run_deadline_reminders

    report = await run_deadline_reminders(app, app.dispatcher.clock() + timedelta(days=40))
    assert report.escalated == 1
    await lan.send(f"/chuyen {code} KT Chuyển thử để kiểm tra che thông tin")
    assert "Hồ sơ chuyển sang Phòng Kinh tế" in lan.text
    assert "được giữ bí mật" in texts(await receive(app, "kt"))  # the new office's card

    # Every message that went to someone other than leader, handler or the denouncer.
    with db(settings) as conn:
        rows = conn.execute("SELECT chat_id, payload FROM outbox").fetchall()
    for row in rows:
        if row["chat_id"] not in ("lan", "ct", "dan"):
            assert not any(s in row["payload"] for s in SECRETS[:2]), row["chat_id"]
    log_text = "\n".join(r.getMessage() for r in caplog.records)  # type: ignore[attr-defined]
    assert not any(s in log_text for s in SECRETS[:2])


async def test_permissions_through_the_chat(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member")
    hoa = await make_official(app, "hoa", "VP", "head")
    kt = await make_official(app, "kt", "KT", "member")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/tuchoi {code} Không thuộc thẩm quyền")
    assert lan.says("staff_refused", reason="not_allowed", code=code, action="reject")
    await kt.send(f"/tiepnhan {code}")
    assert kt.says("lookup_not_found", code=code)  # another office: as if it did not exist
    await citizen.send(f"/tiepnhan {code}")
    assert citizen.says("official_only", revoked=False)
    await citizen.send("/hangdoi")
    assert citizen.says("official_only", revoked=False)
    await lan.send(f"/traloi {code} Đã xử lý")  # not taken yet
    assert "không thể trả lời" in lan.text
    await hoa.send(f"/chuyen {code} XX chuyển đi")
    assert "Các bộ phận: KT" in hoa.text.replace("VHXH", "KT") or "KT — Phòng Kinh tế" in hoa.text
    await hoa.send(f"/chuyen {code} KT Thuộc lĩnh vực kinh tế")
    assert "Hồ sơ chuyển sang Phòng Kinh tế" in hoa.text
    assert "chuyển đến từ Văn phòng HĐND và UBND xã" in texts(await receive(app, "kt"))
    assert "đã được chuyển tới Phòng Kinh tế" in texts(await receive(app, "dan"))
    await lan.send(f"/xem {code}")  # VP no longer sees it
    assert lan.says("lookup_not_found", code=code)
    await kt.send(f"/tiepnhan {code}")
    assert "đã tiếp nhận" in kt.text
    assert [e["action"] for e in events(settings, code)] == ["created", "transferred", "accepted"]

    # a revoked official's buttons and commands stop working
    async with app.storage.transaction() as uow:
        found = await uow.officials.get("test", "kt")
        assert found is not None
        await uow.officials.revoke(found.id, app.dispatcher.clock())
    await kt.send("/hangdoi")
    assert kt.says("official_only", revoked=True)


async def test_invites_are_single_use_and_expire(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    admin = OfficialChat(app, "admin", channel="console")  # config.admins
    await admin.send("/moi KT head Nguyễn Thị Thu")
    assert "Mã mời:" in admin.text
    code = admin.text.split("Mã mời: ")[1].split(" ")[0]
    thu = chat_factory("thu")
    await thu.send(f"/thamgia {code}")
    assert "Chào Nguyễn Thị Thu! Anh/chị đã tham gia Phòng Kinh tế với vai trò trưởng bộ phận" in (
        thu.text
    )
    other = chat_factory("other")
    await other.send(f"/thamgia {code}")
    assert other.says("staff_join_result", reason="used")
    await admin.send("/moi KT member")
    late = admin.text.split("Mã mời: ")[1].split(" ")[0]
    clock.advance(hours=73)
    await other.send(f"/thamgia {late}")
    assert other.says("staff_join_result", reason="expired")
    await other.send("/thamgia ZZZZZZZZ")
    assert other.says("staff_join_result", reason="unknown")
    await thu.send("/moi KT member")  # only admins invite
    assert thu.says("official_only", revoked=False, admin=True)
    await admin.send("/moi XX member")
    assert "Các bộ phận: VP" in admin.text
    await admin.send("/canbo")
    assert "Nguyễn Thị Thu, trưởng bộ phận, Phòng Kinh tế" in admin.text
    thu_id = admin.text.split(" — Nguyễn Thị Thu")[0].split("• ")[-1]
    await thu.send("/canbo")
    assert thu.says("official_only", revoked=False, admin=True)
    await admin.send(f"/thuhoi {thu_id}")
    assert admin.says("staff_revoked", ok=True, name="Nguyễn Thị Thu")
    await admin.send(f"/thuhoi {thu_id}")
    assert admin.says("staff_revoked", ok=False)
    await thu.send("/hangdoi")
    assert thu.says("official_only", revoked=True)


async def app_with_vp_group(settings: Settings, clock: Clock) -> App:
    """The app with the Văn phòng's notifications going to the group chat "grp-vp"."""
    commune = settings.communes[0]
    offices = tuple(
        replace(o, chat_id="grp-vp", chat_channel="test") if o.code == "VP" else o
        for o in commune.offices
    )
    app = await App.open(replace(settings, communes=(replace(commune, offices=offices),)))
    app.dispatcher.clock = clock
    return app


async def test_the_office_group_chat(
    settings: Settings, clock: Clock, chat_factory: Callable[..., Chat]
) -> None:
    app = await app_with_vp_group(settings, clock)
    try:
        await make_official(app, "lan", "VP", "member", "chị Lan")
        lan = OfficialChat(app, "lan", group="grp-vp")
        stranger = OfficialChat(app, "someone", group="grp-vp")
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        assert await receive(app, "lan") == []  # the office's chat is told, not each member
        card = await receive(app, "grp-vp")
        assert [r.record_code for r in card] == [code]

        assert await lan.send("chào cả nhà") == []  # chatter in the group is ignored
        stranger.replies = card
        await stranger.press(label("btn.r_take"))
        assert stranger.says("official_only", revoked=False)
        lan.replies = card
        await lan.press(label("btn.r_take"))
        assert "chị Lan đã tiếp nhận" in lan.text
        assert lan.replies[0].chat_id == "grp-vp"

        # the channel's sender maps its message id to the record; a reply to it is Trả lời
        await delivered(app, "grp-vp", code, "m-17", clock.now)
        await stranger.deliver(stranger.inbound(text="Tôi trả lời hộ", reply_to_message="m-17"))
        assert stranger.says("official_only", revoked=False)
        await lan.deliver(lan.inbound(text="Đã sửa xong đèn", reply_to_message="m-17"))
        assert "Đã gửi trả lời cho người gửi." in lan.text
        assert "«Đã sửa xong đèn»" in texts(await receive(app, "dan"))
        await lan.send("/gopy")
        assert lan.says("group_ignored")
        async with app.storage.transaction() as uow:
            found = await uow.officials.get("test", "lan")
            assert found is not None
            await uow.officials.revoke(found.id, clock.now)
        assert await lan.send("chào cả nhà") == []  # a revoked member's chatter: still ignored
        await lan.deliver(lan.inbound(text="Thêm một ý", reply_to_message="m-17"))
        assert lan.says("official_only", revoked=True)
    finally:
        await app.close()


async def test_asking_the_citizen_for_more(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_info"))
    await lan.send("Xin chụp rõ số hiệu cột đèn")
    asked = await receive(app, "dan")
    assert "đề nghị anh/chị bổ sung:\n«Xin chụp rõ số hiệu cột đèn»" in texts(asked)
    await citizen.photo("cot-den-so-12")
    assert citizen.says("info_thanks", code=code)
    assert "Người gửi đã bổ sung thông tin" in texts(await receive(app, "lan"))
    with db(settings) as conn:
        refs = [r[0] for r in conn.execute("SELECT ref FROM attachments ORDER BY id")]
    assert refs == ["file-1", "cot-den-so-12"]
    assert status(settings, code) == "in_progress"
    await lan.send(f"/giahan {code} cần thêm thời gian")
    assert lan.says("staff_refused", reason="no_extension", code=code)  # none for a phản ánh
    await lan.send(f"/hoanthanh {code} Đã thay bóng đèn cột số 12")
    done = await receive(app, "dan")
    assert "Kết quả: «Đã thay bóng đèn cột số 12»" in texts(done)
    assert [b.label for b in done[0].buttons] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]


async def test_to_cao_extensions_rejection_and_the_leaders_queue(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    kt = await make_official(app, "kt", "KT", "member")
    leader = await make_official(app, "ct", "VP", "leader")
    citizen = chat_factory("dan")
    await citizen.agree()
    denounced = await file_to_cao(citizen)
    other = await file_report(citizen)
    hoa.replies = [r for r in await receive(app, "hoa") if r.record_code == denounced]
    stale_card = list(hoa.replies)
    await hoa.press(label("btn.r_take"))
    # thụ lý on 26/11 starts the 30-day resolution stage → Saturday 26/12/2026, which
    # moves to Monday 28/12/2026 (Bộ luật Dân sự 2015, Điều 148 khoản 5)
    assert "Hạn giải quyết: 28/12/2026" in hoa.text
    assert label("btn.r_extend") in hoa.labels
    await hoa.press(label("btn.r_extend"))
    await hoa.send("Cần xác minh ở hai nơi")
    assert "Hạn mới: 27/01/2027" in hoa.text
    assert "gia hạn giải quyết đến ngày 27/01/2027" in texts(await receive(app, "dan"))
    await hoa.press(label("btn.r_extend"))
    await hoa.send("Vụ việc đặc biệt phức tạp")
    assert "Hạn mới: 26/02/2027" in hoa.text
    assert label("btn.r_extend") not in hoa.labels  # two extensions at most
    await hoa.send(f"/giahan {denounced} thêm nữa")
    assert hoa.says("staff_refused", reason="no_extension", code=denounced)
    hoa.replies = stale_card
    await hoa.press(label("btn.r_take"))
    assert "đã có người xử lý" in hoa.text

    await leader.send("/hangdoi")
    assert denounced in leader.text
    assert other in leader.text  # the whole commune
    await kt.send("/hangdoi")
    assert kt.says("staff_queue", items=[], page=1, pages=1, total=0, office_name="Phòng Kinh tế")

    await hoa.send(f"/tuchoi {other} Việc này do Điện lực Hải Phòng giải quyết, số 19006769")
    assert "đã từ chối" in hoa.text
    assert "không thuộc thẩm quyền giải quyết của UBND xã" in texts(await receive(app, "dan"))
    assert status(settings, other) == "rejected"


async def test_a_card_from_before_a_transfer_is_stale(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member")
    await make_official(app, "kt", "KT", "member")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    card = await receive(app, "lan")
    await lan.send(f"/chuyen {code} KT Thuộc lĩnh vực kinh tế")
    lan.replies = card
    await lan.press(label("btn.r_take"))
    assert lan.says("staff_refused", reason="gone", code=code)
    lan.replies = card
    await lan.press(label("btn.r_transfer"))
    assert lan.says("staff_refused", reason="gone", code=code)


async def test_replying_to_a_notification_in_the_private_chat(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/tiepnhan {code}")
    await delivered(app, "lan", code, "501", clock.now)
    await lan.deliver(lan.inbound(text="Đã thay bóng đèn", reply_to_message="501"))
    assert "Đã gửi trả lời cho người gửi." in lan.text
    # a citizen replying to one of the bot's messages stays on the citizen's side
    await citizen.deliver(citizen.inbound(text="cảm ơn", reply_to_message="501"))
    assert not citizen.says("official_only", revoked=False)


async def test_the_queue_is_paged_oldest_due_first(
    settings: Settings, clock: Clock, chat_factory: Callable[..., Chat]
) -> None:
    from dataclasses import replace

    small = replace(settings, bot=replace(settings.bot, queue_page_size=2))
    app = await App.open(small)
    app.dispatcher.clock = clock
    try:
        lan = await make_official(app, "lan")
        citizen = Chat(app, "dan")
        await citizen.agree()
        codes = []
        for _ in range(3):
            codes.append(await file_report(citizen))
            clock.advance(days=1)
        await lan.send("/hangdoi")
        assert "(trang 1/2, tổng 3; hạn gần nhất trước)" in lan.text
        assert lan.text.index(codes[0]) < lan.text.index(codes[1])
        assert codes[2] not in lan.text
        assert "Trang sau: /hangdoi 2" in lan.text
        await lan.send("/hangdoi 2")
        assert codes[2] in lan.text
        await lan.send("/xem CG-2611-ABC")
        assert "không hợp lệ" in lan.text
        await lan.send("/traloi")
        assert lan.says("staff_usage")
    finally:
        await app.close()


async def test_an_erased_citizen_cannot_be_reached_and_the_official_is_told(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen, anonymous=False)
    await citizen.send("/xoadulieu")
    await citizen.press(label("btn.erase_yes"))
    await lan.send(f"/tiepnhan {code}")
    await lan.send(f"/traloi {code} Đã xử lý xong")
    assert "không còn liên lạc được qua kênh này" in lan.text
    assert await receive(app, "dan") == []


async def test_a_waiting_step_asks_again_for_text(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_take"))
    await lan.press(label("btn.r_reply"))
    await lan.photo("a-photo")
    assert lan.says("staff_prompt_again", code=code)
    await lan.send("/huy")
    assert lan.says("staff_cancelled")
    await lan.send("xin chào")  # nothing waits any more: the citizen's side answers
    assert lan.says("consent_notice")


async def test_a_leader_announces_to_subscribers_from_the_chat(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    whole, hamlet2, other = chat_factory("c1"), chat_factory("c2"), chat_factory("c3")
    for citizen in (whole, hamlet2, other):
        await citizen.agree()
    await whole.press(label("btn.menu_announce"))
    await whole.press(label("btn.announce_all"))
    await hamlet2.press(label("btn.menu_announce"))
    await hamlet2.press("Thôn 2")
    await other.press(label("btn.menu_announce"))
    await other.press("Thôn 3")

    member = await make_official(app, "lan", "VP", "member", "chị Lan")
    await member.send("/thongbao Lịch tiêm chủng")
    assert member.says("official_only", revoked=False, admin=True)

    leader = await make_official(app, "chutich", "VP", "leader", "anh Hùng")
    await leader.send("/thongbao")
    assert "Cách gửi thông báo" in leader.text
    await leader.send("/thongbao Thôn 9 | Họp dân")
    assert "Cách gửi thông báo" in leader.text  # no such hamlet
    await leader.send("/thongbao Thôn 2 | Họp dân thôn 2 lúc 19 giờ <tối nay>")
    assert "tới 2 người đăng ký ở Thôn 2" in leader.text
    announced = leader.replies
    await leader.press(label("btn.progress"))
    assert "đã gửi 0, đang chờ 2" in leader.text
    got = {
        user: [r.text for r in await receive(app, user, priority=Priority.BROADCAST)]
        for user in ("c1", "c2", "c3")
    }
    assert len(got["c1"]) == len(got["c2"]) == 1
    assert "Họp dân thôn 2 lúc 19 giờ &lt;tối nay&gt;" in got["c1"][0]
    assert got["c1"] == got["c2"]
    assert got["c3"] == []
    leader.replies = announced
    await leader.press(label("btn.progress"))
    assert "đã gửi 2. Đã gửi xong." in leader.text
    assert leader.labels == []


async def test_assigning_a_record_and_the_admin_does_no_record_work(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    admin = OfficialChat(app, "admin", channel="console")  # config.admins, office VP
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_to_cao(citizen)
    assert await receive(app, "admin", channel="console") == []  # no record notifications
    await admin.send(f"/xem {code}")
    assert admin.says("lookup_not_found", code=code)
    await admin.send(f"/giao {code} 1")
    assert admin.says("lookup_not_found", code=code)
    await lan.send(f"/giao {code} 1")
    assert lan.says("staff_refused", reason="not_allowed", code=code, action="assign")
    await hoa.send(f"/giao {code}")
    assert "chị Lan, cán bộ" in hoa.text
    assert "Quản trị" not in hoa.text  # an administrator is never a candidate
    await hoa.send(f"/giao {code} 999")
    assert "xin gõ /giao" in hoa.text.lower()
    await hoa.send("/canbo")  # the head is no admin
    assert hoa.says("official_only", revoked=False, admin=True)
    async with app.storage.transaction() as uow:
        found = await uow.officials.get("test", "lan")
        assert found is not None
    await hoa.send(f"/giao {code} {found.id}")
    assert "Người xử lý: chị Lan." in hoa.text
    assert "Trần Văn Bình" in texts(await receive(app, "lan"))
    await lan.send(f"/tiepnhan {code}")
    assert "đã tiếp nhận" in lan.text

    # revoking the handler tells the head which open records to reassign
    await admin.send("/canbo")
    await admin.send(f"/thuhoi {found.id}")
    assert f"Hồ sơ đang do chị Lan phụ trách: {code}" in admin.text
    told = texts(await receive(app, "hoa"))
    assert "Quyền cán bộ của chị Lan đã bị thu hồi" in told
    assert code in told
    assert "Trần Văn Bình" not in told


async def test_a_revoked_officials_text_is_not_a_citizens(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await delivered(app, "lan", code, "m-5", app.dispatcher.clock())
    await lan.press(label("btn.r_take"))
    await lan.press(label("btn.r_reply"))
    admin = OfficialChat(app, "admin", channel="console")
    async with app.storage.transaction() as uow:
        found = await uow.officials.get("test", "lan")
        assert found is not None
    await admin.send(f"/thuhoi {found.id}")
    await lan.send("Đã báo điện lực thay bóng")  # the step they were revoked during
    assert lan.says("official_only", revoked=True)
    await lan.deliver(lan.inbound(text="Trả lời muộn", reply_to_message="m-5"))
    assert lan.says("official_only", revoked=True)
    assert status(settings, code) == "accepted"
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 1
        waiting = "SELECT count(*) FROM official_conversations WHERE state = ?"
        assert conn.execute(waiting, (OFFICIAL_TEXT,)).fetchone()[0] == 0
    assert await receive(app, "dan", priority=Priority.NOTIFICATION) != []  # only the take
    await lan.send("Xin chào")  # after that, plain text is theirs as a resident again
    assert not lan.says("official_only", revoked=True)


async def test_a_typed_step_checks_the_version_and_the_presser(
    settings: Settings, clock: Clock, chat_factory: Callable[..., Chat]
) -> None:
    app = await app_with_vp_group(settings, clock)
    try:
        await make_official(app, "lan", "VP", "member", "chị Lan")
        await make_official(app, "minh", "VP", "member", "anh Minh")
        lan = OfficialChat(app, "lan", group="grp-vp")
        minh = OfficialChat(app, "minh", group="grp-vp")
        hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")  # private chat
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        card = await receive(app, "grp-vp")
        lan.replies = card
        await lan.press(label("btn.r_take"))
        lan.replies = [lan.replies[0]]
        await lan.press(label("btn.r_reply"))
        prompt = lan.replies[0]
        assert prompt.record_code is None  # a prompt in a group is not a notification
        # a colleague replying to lan's prompt does nothing to the record
        await minh.deliver(minh.inbound(text="Tôi trả lời thay", reply_to_message="p-1"))
        assert status(app.settings, code) == "accepted"
        # the record moves meanwhile (the head asks the citizen for more, privately)
        await hoa.send(f"/bosung {code} Xin thêm ảnh cột đèn")
        assert status(app.settings, code) == "need_info"
        await lan.deliver(lan.inbound(text="Đã thay bóng", reply_to_message="p-1"))
        assert "đã thay đổi kể từ khi anh/chị bấm nút" in lan.text
        assert status(app.settings, code) == "need_info"
        await lan.deliver(lan.inbound(text="Đã thay bóng", reply_to_message="p-1"))
        assert lan.replies == []  # the step is gone
    finally:
        await app.close()


async def test_a_request_for_more_never_interrupts_and_is_never_lost(
    app: App, chat_factory: Callable[..., Chat], settings: Settings, clock: Clock
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    receive_lan = await receive(app, "lan")
    assert receive_lan
    # the citizen starts another report and is half-way through it
    await citizen.press(label("btn.menu_file"))
    await citizen.press(label("kind.phan_anh"))
    await citizen.send("Ổ gà trước cổng trường")
    assert "Thôn 3" in citizen.labels
    await lan.send(f"/bosung {code} Xin chụp rõ số hiệu cột đèn")
    asked = await receive(app, "dan")
    assert "bấm «Bổ sung» bên dưới" in texts(asked)
    assert [b.data for r in asked for b in r.buttons] == [f"m:bosung:{code}"]
    await citizen.press("Thôn 3")  # the draft goes on where it was
    assert "ảnh" in citizen.text.lower()
    citizen.replies = asked
    await citizen.press(f"{label('btn.supplement')} {code}")
    assert citizen.says("info_prompt", code=code)
    await citizen.press(label("btn.later"))
    assert f"gõ /tracuu {code}" in citizen.text  # and it is true:
    assert "ảnh" in citizen.text.lower()  # back at the draft's step
    clock.advance(minutes=2)  # (the flood limit counts a minute's messages)
    await citizen.send("/huy")
    await citizen.send(f"/tracuu {code}")
    assert f"{label('btn.supplement')} {code}" in citizen.labels
    await citizen.send("/cuatoi")
    assert f"{label('btn.supplement')} {code}" in citizen.labels
    await citizen.press(f"{label('btn.supplement')} {code}")
    await citizen.send("Cột số 12, cạnh nhà văn hóa")
    assert citizen.says("info_thanks", code=code)
    assert status(settings, code) == "in_progress"
    assert "«Cột số 12, cạnh nhà văn hóa»" in texts(await receive(app, "lan"))
    citizen.replies = asked
    await citizen.press(f"{label('btn.supplement')} {code}")  # no longer waiting
    assert "không còn chờ bổ sung" in citizen.text


async def test_an_idle_citizens_next_message_answers_and_a_draft_survives(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await receive(app, "lan")
    # a draft kept by leaving it with a command
    await citizen.press(label("btn.menu_file"))
    await citizen.press(label("kind.phan_anh"))
    await citizen.send("Cống thoát nước bị tắc")
    await citizen.send("/trogiup")
    await lan.send(f"/bosung {code} Xin cho biết cột đèn gần nhà ai")
    assert "nhắn nội dung bổ sung ngay tại đây" in texts(await receive(app, "dan"))
    await citizen.send("Gần nhà ông Tư")
    assert citizen.says("info_thanks", code=code)
    with db(settings) as conn:
        data = conn.execute("SELECT data FROM conversations").fetchone()[0]
    assert "Cống thoát nước bị tắc" in data  # the kept draft is still there


# --- which updates are the officials' (routing.claims, before any citizen state) -------

_AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
_LAN = Official(7, "CG", "test", "lan", "chị Lan", "VP", OfficialRole.MEMBER, True, _AT)
_REVOKED = replace(_LAN, active=False)
_PENDING = TextStep(1, Action.REPLY, "lan", None)


def _inbound() -> Inbound:
    return Inbound(channel="test", update_id="1", user_id="lan", chat_id="lan", received_at=_AT)


@pytest.mark.parametrize(
    ("fields", "official", "pending", "claimed"),
    [
        ({"is_group": True, "text": "chào cả nhà"}, None, None, True),  # groups always
        ({"button": "r:CG-2611-7KQ3XD:take:1"}, None, None, True),
        ({"button": "p:1:9"}, _LAN, None, True),
        ({"button": "3:kind:pa"}, _LAN, None, False),  # a citizen's step button
        ({"button": RESUME}, _LAN, None, True),
        ({"button": RESUME}, None, None, False),
        ({"text": "/thamgia ABCD2345 Lan"}, None, None, True),
        ({"text": "/hangdoi@danvan_bot"}, None, None, True),  # told "officials only"
        ({"text": "/gopy"}, _LAN, None, False),  # an official may file as a citizen
        ({"text": "/huy"}, _LAN, _PENDING, True),
        ({"text": "/huy"}, _LAN, None, False),
        ({"text": "Đã thay bóng"}, _LAN, _PENDING, True),
        ({"text": "Đã thay bóng"}, _LAN, None, False),
        ({"text": "Đã thay bóng", "reply_to_message": "5"}, _LAN, None, True),
        ({"text": "Đã thay bóng", "reply_to_message": "5"}, _REVOKED, None, True),
        ({"text": "Đã thay bóng"}, replace(_REVOKED, step_interrupted=True), None, True),
        ({"text": "Đèn hỏng"}, _REVOKED, None, False),  # then a citizen's message
    ],
)
def test_which_updates_the_officials_side_claims(
    fields: dict[str, Any], official: Official | None, pending: TextStep | None, claimed: bool
) -> None:
    assert routing.claims(replace(_inbound(), **fields), official, pending) is claimed
