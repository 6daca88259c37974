"""The leaders' overview and the queue's export: the figures per office, the digest's
archive for leaders only, CSV and XLSX of the filtered queue, pseudonymised unless the
official asks for identities (then audited, and a tố cáo's denouncer still hidden)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import load_workbook

from bot.app import App
from tests.conftest import Chat, Clock, make_official, receive
from tests.support.officials import file_to_cao
from tests.web.support import (
    browser_client,
    csrf_in,
    file_located,
    link_for,
    log_in,
    official_id,
)


async def test_the_overview_counts_per_office(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    leader = await make_official(app, "ct", "VP", "leader", "ông Chủ tịch")
    dan = chat_factory("dan")
    await dan.agree()
    first = await file_located(dan)
    lien = chat_factory("lien")
    await lien.agree()
    second = await file_located(lien, "Ổ gà lớn trên đường liên thôn gần cầu", (21.1, 105.9))
    await receive(app, "dan")
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, lan))).status_code == 303
        csrf = csrf_in((await browser.get(f"/console/records/{first}")).text)
        for action, version, note in (("take", 0, ""), ("reply", 1, "Đã thay bóng đèn")):
            data = {"code": first, "csrf": csrf, "action": action, "version": str(version)}
            await browser.post("/console/act", data={**data, "note": note})
        assert (await browser.get("/console/dashboard")).status_code == 403  # a member
    dan.replies = await receive(app, "dan")  # the answer, with its rating buttons
    await dan.press("Rất hài lòng")
    archive = app.settings.digest.archive_dir / "CG" / "2026-W47"
    archive.mkdir(parents=True)
    (archive / "bao-cao.html").write_text("<p>Báo cáo tuần</p>", "utf-8")
    (archive / "secret.sqlite3").write_text("x", "utf-8")
    clock.advance(days=20)
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, leader))).status_code == 303
        page = await browser.get("/console/dashboard")
        assert page.status_code == 200
        html = page.text
        kt = html.split("Phòng Kinh tế</a></td>", 1)[1].split("</tr>", 1)[0]
        cells = [c.split("</td>")[0] for c in kt.split("<td>")[1:]]
        assert cells[0] == "1"  # open: the second record
        assert "1</a>" in cells[1]  # overdue after 20 days
        assert cells[3].startswith("100.0%")  # answered on time, in 4 weeks
        assert cells[4].startswith("100.0%")  # rated «Rất hài lòng»
        assert second in html  # the oldest overdue
        assert "bao-cao.html" in html
        assert "secret.sqlite3" not in html
        got = await browser.get("/console/dashboard/digest/2026-W47/bao-cao.html")
        assert got.status_code == 200
        assert "Báo cáo tuần" in got.text
        refused = await browser.get("/console/dashboard/digest/2026-W47/secret.sqlite3")
        assert refused.status_code == 404
        assert (
            await browser.get("/console/dashboard/digest/..%2F..%2Fx/t.sqlite3")
        ).status_code == 404


async def test_exports_are_pseudonymised_unless_identities_are_asked_for(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    leader = await make_official(app, "ct", "VP", "leader", "ông Chủ tịch")
    member = await make_official(app, "vp1", "VP", "member", "anh Tùng")
    dan = chat_factory("dan")
    await dan.agree()
    # a Văn phòng matter (an official's manner), so the Văn phòng's member sees it too
    light = await file_located(
        dan, '=HYPERLINK("http://x") cán bộ tiếp dân thái độ hách dịch, quát người dân'
    )
    binh = chat_factory("binh")
    await binh.agree()
    to_cao = await file_to_cao(binh)
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, leader))).status_code == 303
        plain = await browser.get("/console/export.csv", params={"status": "all"})
        assert plain.status_code == 200
        assert plain.headers["content-type"].startswith("text/csv")
        table = list(csv.reader(io.StringIO(plain.content.decode("utf-8-sig"))))
        assert table[0][0] == "Mã hồ sơ"
        by_code = {row[0]: row for row in table[1:]}
        assert set(by_code) == {light, to_cao}
        assert by_code[light][9].startswith("NG-")
        assert by_code[light][5].startswith("'=HYPERLINK")  # never run as a formula
        for secret in ("Nguyễn Văn An", "0912345678", "Trần Văn Bình", "0987654321"):
            assert secret not in plain.text
        xlsx = await browser.get(
            "/console/export.xlsx", params={"status": "all", "identities": "1", "kind": "phan_anh"}
        )
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[0][0] == "Mã hồ sơ"
        assert [row[0] for row in values[1:]] == [light]
        assert values[1][9:11] == ["Nguyễn Văn An", "0912345678"]
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, member))).status_code == 303
        asked = await browser.get("/console/export.csv", params={"identities": "1"})
        rows = {r[0]: r for r in csv.reader(io.StringIO(asked.content.decode("utf-8-sig")))}
        assert rows[to_cao][9] == "được giữ bí mật"  # the office never sees the denouncer
        assert rows[light][9] == "Nguyễn Văn An"  # a phản ánh's contact: the office's to see
        assert "Trần Văn Bình" not in asked.text
    leader_id = await official_id(app, leader)
    async with app.storage.transaction() as uow:
        leader_log = await uow.web_audit.list_for(leader_id)
    assert [(e.action, e.detail) for e in leader_log] == [
        ("login", None),
        ("export_identities", "xlsx, 1 records"),
    ]
