"""Officials see the photos and the location a citizen sent, and may send a photo of the
result with the answer (issue 16, review finding 1)."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from domain.messages import Attachment, plain_text
from tests.conftest import Chat, make_official, receive
from tests.support.labels import label
from tests.support.records import CODE, texts

MAP = "https://www.google.com/maps?q=20.86,106.68"


async def file_with_media(chat: Chat) -> str:
    """A phản ánh with two photos and a location pin, sent anonymously."""
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đèn đường trục thôn 3 hỏng, cột đèn nghiêng")
    await chat.press("Thôn 3")
    await chat.photo("o-ga-1")
    await chat.photo("o-ga-2")
    await chat.location(20.86, 106.68)
    await chat.press(label("btn.continue"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    match = CODE.search(chat.text)
    assert match, chat.text
    return match.group(0)


async def test_the_new_record_card_comes_with_the_album_and_the_pin(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_with_media(citizen)
    cards = await receive(app, "lan")
    assert len(cards) == 1
    card = cards[0]
    assert card.record_code == code
    assert card.extra == {"photos": "o-ga-1\no-ga-2", "location": "20.86,106.68"}
    text = plain_text(card.text)
    assert "2 ảnh" in text
    assert f"Vị trí: {MAP}" in text
    assert f"/anh {code}" in text


async def test_anh_shows_the_photos_and_the_location_again(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    kt = await make_official(app, "kt", "KT", "member")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_with_media(citizen)
    await lan.send(f"/anh {code}")
    lan.says_exactly(
        (
            "staff_media",
            {"code": code, "photos": 2, "results": 0, "shown": True, "location": (20.86, 106.68)},
        )
    )
    assert lan.replies[0].extra == {"photos": "o-ga-1\no-ga-2", "location": "20.86,106.68"}
    await kt.send(f"/anh {code}")  # another office's record: not found, nothing leaks
    assert kt.says("lookup_not_found", code=code)
    assert kt.replies[0].extra == {}
    assert label("btn.r_take") not in kt.labels


async def test_anh_of_a_record_without_media(app: App, chat_factory: Callable[..., Chat]) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    await citizen.draft_anonymous_report("Đèn đường ngõ 5 thôn 1 không sáng", "Thôn 1")
    await citizen.press(label("btn.submit"))
    match = CODE.search(citizen.text)
    assert match
    await lan.send(f"/anh {match.group(0)}")
    assert "không có ảnh hay vị trí đính kèm" in plain_text(lan.text)
    assert lan.replies[0].extra == {}


async def test_a_photo_of_the_result_reaches_the_citizen(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_with_media(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_take"))
    await receive(app, "dan")
    await lan.press(label("btn.r_done"))
    await lan.photo("da-va-1")
    assert lan.says("staff_result_photo", code=code, photos=1)
    await lan.photo("da-va-2")
    assert lan.says("staff_result_photo", code=code, photos=2)
    await lan.send("Đã thay bóng và dựng lại cột đèn.")
    assert "đã hoàn thành" in lan.text
    told = await receive(app, "dan")
    assert "Kết quả: «Đã thay bóng và dựng lại cột đèn.»" in texts(told)
    assert told[0].extra == {"photos": "da-va-1\nda-va-2"}
    # kept with the record as the result (not only forwarded), and shown again by /anh MÃ
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        kept = await uow.attachments.list_for(record.id)
    assert [(a.ref, a.role) for a in kept] == [
        ("o-ga-1", "citizen"),
        ("o-ga-2", "citizen"),
        ("da-va-1", "result"),
        ("da-va-2", "result"),
    ]
    await lan.send(f"/anh {code}")
    assert lan.says(
        "staff_media", code=code, photos=4, results=2, shown=True, location=(20.86, 106.68)
    )
    assert "4 ảnh, trong đó 2 ảnh kết quả do cán bộ gửi" in plain_text(lan.text)
    assert lan.replies[0].extra["photos"] == "o-ga-1\no-ga-2\nda-va-1\nda-va-2"


async def test_a_photo_with_a_caption_is_the_answer_with_its_photo(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    await file_with_media(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_take"))
    await receive(app, "dan")
    await lan.press(label("btn.r_reply"))
    await lan.deliver(
        lan.inbound(text="Đã báo đội duy tu", attachments=(Attachment("photo", "bien-ban"),))
    )
    told = await receive(app, "dan")
    assert "«Đã báo đội duy tu»" in texts(told)
    assert told[0].extra == {"photos": "bien-ban"}
