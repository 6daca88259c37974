"""Filing a record as a citizen (handlers/flows/filing/): the four kinds, editing from the
summary, the draft kept across commands, photos, contact details and hostile text."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from domain import tracking_code
from domain.messages import Attachment
from tests.conftest import Chat, Clock
from tests.support.labels import label
from tests.support.officials import file_to_cao
from tests.support.records import db, file_report


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
    # issue 16 #21: the time limit, the checklist (Luật Khiếu nại Điều 8, 9) and the form
    assert "Thời hiệu khiếu nại là 90 ngày" in chat.text
    assert "yêu cầu giải quyết; chữ ký hoặc điểm chỉ" in chat.text
    assert "mẫu đơn khiếu nại ban hành kèm theo Nghị định 124/2020/NĐ-CP" in chat.text
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
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 5
        assert tuple(conn.execute("SELECT latitude, longitude FROM records").fetchone()) == (
            20.86,
            106.68,
        )


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
    await chat.press(label("btn.publish_no"))
    assert "0912345678" in chat.text  # the summary
    await chat.press(label("btn.edit"))
    await chat.press(label("btn.edit_contact"))
    await chat.press(label("btn.leave_contact"))
    await chat.send("Lê Văn Tám")
    await chat.send("không nhớ số")
    assert label("btn.anonymous") in chat.labels
    await chat.press(label("btn.anonymous"))  # the publish step was answered: the summary
    assert "Người gửi: ẩn danh" in chat.text


async def test_a_control_label_left_on_screen_is_never_stored_as_data(
    chat: Chat, settings: Settings
) -> None:
    # issue 16 #2: «Bỏ qua» from a keyboard of an earlier message, tapped or typed.
    await chat.agree()
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đèn đường ngõ 7 hỏng hai tuần nay")
    await chat.press("Thôn 3")
    await chat.photo("file-1")
    assert label("btn.skip") not in chat.labels  # the step now offers «Tiếp tục»
    assert chat.replies[-1].request_location  # and the channel's keyboard is replaced
    await chat.send("Bỏ qua")  # the old keyboard's key: «Tiếp tục», not a place
    chat.says_exactly(("filing_contact_choice", {"kind": "phan_anh"}))
    await chat.press(label("btn.leave_contact"))
    await chat.send("bo qua")  # at the name step: a control, never a name
    chat.says_exactly("choose_button", "filing_name")
    await chat.send("Tiếp tục")
    chat.says_exactly("choose_button", "filing_name")
    await chat.send("Nguyễn Văn An")
    await chat.send("0912 345 678")
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    with db(settings) as conn:
        record = conn.execute("SELECT place, contact_name FROM records").fetchone()
    assert record["place"] is None
    assert record["contact_name"] == "Nguyễn Văn An"


async def test_a_voice_message_and_a_video_are_attached_with_a_request_for_words(
    chat: Chat, settings: Settings
) -> None:
    # issue 16: voice messages (common among older users) and videos
    await chat.agree()
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.phan_anh"))
    await chat.deliver(chat.inbound(attachments=(Attachment("voice", "voice-1", duration=12),)))
    chat.says_exactly("filing_description_clip")
    await chat.send("Đèn đường ngõ 7 hỏng hai tuần nay")
    await chat.press("Thôn 3")
    await chat.deliver(chat.inbound(attachments=(Attachment("video", "video-1", duration=8),)))
    chat.says_exactly(
        ("filing_media_received", {"photos": 0, "clips": 2, "has_location": False, "place": None})
    )
    await chat.press(label("btn.continue"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    assert "Ghi âm, video: 2" in chat.text
    await chat.press(label("btn.submit"))
    with db(settings) as conn:
        kept = conn.execute("SELECT kind, ref FROM attachments ORDER BY id").fetchall()
    assert [tuple(row) for row in kept] == [("voice", "voice-1"), ("video", "video-1")]


async def test_what_the_signed_don_must_hold_and_what_anonymity_means(chat: Chat) -> None:
    # issue 16 #10 and #21
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Cống thoát nước trước chợ bị tắc")
    await chat.press("Thôn 1")
    await chat.press(label("btn.skip"))
    assert chat.says("filing_contact_choice", kind="phan_anh")
    assert "cán bộ chỉ liên hệ được với anh/chị qua kênh chat này" in chat.text
    assert "không hỏi lại được" not in chat.text
    await chat.send("/huy")
    code = await file_to_cao(chat)
    assert code in chat.text
    assert "Đơn tố cáo ghi rõ: ngày, tháng, năm; họ tên, địa chỉ" in chat.text
    assert "chữ ký hoặc điểm chỉ" in chat.text
    assert "thủ tục «Giải quyết tố cáo tại cấp xã» trên Cổng Dịch vụ công quốc gia" in chat.text
    assert "http" not in chat.text  # no invented link: DOMAIN.md verifies no form URL


async def test_a_hamlet_named_in_the_description_is_asked_about_by_name(
    chat: Chat, settings: Settings
) -> None:
    # issue 16 #13
    await chat.agree()
    await chat.send("den duong thon 3 hong")
    assert label("btn.yes_report") == "Đúng, tiếp tục"
    await chat.press(label("btn.yes_report"))
    hamlets = settings.communes[0].hamlets
    chat.says_exactly(("filing_hamlet", {"hamlets": hamlets, "named": "Thôn 3"}))
    assert "Việc này ở Thôn 3 phải không ạ?" in chat.text
    assert chat.labels[: len(hamlets)] == list(hamlets)  # the same buttons, the same numbers
    await chat.press("Thôn 3")
    assert chat.replies[-1].request_location  # on to photos and location
    await chat.press(label("btn.skip"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    assert "Nơi: Thôn 3" in chat.text
