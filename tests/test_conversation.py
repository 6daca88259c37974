"""Transcripts through the real dispatcher, templates and SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings
from domain import tracking_code
from domain.messages import plain_text
from tests.conftest import Chat, Clock
from tests.support.labels import label
from tests.support.records import CODE, db, file_report


def count(settings: Settings, table: str) -> int:
    with db(settings) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


async def test_first_contact_shows_the_notice_and_stores_nothing_personal(
    chat: Chat, settings: Settings
) -> None:
    await chat.send("xin chào")
    assert chat.says("consent_notice")
    chat.says_exactly("consent_notice")
    assert chat.labels == [label("btn.consent_yes"), label("btn.consent_no")]
    with db(settings) as conn:
        row = conn.execute("SELECT * FROM citizens").fetchone()
    assert row["consent_at"] is None
    assert row["name"] is None
    assert row["phone"] is None


async def test_declining_consent_still_allows_questions_but_not_filing(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press(label("btn.consent_no"))
    assert chat.says("consent_declined")
    chat.says_exactly("consent_declined", ("menu", {"greeting": False, "consented": False}))
    assert label("btn.menu_file") not in chat.labels
    assert label("btn.menu_ask") in chat.labels
    await chat.send("/gopy")
    assert chat.says("consent_needed")
    chat.says_exactly("consent_needed", "consent_notice")
    assert chat.labels == [label("btn.consent_yes"), label("btn.consent_no")]
    await chat.press(label("btn.consent_yes"))
    assert chat.says("consent_given")
    assert chat.says("filing_kind")  # filing continues after agreeing
    chat.says_exactly("consent_given", "filing_kind")


async def test_a_phan_anh_end_to_end(chat: Chat, settings: Settings, clock: Clock) -> None:
    await chat.agree()
    code = await file_report(chat, anonymous=False)
    parsed = tracking_code.parse_code(code)
    assert parsed.commune == "CG"
    assert (parsed.year, parsed.month) == (2026, 11)
    # received 26/11 (local), 10 calendar days → Sunday 06/12/2026, so Monday 07/12/2026
    # (Bộ luật Dân sự 2015, Điều 148 khoản 5)
    assert "chậm nhất ngày 07/12/2026" in chat.text
    chat.says_exactly(
        (
            "filing_done",
            {
                "record": {"code": code, "kind": "phan_anh"},
                "office_name": "Phòng Kinh tế",
                "rule_days": 10,
                "working_days": False,
                "due": datetime(2026, 12, 7),  # noqa: DTZ001 - only the date is shown
            },
        ),
        ("menu", {"greeting": False, "consented": True}),
    )
    with db(settings) as conn:
        record = conn.execute("SELECT * FROM records").fetchone()
        events = conn.execute("SELECT * FROM events").fetchall()
        photos = conn.execute("SELECT ref FROM attachments").fetchall()
        citizen = conn.execute("SELECT name, phone FROM citizens").fetchone()
    assert record["code"] == code
    assert (record["kind"], record["status"], record["office_code"], record["topic"]) == (
        "phan_anh",
        "received",
        "KT",  # routed by what the description is about: street lights
        "chieu_sang",
    )
    assert (record["hamlet"], record["anonymous"]) == ("Thôn 3", 0)
    assert (record["contact_name"], record["contact_phone"]) == ("Nguyễn Văn An", "0912345678")
    assert [e["action"] for e in events] == ["created"]
    assert events[0]["to_status"] == "received"
    assert [p["ref"] for p in photos] == ["file-1"]
    assert tuple(citizen) == ("Nguyễn Văn An", "0912345678")
    # the saved contact is offered next time
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.kien_nghi"))
    await chat.send("Đề nghị lắp thêm đèn ở ngã ba")
    await chat.press("Thôn 1")
    await chat.press(label("btn.skip"))
    assert label("btn.use_saved_contact") in chat.labels


async def test_khieu_nai_requires_identity_and_goes_to_vp(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.khieu_nai"))
    assert chat.says("filing_identity", kind="khieu_nai")
    assert "chưa thay cho đơn khiếu nại" in chat.text
    await chat.press(label("btn.continue"))
    await chat.send("Xã thu hồi đất nhà tôi nhưng không bồi thường")
    await chat.send("Xóm Bến")  # free-text hamlet
    await chat.press(label("btn.skip"))
    assert chat.says("filing_name")  # no anonymous option for a khiếu nại
    await chat.send("<b>Lê</b>")
    assert chat.says("filing_invalid_name", limit=80)
    await chat.send("Lê Thị Hoa")
    await chat.send("12345")
    assert chat.says("filing_invalid_phone")
    await chat.send("+84 912 000 111")
    await chat.press(label("btn.submit"))
    assert "kể từ khi xã nhận đơn có chữ ký" in chat.text
    with db(settings) as conn:
        record = conn.execute("SELECT * FROM records").fetchone()
    assert (record["kind"], record["office_code"], record["hamlet"]) == (
        "khieu_nai",
        "VP",
        "Xóm Bến",
    )
    assert record["contact_phone"] == "0912000111"


async def test_to_cao_deadline_counts_working_days(chat: Chat, clock: Clock) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.to_cao"))
    assert "không nhận đơn tố cáo qua mạng" in chat.text
    await chat.press(label("btn.continue"))
    await chat.send("Cán bộ địa chính đòi tiền khi làm sổ đỏ")
    await chat.press("Thôn 2")
    await chat.press(label("btn.skip"))
    await chat.send("Trần Văn Bình")
    await chat.send("0987654321")
    await chat.press(label("btn.submit"))
    # Thursday 26/11 + 7 working days → Monday 07/12/2026
    assert "Hạn dự kiến để xã xem xét bước đầu: 07/12/2026" in chat.text
    assert "gửi qua bưu điện" in chat.text


async def test_edit_from_the_summary_returns_to_the_summary(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.draft_anonymous_report("Rác đổ trộm ven đường", "Thôn 4")
    await chat.press(label("btn.edit"))
    await chat.press(label("btn.edit_description"))
    await chat.send("Rác đổ trộm ven đường liên thôn, bốc mùi")
    assert "Xin anh/chị kiểm tra lại" in chat.text
    assert "bốc mùi" in chat.text
    await chat.press(label("btn.edit"))
    await chat.press(label("btn.edit_kind"))
    await chat.press(label("kind.khieu_nai"))  # now identity is required
    await chat.press(label("btn.continue"))
    await chat.send("Phạm Minh")
    await chat.send("0911222333")
    assert "Loại: Khiếu nại" in chat.text
    await chat.press(label("btn.submit"))
    with db(settings) as conn:
        record = conn.execute("SELECT kind, anonymous, contact_name FROM records").fetchone()
    assert tuple(record) == ("khieu_nai", 0, "Phạm Minh")


async def test_lookup_owner_sees_history_others_only_status(
    chat_factory: Callable[..., Chat], settings: Settings, clock: Clock
) -> None:
    owner = chat_factory("owner")
    await owner.agree()
    code = await file_report(owner)
    await owner.send(f"/tracuu {code.lower().replace('-', ' ')}")
    assert "Diễn biến" in owner.text
    assert "Hồ sơ được gửi và tiếp nhận" in owner.text
    assert "Hạn xử lý: 07/12/2026" in owner.text
    filed = clock.now.astimezone(settings.communes[0].timezone)
    result = {
        "record": {"code": code, "kind": "phan_anh", "status": "received"},
        "office_name": "Phòng Kinh tế",
        "created": filed,
        "due": datetime(2026, 12, 7),  # noqa: DTZ001 - only the date is shown
        "events": [{"at": filed, "action": "created", "note": None}],
    }
    owner.says_exactly(
        ("lookup_result", {**result, "owner": True}),
        ("menu", {"greeting": False, "consented": True}),
    )

    stranger = chat_factory("stranger")
    await stranger.send("/start")
    await stranger.press(label("btn.consent_no"))
    await stranger.send(f"/tracuu {code}")
    assert "Đã tiếp nhận, chờ phân công" in stranger.text
    assert "Bộ phận xử lý: Phòng Kinh tế" in stranger.text
    assert "Diễn biến" not in stranger.text
    assert "Hạn xử lý" not in stranger.text
    assert "Chỉ người gửi mới xem được chi tiết" in stranger.text
    stranger.says_exactly(
        ("lookup_result", {**result, "owner": False}),
        ("menu", {"greeting": False, "consented": False}),
    )


async def test_lookup_invalid_foreign_and_unknown_codes(chat: Chat, clock: Clock) -> None:
    await chat.agree()
    code = tracking_code.make_code("CG", clock.now, "ABCDE")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    await chat.send(f"/tracuu {wrong}")
    assert "không hợp lệ" in chat.text
    await chat.send(code)  # typed in the lookup step after the invalid one
    assert chat.says("lookup_not_found", code=code)
    foreign = tracking_code.make_code("HN", clock.now)
    await chat.send(f"/tracuu {foreign}")
    assert chat.says("lookup_foreign", code=foreign)
    await chat.send("/tracuu '; DROP TABLE records; --")
    assert "không hợp lệ" in chat.text
    await chat.send("/tracuu PAKN.20261120.0012")
    assert "dichvucong.gov.vn/guipakn" in chat.text
    assert chat.says("lookup_pakn", text="PAKN.20261120.0012")
    await chat.send("/tracuu HN-2611-BZBQV6")  # another place's code, check not even valid
    assert chat.says("lookup_foreign", code="HN-2611-BZBQV6")


async def test_my_records_lists_only_mine(chat_factory: Callable[..., Chat]) -> None:
    a, b = chat_factory("a"), chat_factory("b")
    await a.agree()
    await b.agree()
    code_a = await file_report(a)
    await b.send("/cuatoi")
    assert b.says("my_records", records=[], total=0)
    await a.send("/cuatoi")
    assert code_a in a.text


async def test_same_update_twice_files_one_record(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.draft_anonymous_report("Cống thoát nước bị tắc")
    submit = next(b for r in chat.replies for b in r.buttons if b.label == label("btn.submit"))
    inbound = chat.inbound(button=submit.data)
    first = await chat.deliver(inbound)
    again = await chat.app.dispatcher.handle(inbound)
    assert CODE.search(plain_text(first[0].text))
    assert again == []
    assert count(settings, "records") == 1
    assert count(settings, "events") == 1


async def test_restart_in_the_middle_resumes_at_the_same_step(
    settings: Settings, clock: Clock
) -> None:
    first = await App.open(settings)
    first.dispatcher.clock = clock
    chat = Chat(first)
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đường bê tông bị sụt lún")
    hamlet_button = next(b for r in chat.replies for b in r.buttons if b.label == "Thôn 2")
    await first.close()

    second = await App.open(settings)
    second.dispatcher.clock = clock
    try:
        chat.app = second
        await chat.deliver(chat.inbound(button=hamlet_button.data))  # the button still works
        assert chat.says("filing_media", max_photos=5, has_media=False)
        await chat.press(label("btn.skip"))
        await chat.press(label("btn.anonymous"))
        assert "Đường bê tông bị sụt lún" in chat.text
    finally:
        await second.close()


async def test_stale_button_gets_a_calm_answer(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/gopy")
    old_kind_buttons = list(chat.replies)
    await chat.press(label("kind.phan_anh"))
    chat.replies = old_kind_buttons
    await chat.press(label("kind.to_cao"))
    assert chat.says("stale_button")
    assert chat.says("filing_description", kind="phan_anh", limit=2000)  # asked again


async def test_typed_label_without_diacritics_counts_as_the_button(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("dong y")
    assert chat.says("consent_given")
    await chat.send("/gopy")
    await chat.send("phan anh")
    assert chat.says("filing_description", kind="phan_anh", limit=2000)


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("", "input_empty"),
        ("   \u200b\u200d  ", "input_empty"),
        ("😀😀🙏", "input_no_words"),
    ],
)
async def test_bad_description_input_is_refused_calmly(
    chat: Chat, settings: Settings, text: str, template: str
) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send(text)
    assert chat.says(template)
    assert count(settings, "records") == 0


async def test_overlong_text_is_refused_with_the_limit(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("a" * 10_000)
    assert chat.says("input_too_long", length=10_000, limit=2000)
    assert chat.says("filing_description", kind="phan_anh", limit=2000)  # the same step


async def test_html_sql_control_and_rtl_text_is_kept_escaped(
    chat: Chat, settings: Settings
) -> None:
    nasty = "<script>alert(1)</script> '; DROP TABLE records; -- \x07\u202etxt.exe ‏שלום"
    await chat.agree()
    await chat.draft_anonymous_report(nasty)
    summary = next(r.text for r in chat.replies if "kiểm tra lại" in r.text)
    assert "&lt;script&gt;" in summary
    assert "<script>" not in summary
    await chat.press(label("btn.submit"))
    with db(settings) as conn:
        stored = conn.execute("SELECT description FROM records").fetchone()[0]
    assert stored == "<script>alert(1)</script> '; DROP TABLE records; -- txt.exe שלום"


async def test_command_in_the_middle_keeps_the_draft(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Trẻ em chơi gần ao sâu không có rào chắn")
    await chat.send("/trogiup")
    assert "Hướng dẫn sử dụng" in chat.text
    await chat.send("/gopy")
    assert chat.says("filing_resume", kind="phan_anh")
    await chat.press(label("btn.resume_draft"))
    assert chat.says("filing_hamlet", hamlets=True)  # the first missing piece
    await chat.send("/huy")
    assert chat.says("cancelled", dropped_draft=True)
    await chat.send("/gopy")
    assert chat.says("filing_kind")


async def test_unknown_command_and_photo_at_a_text_step(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/xyz")
    assert chat.says("unknown_command", command="/xyz")
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.photo("p1")
    assert chat.says("filing_description_photo_only")


async def test_too_many_photos_are_refused_with_the_limit(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Cây đổ chắn đường")
    await chat.press("Thôn 1")
    for i in range(5):
        await chat.photo(f"p{i}")
    await chat.photo("p5")
    assert "tối đa 5 ảnh" in chat.text
    await chat.location(20.86, 106.68)
    assert "Đã nhận 5 ảnh" in chat.text
    assert "Đã nhận vị trí" in chat.text
    await chat.press(label("btn.continue"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.submit"))
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 5
        assert tuple(conn.execute("SELECT latitude, longitude FROM records").fetchone()) == (
            20.86,
            106.68,
        )


async def test_erasure_deidentifies_records_after_confirmation(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    code = await file_report(chat, anonymous=False)
    await chat.send("/xoadulieu")
    assert "1 hồ sơ anh/chị đã gửi vẫn được lưu" in chat.text
    await chat.press(label("btn.erase_no"))
    assert chat.says("erase_kept")
    await chat.send("/xoadulieu")
    await chat.press(label("btn.erase_yes"))
    assert chat.says("erase_done")
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM citizens").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == 0
        # only the goodbye is left in the outbox; nothing they wrote or gave
        texts = [r[0] for r in conn.execute("SELECT payload FROM outbox WHERE chat_id = 'u1'")]
    assert len(texts) == 1
    assert "Đã xóa dữ liệu" in texts[0]
    with db(settings) as conn:
        record = conn.execute("SELECT * FROM records").fetchone()
    assert record["code"] == code
    assert (record["citizen_id"], record["contact_name"], record["contact_phone"]) == (
        None,
        None,
        None,
    )
    await chat.send("chào")  # a new start: the notice again
    assert chat.says("consent_notice")


async def test_a_crash_mid_turn_apologises_and_changes_nothing(
    chat: Chat, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Nước sinh hoạt có mùi lạ")
    from handlers.flows import filing
    from handlers.turn import Step

    async def broken(turn: object) -> None:
        raise RuntimeError("disk on fire")

    steps = dict(chat.app.dispatcher.steps)
    steps[filing.Filing.HAMLET] = Step(filing.prompt_hamlet, broken)
    monkeypatch.setattr(chat.app.dispatcher, "steps", steps)
    hamlet_prompt = chat.replies
    await chat.press("Thôn 1")
    assert chat.says("unexpected_error", hotline=settings.communes[0].hotline)
    monkeypatch.undo()
    chat.replies = hamlet_prompt
    await chat.press("Thôn 1")  # the same button works again: state was not changed
    assert chat.says("filing_media", max_photos=5, has_media=False)


async def test_outbox_holds_every_reply_in_order(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    with db(settings) as conn:
        rows = conn.execute("SELECT chat_id, priority, status FROM outbox ORDER BY id").fetchall()
    assert len(rows) >= 3
    assert all(tuple(r) == ("u1", 0, "pending") for r in rows)


async def test_groups_are_ignored_by_the_citizen_core(chat: Chat, settings: Settings) -> None:
    replies = await chat.deliver(chat.inbound(text="hello", is_group=True))
    assert replies == []
    assert count(settings, "citizens") == 0


def test_a_deployment_can_override_a_template(tmp_path: Path) -> None:
    from handlers.render import Renderer

    (tmp_path / "erase_kept.j2").write_text("Giữ nguyên, {{ who }}!", encoding="utf-8")
    renderer = Renderer(tmp_path)
    assert renderer.render("erase_kept", who="<b>") == "Giữ nguyên, &lt;b&gt;!"
    assert "UBND X" in renderer.render("consent_notice", commune={"name": "X"})
    assert renderer.label("btn.consent_yes") == "Đồng ý"
    with pytest.raises(KeyError):
        renderer.label("btn.nope")


async def test_a_flood_is_answered_once_then_ignored_until_the_next_minute(
    chat: Chat, settings: Settings, clock: Clock
) -> None:
    await chat.agree()  # 2 messages in this minute
    for _ in range(18):
        await chat.send("alo")
    assert not chat.says("flood", limit=20)
    await chat.send("alo")
    assert chat.says("flood", limit=20)
    assert len(chat.replies) == 1
    for _ in range(5):
        assert await chat.send("alo") == []
    clock.advance(minutes=1)
    await chat.send("/trogiup")
    assert "Hướng dẫn sử dụng" in chat.text


async def test_an_emergency_is_answered_even_in_a_flood(chat: Chat) -> None:
    await chat.agree()
    for _ in range(25):
        await chat.send("alo")
    await chat.send("cháy nhà rồi cứu với")
    assert "114" in chat.text


async def test_a_phone_inside_a_sentence_and_a_way_back_to_anonymous(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Chợ họp tràn ra đường gây tắc")
    await chat.press("Thôn 1")
    await chat.press(label("btn.skip"))
    await chat.press(label("btn.leave_contact"))
    await chat.send("Lê Văn Tám")
    await chat.send("sdt cua toi la 0912 345 678")
    assert "0912345678" in chat.text  # the summary
    await chat.press(label("btn.edit"))
    await chat.press(label("btn.edit_contact"))
    await chat.press(label("btn.leave_contact"))
    await chat.send("Lê Văn Tám")
    await chat.send("không nhớ số")
    assert label("btn.anonymous") in chat.labels
    await chat.press(label("btn.anonymous"))
    assert "Người gửi: ẩn danh" in chat.text
