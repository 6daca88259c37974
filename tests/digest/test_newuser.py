"""The digest as a new reader found it (issue 16, review findings 7–9): no junk among the
unanswered questions, a title naming the four kinds, rejections apart from on-time
resolution, headings kept with their tables, and a chart a clerk can read."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from docx import Document

from bot.app import App
from bot.digest.figures import is_reportable
from bot.digest.job import write_outputs
from bot.digest.render import DigestRenderer, chart_figure
from bot.digest.weeks import IsoWeek
from tests.support.digest import W47, digest_of
from tests.support.digest_seed import Seed, local


async def _seed_junk_and_a_rejection(app: App) -> None:
    async with app.storage.transaction() as uow:
        seed = Seed(uow)
        for _ in range(3):
            await seed.question(local(11, 17, 9), "1")
        for _ in range(2):
            await seed.question(local(11, 17, 10), "…")
        await seed.question(local(11, 17, 11), "ok")
        await seed.question(local(11, 17, 11), "# …")
        await seed.question(local(11, 17, 12), "👍")
        await seed.question(local(11, 18, 9), "xin giay phep xay nha o dau")
        # A tố cáo rejected (không thụ lý) on time, inside W47.
        await seed.record(
            "CG-2611-REJ1",
            "to_cao",
            "VP",
            local(11, 16, 9),
            local(11, 25, 23, 59, 59),
            resolved=local(11, 18, 9),
        )
        await uow._exec(
            "UPDATE records SET status = 'rejected' WHERE id = ?", (seed.ids["CG-2611-REJ1"],)
        )
        await seed.event(
            "CG-2611-REJ1", local(11, 18, 9), "official", "rejected", "received", "rejected"
        )


def test_a_question_needs_words() -> None:
    assert is_reportable("xin giay phep xay nha")
    assert is_reportable("khaisinh")  # one long word
    for junk in ("1", "5", "…", "# …", "ok", "👍", "… ok", ""):
        assert not is_reportable(junk), junk


async def test_unanswered_questions_hold_no_lone_numbers_nor_redacted_entries(
    app: App, renderer: DigestRenderer, tmp_path: Path
) -> None:
    await _seed_junk_and_a_rejection(app)
    digest = await digest_of(app, renderer)
    assert digest.current.unanswered == (("xin giay phep xay nha o dau", 1),)
    files = write_outputs(digest, app.settings.communes[0], renderer, tmp_path)
    assert "«1»" not in files.message
    assert "xin giay phep xay nha o dau" in files.message


async def test_rejections_are_apart_from_on_time_resolution(
    app: App, renderer: DigestRenderer
) -> None:
    await _seed_junk_and_a_rejection(app)
    digest = await digest_of(app, renderer)
    w = digest.current
    assert (w.resolved, w.on_time) == (0, 0)
    assert w.on_time_rate is None  # not "100% (1/1)"
    assert w.actions["rejected"] == 1
    rows = {
        b.cells[0]: b.cells[1]
        for block in renderer.report(digest, app.settings.communes[0])
        if block.kind == "table"
        for b in [*[type(block)("row", r) for r in block.rows]]
    }
    assert rows["Từ chối / không thụ lý"] == "1"
    assert rows["Tỷ lệ giải quyết đúng hạn (không gồm đơn bị từ chối)"] == "— (0/0)"


async def test_the_title_names_the_four_kinds(app: App, renderer: DigestRenderer) -> None:
    blocks = renderer.report(await digest_of(app, renderer), app.settings.communes[0])
    texts = {b.kind: b.cells[0] for b in blocks if b.kind in ("subtitle",)}
    assert texts["subtitle"].startswith(
        "Tình hình tiếp nhận, xử lý phản ánh, kiến nghị, khiếu nại, tố cáo của Nhân dân tuần 47"
    )
    closing = [b.cells[0] for b in blocks if b.kind == "para"][-1]
    assert "phản ánh, kiến nghị, khiếu nại, tố cáo" in closing
    assert "ngoài thẩm quyền" not in str(renderer.labels.values())


async def test_docx_keeps_headings_with_their_tables(
    seeded: App, renderer: DigestRenderer, tmp_path: Path
) -> None:
    files = write_outputs(
        await digest_of(seeded, renderer), seeded.settings.communes[0], renderer, tmp_path
    )
    document = Document(io.BytesIO(files.docx.read_bytes()))
    headings = [p for p in document.paragraphs if p.text.startswith("3. Theo lĩnh vực")]
    assert headings
    assert headings[0].paragraph_format.keep_with_next
    for table in document.tables[1:-1]:  # the header and the footer are layout tables
        for row in table.rows[:-1]:
            assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
        assert all(row._tr.trPr is not None for row in table.rows)
    pictures = [p for p in document.paragraphs if p._p.xpath(".//pic:pic")]
    space = pictures[0].paragraph_format.space_before
    assert space is not None
    assert space.pt >= 12


async def test_chart_of_an_empty_week_has_an_integer_axis_from_zero(
    app: App, renderer: DigestRenderer
) -> None:
    figure = chart_figure(await digest_of(app, renderer), renderer.labels)
    left, right = figure.axes
    low, high = left.get_xlim()
    assert low == 0
    assert high >= 1
    ticks = list(left.get_xticks())
    assert all(float(t).is_integer() and t >= 0 for t in ticks)
    assert "Không có hồ sơ" in [t.get_text() for t in left.texts]
    assert right.get_ylim()[0] == 0


async def test_chart_names_offices_leaves_out_future_days_and_titles_the_week(
    seeded: App, renderer: DigestRenderer
) -> None:
    digest = await digest_of(seeded, renderer)
    wednesday = W47.monday + timedelta(days=2)
    figure = chart_figure(digest, renderer.labels, today=wednesday)
    left, right = figure.axes
    names = {o.name for o in seeded.settings.communes[0].offices}
    shown = [t.get_text().replace("\n", " ") for t in left.get_yticklabels()]
    assert shown
    assert set(shown) <= names
    assert all(len(line.get_xdata()) == 3 for line in right.get_lines())  # Mon, Tue, Wed
    assert figure.get_suptitle() == "Xã Cát Giang (xã mẫu) — Tuần 47/2026 (16/11–22/11)"


def test_the_week_title_of_the_review() -> None:
    week = IsoWeek(2026, 49)
    assert (week.monday, week.sunday) == (date(2026, 11, 30), date(2026, 12, 6))
    labels = DigestRenderer().labels
    assert (
        labels["chart.week"].format(
            number=week.number, year=week.year, monday="30/11", sunday="06/12"
        )
        == "Tuần 49/2026 (30/11–06/12)"
    )
