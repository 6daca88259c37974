"""Issue 10: the name (and phone) a citizen offers through the OA's «request user info» form
is taken at the filing's identity step as a typed one would be: validated, only after consent,
and the event's body is not kept once its turn has committed."""

from __future__ import annotations

import sqlite3

from tests.support.labels import label
from tests.support.records import CODE
from tests.zalo_oa.citizen import ZaloCitizen
from tests.zalo_oa.conftest import Oa


async def to_contact_step(citizen: ZaloCitizen) -> None:
    await citizen.describe_a_report()
    await citizen.press("Thôn 3")
    await citizen.press(label("btn.skip"))


def rows(oa: Oa, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(oa.app.settings.storage.sqlite_path) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


async def test_the_form_at_the_contact_step_fills_name_and_phone(oa: Oa) -> None:
    citizen = ZaloCitizen(oa)
    await to_contact_step(citizen)
    assert label("btn.leave_contact") in citizen.buttons
    await citizen.submit_info("Nguyễn Văn An", "0912 345 678")
    await citizen.press(label("btn.publish_no"))
    assert "Nguyễn Văn An" in citizen.text  # the summary, ready to send
    assert "0912345678" in citizen.text
    await citizen.press(label("btn.submit"))
    assert CODE.search(citizen.text), citizen.text
    assert rows(oa, "SELECT contact_name, contact_phone FROM records") == [
        ("Nguyễn Văn An", "0912345678")
    ]
    assert rows(oa, "SELECT name, phone FROM citizens") == [("Nguyễn Văn An", "0912345678")]


async def test_the_form_at_the_name_step_with_a_bad_phone_asks_for_the_phone(oa: Oa) -> None:
    citizen = ZaloCitizen(oa)
    await to_contact_step(citizen)
    await citizen.press(label("btn.leave_contact"))
    await citizen.submit_info("Trần Thị Bích", "12345")
    assert oa.app.renderer.render("filing_phone") in citizen.text
    await citizen.send("0987654321")
    await citizen.press(label("btn.publish_no"))
    assert "Trần Thị Bích" in citizen.text


async def test_a_name_from_the_form_is_validated_like_a_typed_one(oa: Oa) -> None:
    citizen = ZaloCitizen(oa)
    await to_contact_step(citizen)
    await citizen.press(label("btn.leave_contact"))
    await citizen.submit_info("<b>An</b>", "0912345678")
    assert "Dạ, tên chưa đúng." in citizen.text
    assert rows(oa, "SELECT name, phone FROM citizens") == [(None, None)]
    await citizen.submit_info("Nguyễn Văn An", "0912345678")
    await citizen.press(label("btn.publish_no"))
    assert "Nguyễn Văn An" in citizen.text


async def test_the_form_before_consent_stores_nothing(oa: Oa) -> None:
    citizen = ZaloCitizen(oa)
    await citizen.follow()
    await citizen.submit_info("Nguyễn Văn An", "0912345678")
    assert label("btn.consent_yes") in citizen.buttons
    assert rows(oa, "SELECT name, phone, consent_at FROM citizens") in ([], [(None, None, None)])
    bodies = rows(oa, "SELECT body FROM zalo_oa_inbox WHERE processed_at IS NOT NULL")
    assert bodies
    assert all(body == ("",) for body in bodies)
    assert not any("0912345678" in str(r) for r in rows(oa, "SELECT * FROM conversations"))
