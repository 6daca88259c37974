"""Erasing one's data (handlers/flows/erase.py): records are de-identified, not deleted."""

from __future__ import annotations

from bot.config import Settings
from tests.conftest import Chat
from tests.support.labels import label
from tests.support.records import db, file_report


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
