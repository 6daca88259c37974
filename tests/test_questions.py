"""Free text in the conversation: answers, suggestions, report offers, emergencies."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from bot.config import Settings
from tests.conftest import Chat
from tests.support.labels import label


def rows(settings: Settings, sql: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(settings.storage.sqlite_path)
    conn.row_factory = sqlite3.Row
    with conn:
        return conn.execute(sql).fetchall()


async def test_a_procedure_question_without_diacritics_is_answered(chat: Chat) -> None:
    await chat.agree()
    await chat.send("be nha minh moi sinh xong thi phai lam giay to gi truoc")
    assert "Đăng ký khai sinh" in chat.text
    assert "60 ngày" in chat.text
    assert "Căn cứ: Luật Hộ tịch 2014" in chat.text
    assert chat.app.settings.communes[0].name in chat.text
    assert label("btn.ask_other") in chat.labels
    assert "Thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi" in chat.labels  # a follow-up
    await chat.press("Thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi")
    assert "bảo hiểm y tế" in chat.text.lower()


async def test_a_certified_copy_of_the_so_ho_khau_is_told_it_is_no_longer_valid(
    chat: Chat,
) -> None:
    # issue 16 #21: Luật Cư trú 2020 Điều 38 — the sổ hộ khẩu is valid only until 31/12/2022
    await chat.agree()
    await chat.send("chung thuc ban sao so ho khau")
    assert "Sổ hộ khẩu, sổ tạm trú không còn giá trị từ ngày 01/01/2023" in chat.text
    assert "Căn cứ: Luật Cư trú 68/2020/QH14 (Điều 38 khoản 3)" in chat.text
    await chat.send("chung thuc ban sao hoc ba")  # other copies keep their own answer
    assert "Chứng thực bản sao từ bản chính" in chat.text
    assert "sổ hộ khẩu" not in chat.text.lower()


async def test_without_consent_questions_are_still_answered(chat: Chat, settings: Settings) -> None:
    await chat.send("/start")
    await chat.press(label("btn.consent_no"))
    await chat.press(label("btn.menu_ask"))
    assert chat.says("questions_ask")
    await chat.send("dang ky tam tru o dau")
    assert "tạm trú" in chat.text.lower()
    assert "Công an" in chat.text


async def test_a_typed_report_becomes_a_prefilled_record_at_the_right_office(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    await chat.send("den duong ngo 7 thon 3 hong 2 tuan nay roi")
    assert "đèn chiếu sáng" in chat.text
    assert "Phòng Kinh tế" in chat.text
    await chat.press(label("btn.yes_report"))
    # the description is already filled in, and names its thôn
    assert chat.says("filing_hamlet", hamlets=True, named="Thôn 3")
    await chat.press("Thôn 3")
    await chat.press(label("btn.skip"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    assert "den duong ngo 7 thon 3 hong 2 tuan nay roi" in chat.text
    await chat.press(label("btn.submit"))
    (record,) = rows(settings, "SELECT kind, topic, office_code FROM records")
    assert tuple(record) == ("phan_anh", "chieu_sang", "KT")


async def test_a_typed_to_cao_is_offered_as_a_to_cao(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.send("toi muon to cao can bo xa doi tien")
    assert "anh/chị muốn gửi tố cáo" in chat.text
    await chat.press(label("btn.yes_report"))
    assert "thông tin người tố cáo được pháp luật giữ bí mật" in chat.text  # said once
    assert "không nhận đơn tố cáo qua mạng" in chat.text
    await chat.press(label("btn.continue"))
    assert chat.says("filing_description", kind="to_cao", limit=2000)  # in their words
    await chat.send("Ngày 20/11 cán bộ địa chính thôn 1 đòi 2 triệu mới ký giấy")
    assert chat.says("filing_hamlet", hamlets=True, named="Thôn 1")
    await chat.press("Thôn 1")
    await chat.press(label("btn.skip"))
    await chat.send("Hoàng Văn Cường")
    await chat.send("0904000111")
    await chat.press(label("btn.submit"))
    (record,) = rows(settings, "SELECT kind, office_code FROM records")
    assert tuple(record) == ("to_cao", "VP")


async def test_a_report_without_consent_keeps_nothing(chat: Chat, settings: Settings) -> None:
    await chat.send("/start")
    await chat.press(label("btn.consent_no"))
    await chat.send("cong thoat nuoc truoc nha toi bi tac")
    assert chat.says("report_needs_consent")
    assert chat.labels == [label("btn.consent_yes"), label("btn.consent_no")]
    (conversation,) = rows(settings, "SELECT data FROM conversations")
    assert "cong thoat nuoc" in conversation["data"]  # only while the notice waits
    await chat.press(label("btn.consent_no"))
    (conversation,) = rows(settings, "SELECT data FROM conversations")
    assert "cong thoat nuoc" not in conversation["data"]
    assert rows(settings, "SELECT * FROM question_log") == []


async def test_emergency_numbers_come_first_anywhere(chat: Chat) -> None:
    await chat.agree()
    await chat.send("co nguoi bi tai nan xe may o nga ba, cap cuu gap")
    assert chat.replies[0].text.startswith("🚨")
    assert "115" in chat.text
    assert "113" in chat.text
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Nhà bên cạnh đang cháy to quá")
    assert "114" in chat.text  # shown at once …
    assert chat.says("filing_hamlet", hamlets=True)  # … and a description is still taken
    await chat.send("cháy nhà hàng xóm rồi")
    assert "114" in chat.text
    assert chat.says("filing_hamlet", hamlets=True)  # … but it is no hamlet: asked again


async def test_unknown_question_can_be_sent_as_a_kien_nghi_and_is_logged_redacted(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    # (a question no entry answers; «sao xe rác tuần này không qua thôn» would be a
    # phản ánh about the rubbish round, and is offered as one)
    await chat.send("Tôi là Nguyễn Văn An 0912345678 hỏi xã mình có câu lạc bộ cờ tướng không")
    assert chat.says("faq_unknown", consented=True)
    await chat.press(label("btn.forward_question"))
    assert chat.says("filing_hamlet", hamlets=True)
    await chat.press("Thôn 2")
    await chat.press(label("btn.skip"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    (record,) = rows(settings, "SELECT kind, description FROM records")
    assert record["kind"] == "kien_nghi"
    assert "cờ tướng" in record["description"]
    logged = rows(settings, "SELECT question, intent, answered FROM question_log")
    assert len(logged) == 1
    text = json.dumps([tuple(r) for r in logged], ensure_ascii=False)
    assert "nguyen" not in text
    assert "0912345678" not in text
    assert "cau lac bo co tuong" in text


async def test_greeting_shows_the_menu(chat: Chat) -> None:
    await chat.agree()
    await chat.send("chao ban")
    assert "Xin chào anh/chị" in chat.text
    assert label("btn.menu_ask") in chat.labels


async def test_unsure_answers_offer_suggestions_then_a_kien_nghi(chat: Chat) -> None:
    await chat.agree()
    await chat.send("bảo hiểm cho con thì sao ạ?")
    assert chat.says("faq_suggestions")
    assert "Thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi" in chat.labels
    suggestions = chat.replies
    await chat.press(label("btn.none_of_these"))
    assert label("btn.forward_question") in chat.labels
    chat.replies = suggestions
    await chat.press("Thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi")  # still works afterwards
    assert "dưới 6 tuổi" in chat.text


async def test_thanks_are_answered_with_thanks(chat: Chat) -> None:
    await chat.agree()
    await chat.send("cam on nhe")
    assert chat.says("thanks")
    assert "Xin chào" not in chat.text


async def file_with_identity(chat: Chat, kind: str, description: str) -> None:
    """File a record of `kind` (a label key) with the citizen's name and phone."""
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label(kind))
    await chat.press(label("btn.continue"))
    await chat.send(description)
    await chat.press("Thôn 1")
    await chat.press(label("btn.skip"))
    await chat.send("Hoàng Văn Cường")
    await chat.send("0904000111")
    await chat.press(label("btn.submit"))


async def test_what_a_denouncer_types_never_reaches_the_question_log(
    chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    said = "Tôi là Nguyễn Văn An 0912345678 hỏi xã mình có câu lạc bộ cờ tướng không"
    denouncer = chat_factory("denouncer")
    await file_with_identity(denouncer, "kind.to_cao", "Cán bộ thu tiền sai quy định ở nhà văn hóa")
    await denouncer.send(said)
    assert rows(settings, "SELECT * FROM question_log") == []
    # The control: the same sentence from someone whose open record is no tố cáo is logged,
    # so the empty log above is the denouncer's protection, not logging broken for everyone.
    complainant = chat_factory("complainant")
    await file_with_identity(complainant, "kind.khieu_nai", "Xã thu tiền sai quy định")
    await complainant.send(said)
    logged = rows(settings, "SELECT question, intent, answered FROM question_log")
    assert [tuple(r) for r in logged] == [
        ("toi la … hoi xa minh co cau lac bo co tuong khong", "unknown", 0)
    ]


async def test_a_bribe_described_is_offered_as_a_to_cao(chat: Chat) -> None:
    await chat.agree()
    await chat.send("cán bộ địa chính gây khó dễ đòi 5 triệu mới làm sổ")
    assert "anh/chị muốn gửi tố cáo" in chat.text
    await chat.press(label("btn.yes_report"))
    assert "thông tin người tố cáo được pháp luật giữ bí mật" in chat.text


async def test_a_question_at_the_notice_is_answered_then_the_choice_asked_again(
    chat: Chat,
) -> None:
    await chat.send("/start")
    await chat.send("lam giay khai sinh can gi")
    assert "Đăng ký khai sinh" in chat.text
    assert chat.labels[-2:] == [label("btn.consent_yes"), label("btn.consent_no")]


async def test_a_report_as_the_first_message_is_offered_back_after_consent(
    chat: Chat, settings: Settings
) -> None:
    # issue 16 #5: what a newcomer wrote is held in the conversation until they choose.
    text = "den duong ngo 7 thon 3 hong 2 tuan nay roi"
    await chat.send(text)
    chat.says_exactly("report_resend_after_consent", "consent_notice")
    assert chat.labels == [label("btn.consent_yes"), label("btn.consent_no")]
    (citizen,) = rows(settings, "SELECT name, consent_at FROM citizens")
    assert citizen["consent_at"] is None
    await chat.press(label("btn.consent_yes"))
    offer = {"kind": "phan_anh", "topic": "Đèn đường", "office_name": "Phòng Kinh tế"}
    chat.says_exactly("consent_given", ("report_offer", {**offer, "quote": text}))
    assert "Anh/chị vừa báo: «den duong ngo 7 thon 3 hong 2 tuan nay roi»" in chat.text
    await chat.press(label("btn.yes_report"))
    assert chat.says("filing_hamlet", hamlets=True, named="Thôn 3"), chat.text


async def test_a_report_before_consent_is_dropped_on_declining(
    chat: Chat, settings: Settings
) -> None:
    await chat.send("den duong ngo 7 thon 3 hong 2 tuan nay roi")
    (conversation,) = rows(settings, "SELECT data FROM conversations")
    assert "den duong" in conversation["data"]  # held only while the notice waits
    await chat.press(label("btn.consent_no"))
    chat.says_exactly("consent_declined", ("menu", {"greeting": False, "consented": False}))
    (conversation,) = rows(settings, "SELECT data FROM conversations")
    assert "den duong" not in conversation["data"]
