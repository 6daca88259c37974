"""Who sees and does what through the chat: a denouncer masked, permissions, invites."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat, Clock, OfficialChat, make_official, receive
from tests.support.labels import label
from tests.support.officials import (
    SECRETS,
    events,
    file_to_cao,
    leaks,
)
from tests.support.records import file_report, rows, texts


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
    assert (await events(app, code))[-1]["action"] == "assigned"
    assert (await events(app, code))[-1]["visible_to_citizen"] == 0
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
    for row in await rows(app, "SELECT chat_id, payload FROM outbox"):
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
    # (/traloi on a record not taken yet takes it on the way: test_take_on_the_way.py)
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
    assert [e["action"] for e in (await events(app, code))] == [
        "created",
        "transferred",
        "accepted",
    ]

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


async def test_an_admin_cannot_revoke_themselves_and_odd_numbers_are_no_official(
    app: App,
) -> None:
    # issue 16 #17: the self-revoke is refused with its own reason, not «không tìm thấy»
    admin = OfficialChat(app, "admin", channel="console")  # config.admins
    await admin.send("/canbo")
    own = admin.text.split(" — ")[0].split("• ")[-1]
    await admin.send(f"/thuhoi {own}")
    assert admin.says("staff_revoked", ok=False, self_revoke=True)
    for odd in ("²", "9" * 40, "-1", ""):  # a Unicode digit, past any id, a sign, nothing
        await admin.send(f"/thuhoi {odd}")
        assert admin.says("staff_revoked", ok=False)
    await admin.send("/canbo")  # still an administrator
    assert own in admin.text
