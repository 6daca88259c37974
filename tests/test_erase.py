"""Erasing one's data (handlers/flows/erase.py): records are de-identified, not deleted."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat, make_official, receive
from tests.support.labels import label
from tests.support.officials import file_to_cao, leaks
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


async def test_erasure_with_an_open_to_cao_explains_offers_to_wait_and_tells_the_office(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    # issue 16 #3
    await make_official(app, "chu", "VP", "leader", "ông Chủ tịch")
    citizen = chat_factory("binh")
    await citizen.agree()
    code = await file_to_cao(citizen)
    await receive(app, "chu")
    await citizen.send("/xoadulieu")
    open_records = [{"code": code, "kind": "to_cao"}]
    citizen.says_exactly(
        ("erase_confirm", {"records": 1, "open_identity": 1, "open_records": open_records})
    )
    assert "không thể tiếp tục giải quyết ẩn danh" in citizen.text
    assert citizen.labels == [
        label("btn.erase_yes"),
        label("btn.erase_wait"),
        label("btn.erase_no"),
    ]
    await citizen.press(label("btn.erase_wait"))
    citizen.says_exactly(
        ("erase_wait", {"codes": [code]}), ("menu", {"greeting": False, "consented": True})
    )
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM citizens WHERE name IS NOT NULL").fetchone()[0]
    assert await receive(app, "chu") == []  # waiting tells nobody
    await citizen.send("/xoadulieu")
    await citizen.press(label("btn.erase_yes"))
    citizen.says_exactly("erase_done")
    (notice,) = await receive(app, "chu")
    assert notice.text.startswith(f"⚠️ {code} — người gửi đã rút lại đồng ý")
    assert not leaks(notice)  # nothing erased is written again
