"""Replies out through the OA over HTTP: text cut by characters, buttons within Zalo's
five, the digest's files uploaded, a quote within 48 h, and Zalo's error codes sorted."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

from bot.channels.zalo_oa.inbound import BUTTON_PREFIX
from bot.channels.zalo_oa.sender import MAX_CHARS, split_text
from domain.messages import Button, Priority, Reply
from tests.zalo_oa.conftest import Oa
from tests.zalo_oa.standin import emit, event

SENTENCE = "Đường liên thôn bị sụt lún nghiêm trọng sau mưa lũ, người dân đi lại khó khăn. "


def test_a_long_vietnamese_text_is_cut_by_characters_between_words() -> None:
    decomposed = unicodedata.normalize("NFD", SENTENCE * 80)
    parts = split_text(decomposed)
    assert len(parts) > 1
    assert all(len(p) <= MAX_CHARS for p in parts)
    assert all(unicodedata.is_normalized("NFC", p) for p in parts)
    words = unicodedata.normalize("NFC", SENTENCE * 80).split()
    assert [w for p in parts for w in p.split()] == words  # no word was cut


def test_a_text_without_spaces_is_cut_at_the_limit() -> None:
    parts = split_text("ư" * 4500)
    assert [len(p) for p in parts] == [2000, 2000, 500]


async def queue(oa: Oa, reply: Reply) -> int:
    async with oa.app.storage.transaction() as uow:
        return await uow.outbox.enqueue(reply, oa.clock())


async def outbox_row(oa: Oa, outbox_id: int) -> tuple[str, str | None]:
    async with oa.app.storage.transaction() as uow:
        row = await uow._one("SELECT status, last_error FROM outbox WHERE id = ?", (outbox_id,))
    assert row is not None
    return row[0], row[1]


async def wrote(oa: Oa, user: str = "u1") -> None:
    """The citizen writes to the OA (so the windows open)."""
    assert (
        await emit(oa.url, event(oa.standin, "user_send_text", user, text="Chào"))
    ).status_code == 200
    await oa.worker.drain()
    oa.standin.sent.clear()
    async with oa.app.storage.transaction() as uow:
        await uow._exec("UPDATE outbox SET status = 'sent' WHERE status = 'pending'")


async def test_a_long_reply_goes_in_parts_and_quotes_the_last_message(oa: Oa) -> None:
    await wrote(oa)
    outbox_id = await queue(oa, Reply("zalo_oa", "u1", "<b>Kính gửi</b> " + SENTENCE * 60))
    await oa.outbox.drain()
    assert await outbox_row(oa, outbox_id) == ("sent", None)
    sent = [s["message"] for s in oa.standin.sent]
    assert len(sent) == 3
    assert sent[0]["text"].startswith("Kính gửi Đường")  # the HTML became plain text
    assert all(m.get("quote_message_id") for m in sent)


async def test_buttons_past_the_fifth_become_numbered_choices(oa: Oa) -> None:
    await wrote(oa)
    buttons = tuple(Button(f"Lựa chọn {i}", f"x:{i}") for i in range(1, 8))
    await queue(oa, Reply("zalo_oa", "u1", "Chọn một:", rows=(buttons[:3], buttons[3:])))
    await oa.outbox.drain()
    (message,) = [s["message"] for s in oa.standin.sent]
    payload = message["attachment"]["payload"]
    assert [b["payload"] for b in payload["buttons"]] == [
        BUTTON_PREFIX + f"x:{i}" for i in range(1, 6)
    ]
    assert "6. Lựa chọn 6" in payload["text"]
    assert "7. Lựa chọn 7" in payload["text"]
    async with oa.app.storage.transaction() as uow:
        assert await uow.zalo_contacts.choices("u1") == {"6": "x:6", "7": "x:7"}


async def test_the_digest_files_are_uploaded_then_sent(oa: Oa, tmp_path: Path) -> None:
    await wrote(oa)
    chart, report = tmp_path / "chart.png", tmp_path / "report.docx"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n fake")  # the stand-in takes only PNG or JPEG
    report.write_bytes(b"PK fake docx")
    reply = Reply(
        "zalo_oa", "u1", "Báo cáo tuần", extra={"photo": str(chart), "document": str(report)}
    )
    await queue(oa, reply)
    await oa.outbox.drain()
    kinds = [s["message"].get("attachment", {}).get("type", "text") for s in oa.standin.sent]
    assert kinds == ["text", "template", "file"]
    assert sorted(oa.standin.uploads.values()) == [b"PK fake docx", b"\x89PNG\r\n\x1a\n fake"]


async def test_after_48_hours_no_quote_and_after_7_days_the_window_is_closed(oa: Oa) -> None:
    await wrote(oa)
    oa.clock.advance(hours=49)
    first = await queue(oa, Reply("zalo_oa", "u1", "Hồ sơ đã được tiếp nhận."))
    await oa.outbox.drain()
    assert await outbox_row(oa, first) == ("sent", None)
    assert "quote_message_id" not in oa.standin.sent[-1]["message"]
    oa.clock.advance(days=6)
    late = await queue(
        oa,
        Reply(
            "zalo_oa",
            "u1",
            "Hồ sơ đã có trả lời.",
            priority=Priority.NOTIFICATION,
            record_code="CG-ABC",
        ),
    )
    sent_before = len(oa.standin.sent)
    await oa.outbox.drain()
    status, error = await outbox_row(oa, late)
    assert status == "failed"
    assert error is not None
    assert "-232" in error
    assert len(oa.standin.sent) == sent_before
    async with oa.app.storage.transaction() as uow:
        (unreachable,) = await uow.zalo_contacts.unreachable_for("CG-ABC")
    assert (unreachable.user_id, unreachable.error_code) == ("u1", -232)


async def test_a_citizen_who_never_wrote_cannot_be_reached(oa: Oa) -> None:
    outbox_id = await queue(oa, Reply("zalo_oa", "stranger", "Xin chào"))
    await oa.outbox.drain()
    status, error = await outbox_row(oa, outbox_id)
    assert status == "failed"
    assert error is not None
    assert "-230" in error


async def test_rate_limit_and_unknown_errors_are_retried(oa: Oa) -> None:
    await wrote(oa)
    oa.standin.faults.extend([-32, -100])
    outbox_id = await queue(oa, Reply("zalo_oa", "u1", "Xin chào"))
    await oa.outbox.drain()
    assert await outbox_row(oa, outbox_id) == ("sent", "zalo error -100: injected")
    assert len(oa.standin.sent) == 1


async def test_a_refused_access_token_is_refreshed_once(oa: Oa) -> None:
    await wrote(oa)
    oa.standin.access_tokens.clear()  # Zalo revoked the token early
    outbox_id = await queue(oa, Reply("zalo_oa", "u1", "Xin chào"))
    await oa.outbox.drain()
    assert (await outbox_row(oa, outbox_id))[0] == "sent"
    assert sum(oa.standin.refresh_uses.values()) == 1
    assert oa.standin.reused == []


async def test_a_token_near_expiry_is_refreshed_before_it_is_used(oa: Oa) -> None:
    await wrote(oa)
    oa.clock.advance(hours=24, minutes=40)  # the 25 h token has 20 minutes left
    await queue(oa, Reply("zalo_oa", "u1", "Xin chào"))
    await oa.outbox.drain()
    pair = await oa.tokens.current()
    assert pair is not None
    assert pair.version == 2
    assert sum(oa.standin.refresh_uses.values()) == 1
    assert len(oa.standin.sent) == 1
    assert oa.clock() + timedelta(hours=24) < pair.expires_at


async def test_nothing_is_sent_to_a_citizen_who_unfollowed(oa: Oa) -> None:
    await wrote(oa)
    assert (await emit(oa.url, event(oa.standin, "unfollow", "u1"))).status_code == 200
    await oa.worker.drain()
    outbox_id = await queue(oa, Reply("zalo_oa", "u1", "Hồ sơ đã có trả lời.", record_code="CG-X"))
    await oa.outbox.drain()
    status, error = await outbox_row(oa, outbox_id)
    assert status == "failed"
    assert error == "zalo window closed: error -213"
    assert oa.standin.sent == []
    async with oa.app.storage.transaction() as uow:
        assert [u.error_code for u in await uow.zalo_contacts.unreachable_for("CG-X")] == [-213]
