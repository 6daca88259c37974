"""The weekly digest on real SQLite files: golden figures, week boundaries, the four outputs,
no personal data anywhere, and exactly-once scheduling with processes racing."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm, Pt
from hypothesis import given
from hypothesis import strategies as st

from bot.app import App
from bot.cli import main
from bot.config import Secret, Settings
from bot.digest.figures import Digest
from bot.digest.job import DigestFiles, DigestScheduler, make_digest, write_outputs
from bot.digest.render import TELEGRAM_LIMIT, DigestRenderer
from bot.digest.weeks import IsoWeek, due_week
from storage import SqliteStorage, Storage
from tests.conftest import BACKENDS, POSTGRES_DSN, postgres_schema
from tests.digest_seed import HCM, SECRETS, Seed, local, seed_weeks
from tests.support.cli import cli

W47 = IsoWeek(2026, 47)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 08:00 local, after the send time


@pytest.fixture
def renderer() -> DigestRenderer:
    return DigestRenderer()


@asynccontextmanager
async def shared_apps(backend: str, settings: Settings, count: int) -> AsyncIterator[list[App]]:
    """`count` applications ("processes") sharing one database of `backend`."""
    if backend == "postgres":
        stack = postgres_schema()
        schema = await stack.__aenter__()
        dsn = f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}"
        storage = replace(settings.storage, backend="postgres", postgres_dsn=Secret(dsn))
        settings = replace(settings, storage=storage)
    opened = [await App.open(settings) for _ in range(count)]
    try:
        yield opened
    finally:
        for app in opened:
            await app.close()
        if backend == "postgres":
            await stack.__aexit__(None, None, None)


@pytest.fixture(params=BACKENDS)
async def seeded(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[App]:
    """The hand-checkable history of tests/digest_seed.py, on each backend."""
    async with shared_apps(request.param, settings, 1) as (app,):
        await seed_weeks(app.storage)
        yield app


async def digest_of(app: App, renderer: DigestRenderer, week: IsoWeek = W47) -> Digest:
    commune = app.settings.communes[0]
    return await make_digest(app.storage, commune, week, app.settings, renderer, NOW)


def counts(items: object) -> dict[str, int]:
    return {c.key: c.n for c in items}  # type: ignore[attr-defined]


# --- weeks ---------------------------------------------------------------------------------


def test_week_bounds_are_local_midnights() -> None:
    since, until = W47.bounds(HCM)
    assert since == datetime(2026, 11, 15, 17, 0, tzinfo=UTC)  # Mon 16/11 00:00 +07
    assert until == datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # Mon 23/11 00:00 +07
    assert W47.label == "2026-W47"
    assert IsoWeek.parse("2026-w47") == W47
    assert W47.previous() == IsoWeek(2026, 46)


def test_iso_week_53_and_year_ends() -> None:
    w53 = IsoWeek.parse("2026-W53")
    assert (w53.monday, w53.sunday) == (date(2026, 12, 28), date(2027, 1, 3))
    assert IsoWeek.containing(date(2027, 1, 1)) == w53
    assert IsoWeek.containing(date(2027, 1, 4)) == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == w53
    # 2026-01-01 is a Thursday: it belongs to 2026-W01, which starts on 2025-12-29.
    assert IsoWeek(2026, 1).monday == date(2025, 12, 29)
    with pytest.raises(ValueError, match="has no such week"):
        IsoWeek.parse("2025-W53")
    with pytest.raises(ValueError, match="YYYY-Www"):
        IsoWeek.parse("tuần 47")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_is_in_exactly_one_week(day: date) -> None:
    week = IsoWeek.containing(day)
    assert week.monday <= day <= week.sunday
    assert IsoWeek.parse(week.label) == week
    since, until = week.bounds(HCM)
    assert until - since == timedelta(days=7)  # no daylight saving in Việt Nam
    following = IsoWeek.containing(week.sunday + timedelta(days=1))
    assert following.previous() == week
    assert following.bounds(HCM)[0] == until  # weeks tile time without gaps or overlaps


@pytest.mark.parametrize(
    ("now_local", "expected"),
    [
        (datetime(2026, 11, 23, 7, 30, tzinfo=HCM), "2026-W47"),  # Monday at the send time
        (
            datetime(2026, 11, 23, 7, 29, tzinfo=HCM),
            "2026-W46",
        ),  # a minute before: last week's is due
        (datetime(2026, 11, 28, 12, 0, tzinfo=HCM), "2026-W47"),  # later in the week: catch up W47
        (datetime(2027, 1, 4, 8, 0, tzinfo=HCM), "2026-W53"),
        (datetime(2027, 1, 11, 8, 0, tzinfo=HCM), "2027-W01"),
    ],
)
def test_due_week(now_local: datetime, expected: str) -> None:
    now = now_local.astimezone(UTC)
    assert due_week(now, time(7, 30), HCM).label == expected


async def test_year_end_records_fall_in_iso_week_53(app: App, renderer: DigestRenderer) -> None:
    due = datetime(2027, 1, 20, tzinfo=HCM)
    async with app.storage.transaction() as uow:
        seed = Seed(uow)
        for code, created in [
            ("CG-2612-A", datetime(2026, 12, 27, 23, 59, 59, tzinfo=HCM)),
            ("CG-2612-B", datetime(2026, 12, 28, tzinfo=HCM)),
            ("CG-2701-C", datetime(2027, 1, 1, tzinfo=HCM)),
            ("CG-2701-D", datetime(2027, 1, 3, 23, 59, 59, tzinfo=HCM)),
            ("CG-2701-E", datetime(2027, 1, 4, tzinfo=HCM)),
        ]:
            await seed.record(code, "phan_anh", "KT", created, due)
    w53 = await digest_of(app, renderer, IsoWeek(2026, 53))
    assert w53.current.received == 3  # B, C, D
    assert w53.previous.received == 1  # A, in 2026-W52
    assert [d.received for d in w53.current.daily] == [1, 0, 0, 0, 1, 0, 1]
    assert (await digest_of(app, renderer, IsoWeek(2027, 1))).current.received == 1


# --- figures -------------------------------------------------------------------------------


async def test_golden_figures(seeded: App, renderer: DigestRenderer) -> None:
    d = await digest_of(seeded, renderer)
    w = d.current
    # R1 (Mon 00:00), R2, R3, R4 (Sun 23:59:59); not R5 (next Mon 00:00) nor R6 (Sun before).
    assert w.received == 4
    assert counts(w.by_kind) == {"phan_anh": 1, "kien_nghi": 1, "khieu_nai": 1, "to_cao": 1}
    assert counts(w.by_office) == {"KT": 2, "VP": 2}
    # Tố cáo (R4) are left out of topics and hamlets.
    assert counts(w.by_topic) == {"chieu_sang": 1, "thoat_nuoc": 1, "": 1}
    assert counts(w.by_hamlet) == {"Thôn 1": 2, "Thôn 2": 1}
    assert w.to_cao_received == 1
    assert dict(w.actions) == {
        "accepted": 4,  # R1, R2, R3, R6
        "need_info": 0,
        "answered": 0,
        "transferred": 1,  # R3
        "rejected": 0,
        "closed": 3,  # R1, R6, R9 (R1's rating keeps it closed: not counted again)
        "extended": 0,
        "reopened": 1,  # R9
    }
    assert (w.resolved, w.on_time) == (3, 2)  # R9 was late
    assert w.on_time_rate == pytest.approx(2 / 3)
    # Open past the deadline at Mon 23/11 00:00: R7 (due 13/11) and the tố cáo R8.
    assert (w.overdue_total, w.overdue_to_cao) == (2, 1)
    assert [(o.code, o.office, o.days) for o in w.overdue] == [("CG-2611-R7", "KT", 10)]
    # First official event in the week: R2 2 h, R1 4 h, R6 6 h 1 s, R3 24 h (R9's was in
    # October). Nearest rank: median = 2nd of 4, p90 = 4th.
    assert w.first_response.count == 4
    assert w.first_response.median_hours == pytest.approx(4.0, abs=1e-3)
    assert w.first_response.p90_hours == pytest.approx(24.0, abs=1e-3)
    # Closed: R1 48 h, R6 108 h 1 s, R9 747 h.
    assert w.to_close.count == 3
    assert w.to_close.median_hours == pytest.approx(108.0, abs=1e-3)
    assert w.to_close.p90_hours == pytest.approx(747.0, abs=1e-3)
    assert dict(w.ratings) == {"very_satisfied": 0, "satisfied": 1, "unsatisfied": 1}
    assert w.satisfied_share == pytest.approx(0.5)
    assert w.unanswered == (
        ("lam the nao xin giay phep xay nha tam", 3),
        ("so dien thoai cua toi la # co dung khong", 1),
    )
    assert [(d.received, d.closed) for d in w.daily] == [
        (1, 0),
        (1, 0),
        (1, 1),
        (0, 0),
        (0, 2),
        (0, 0),
        (1, 0),
    ]
    offices = {o.code: o for o in w.offices}
    kt = offices["KT"]
    assert (kt.received, kt.closed, kt.resolved, kt.on_time, kt.overdue) == (2, 1, 1, 1, 1)
    assert (kt.rated, kt.satisfied) == (1, 1)
    assert (offices["VP"].received, offices["VP"].overdue) == (2, 1)
    assert (offices["TTPVHCC"].resolved, offices["TTPVHCC"].on_time) == (1, 0)


async def test_previous_week_and_changes(seeded: App, renderer: DigestRenderer) -> None:
    d = await digest_of(seeded, renderer)
    p = d.previous
    assert p.week == IsoWeek(2026, 46)
    assert p.received == 2  # R6 (Sun 23:59:59) and R10
    assert (p.actions["closed"], p.resolved, p.on_time) == (1, 1, 1)
    assert p.overdue_total == 3  # R7, R8, and R9 (resolved only in W47)
    assert p.first_response.median_hours == pytest.approx(1.0)
    changes = {c.key: c for c in d.changes}
    assert (changes["received"].arrow, changes["received"].delta) == ("▲", 2)
    assert changes["on_time"].arrow == "▼"
    assert changes["overdue"].arrow == "▼"
    assert changes["first_response"].arrow == "▲"
    assert changes["satisfied"].delta is None  # no ratings the week before


# --- outputs -------------------------------------------------------------------------------


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return " ".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )


def all_output_text(files: DigestFiles) -> str:
    return "\n".join(
        [
            files.message,
            files.message_path.read_text("utf-8"),
            files.html.read_text("utf-8"),
            docx_text(files.docx),
            files.chart.read_bytes().decode("latin-1"),
        ]
    )


async def test_outputs_hold_no_personal_data(
    seeded: App, renderer: DigestRenderer, tmp_path: Path
) -> None:
    commune = seeded.settings.communes[0]
    files = write_outputs(await digest_of(seeded, renderer), commune, renderer, tmp_path / "o")
    text = all_output_text(files)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "Đất đai" not in text  # the tố cáo's topic
    assert "CG-2611-R7" in text  # an overdue phản ánh is listed by code


async def test_message_fits_telegram_and_reads_well(seeded: App, renderer: DigestRenderer) -> None:
    message = renderer.message(await digest_of(seeded, renderer))
    assert len(message) <= TELEGRAM_LIMIT
    assert "<b>Tiếp nhận: 4</b> (▲ +2 so với tuần trước)" in message
    assert "Đúng hạn: <b>66,7%</b> (2/3 hồ sơ đã giải quyết)" in message
    assert "<b>Quá hạn cuối tuần: 2</b> (gồm 1 tố cáo, không liệt kê)" in message
    assert "<code>CG-2611-R7</code> — KT — 10 ngày" in message
    assert "Phản hồi đầu tiên: trung vị 4 giờ, 90% trong 24 giờ" in message
    assert "50% hài lòng trên 2 đánh giá" in message


async def test_long_lists_are_cut_to_fit_telegram(app: App, renderer: DigestRenderer) -> None:
    async with app.storage.transaction() as uow:
        seed = Seed(uow)
        for i in range(200):
            await seed.record(f"CG-2610-L{i:03d}", "phan_anh", "KT", local(10, 1), local(10, 11))
            await seed.record(
                f"CG-2611-N{i:03d}",
                "phan_anh",
                "KT",
                local(11, 17),
                local(11, 27),
                topic=f"chu_de_{i}",
                hamlet=f"Tổ dân phố số {i} khu dân cư mới",
            )
        for i in range(30):
            text = f"cau hoi rat dai so {i} " + "ve thu tuc hanh chinh " * 10
            await seed.question(local(11, 17), text)
    settings = replace(
        app.settings, digest=replace(app.settings.digest, overdue_list=100, top_questions=30)
    )
    commune = settings.communes[0]
    digest = await make_digest(app.storage, commune, W47, settings, renderer, NOW)
    assert len(digest.current.overdue) == 100
    message = renderer.message(digest)
    assert len(message) <= TELEGRAM_LIMIT
    assert "hồ sơ khác (xem báo cáo)" in message


async def test_empty_week(app: App, renderer: DigestRenderer, tmp_path: Path) -> None:
    digest = await digest_of(app, renderer)
    w = digest.current
    assert w.received == 0
    assert w.on_time_rate is None
    assert w.first_response.count == 0
    assert w.first_response.median_hours is None
    files = write_outputs(digest, app.settings.communes[0], renderer, tmp_path)
    assert all(path.stat().st_size > 0 for path in files.paths)
    assert "<b>Tiếp nhận: 0</b>" in files.message
    assert "Chưa có hồ sơ nào được xử lý." in files.message


async def test_docx_follows_decree_30(
    seeded: App, renderer: DigestRenderer, tmp_path: Path
) -> None:
    commune = seeded.settings.communes[0]
    files = write_outputs(await digest_of(seeded, renderer), commune, renderer, tmp_path)
    document = Document(str(files.docx))
    section = document.sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    # page numbers at the top centre, not on the first page
    assert section.different_first_page_header_footer
    assert 'w:instr="PAGE"' in section.header.paragraphs[0]._p.xml
    assert not section.first_page_header.paragraphs[0].text
    header, *tables = document.tables
    left, right = (cell.text for cell in header.rows[0].cells)
    assert "ỦY BAN NHÂN DÂN" in left
    assert "XÃ CÁT GIANG (XÃ MẪU)" in left
    assert "Số:" in left
    assert "/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert "Cát Giang, ngày 23 tháng 11 năm 2026" in right  # NOW in local time
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert (
        "Tình hình tiếp nhận, xử lý phản ánh, kiến nghị của Nhân dân tuần 47 năm 2026 "
        "(từ ngày 16/11/2026 đến ngày 22/11/2026)"
    ) in paragraphs
    assert "I. TÌNH HÌNH TIẾP NHẬN" in paragraphs
    by_kind = next(t for t in tables if t.rows[0].cells[0].text == "Loại")
    assert [c.text for c in by_kind.rows[-1].cells] == ["Tổng cộng", "4", "2"]
    footer = tables[-1]
    recipients, signer = (cell.text for cell in footer.rows[0].cells)
    assert recipients.startswith("Nơi nhận:")
    assert "- Lưu: VT, VP." in recipients
    assert "TM. ỦY BAN NHÂN DÂN" in signer
    assert "CHỦ TỊCH" in signer
    assert len(document.inline_shapes) == 1  # the chart
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    runs += [
        r
        for t in document.tables[:-1]
        for row in t.rows
        for cell in row.cells
        for p in cell.paragraphs
        for r in p.runs
        if r.text.strip()
    ]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r.font.size for r in runs} <= {Pt(13), Pt(14)}


async def test_chart_is_a_png(seeded: App, renderer: DigestRenderer, tmp_path: Path) -> None:
    commune = seeded.settings.communes[0]
    files = write_outputs(await digest_of(seeded, renderer), commune, renderer, tmp_path)
    data = files.chart.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000
    assert files.chart.name == "bieu-do-CG-2026-W47.png"
    assert 'src="data:image/png;base64,' in files.html.read_text("utf-8")


# --- scheduling ----------------------------------------------------------------------------


def with_vp_chat(settings: Settings, chat_id: str = "-100777") -> Settings:
    commune = settings.communes[0]
    offices = tuple(replace(o, chat_id=chat_id) if o.code == "VP" else o for o in commune.offices)
    return replace(settings, communes=(replace(commune, offices=offices),))


async def outbox_rows(storage: Storage) -> list[tuple[str, str, dict[str, object]]]:
    async with storage.transaction() as uow:
        messages = await uow.outbox.pending("telegram", NOW + timedelta(days=30), 100)
    return [(m.chat_id, str(m.payload["text"]), m.payload) for m in messages]


async def outbox_rows_at(path: Path) -> list[tuple[str, str, dict[str, object]]]:
    storage = await SqliteStorage.open(path)
    try:
        return await outbox_rows(storage)
    finally:
        await storage.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_two_schedulers_race_and_send_once(
    backend: str, settings: Settings, renderer: DigestRenderer
) -> None:
    settings = with_vp_chat(settings)
    async with shared_apps(backend, settings, 2) as (first, second):
        await seed_weeks(first.storage)
        schedulers = [
            DigestScheduler(settings, app.storage, renderer, holder=name, clock=lambda: NOW)
            for name, app in (("a", first), ("b", second))
        ]
        runs = await asyncio.gather(*(s.run_due() for s in schedulers))
        again = await asyncio.gather(*(s.run_due() for s in schedulers))
        rows = await outbox_rows(second.storage)
    assert sorted(len(r) for r in runs) == [0, 1]
    assert [*runs[0], *runs[1]] == ["digest:CG:2026-W47"]
    assert again == [[], []]
    assert len(rows) == 1
    chat_id, text, payload = rows[0]
    assert chat_id == "-100777"
    assert "TUẦN 47/2026" in text
    extra = payload["extra"]
    assert isinstance(extra, dict)
    assert extra["kind"] == "digest"
    assert Path(extra["photo"]).is_file()  # noqa: ASYNC240
    assert Path(extra["document"]).suffix == ".docx"
    assert Path(extra["document"]).parent == settings.digest.archive_dir / "CG" / "2026-W47"


async def test_scheduler_catches_up_and_takes_over_an_expired_lease(
    seeded: App, renderer: DigestRenderer
) -> None:
    settings = with_vp_chat(seeded.settings)
    clock = [datetime(2026, 11, 23, 0, 29, tzinfo=UTC)]  # Monday 07:29 local
    scheduler = DigestScheduler(
        settings, seeded.storage, renderer, holder="x", clock=lambda: clock[0]
    )
    # Before the send time W46 is the latest due week (never sent: caught up now).
    assert await scheduler.run_due() == ["digest:CG:2026-W46"]
    # A process took W47's lease and died before finishing.
    async with seeded.storage.transaction() as uow:
        crashed_at = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
        assert await uow.leases.acquire(
            "digest:CG:2026-W47", "dead", crashed_at, crashed_at + timedelta(minutes=10)
        )
    clock[0] = datetime(2026, 11, 23, 0, 35, tzinfo=UTC)
    assert await scheduler.run_due() == []  # the lease still runs
    clock[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday: the process is back
    assert await scheduler.run_due() == ["digest:CG:2026-W47"]
    assert await scheduler.run_due() == []
    async with seeded.storage.transaction() as uow:
        assert not await uow.leases.finish("digest:CG:2026-W47", "dead", clock[0])
        assert await uow.leases.is_done("digest:CG:2026-W47")
    texts = [text for _, text, _ in await outbox_rows(seeded.storage)]
    assert len(texts) == 2
    assert "TUẦN 46/2026" in texts[0]
    assert "TUẦN 47/2026" in texts[1]


async def test_disabled_schedule_does_nothing(app: App, renderer: DigestRenderer) -> None:
    settings = replace(app.settings, digest=replace(app.settings.digest, enabled=False))
    assert await DigestScheduler(settings, app.storage, renderer, clock=lambda: NOW).run_due() == []


# --- command line --------------------------------------------------------------------------


def write_config(tmp_path: Path, chat_id: str) -> Path:
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    text = example.read_text("utf-8").replace(
        'chat_id = ""\n\n# Where reports', f'chat_id = "{chat_id}"\n\n# Where reports', 1
    )
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_cli_makes_the_four_files_and_queues_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "-100555")
    out = tmp_path / "out"
    argv = ["--config", str(config), "digest", "--week", "2026-W47", "--out", str(out), "--send"]
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert sorted(Path(p).suffix for p in printed[:4]) == [".docx", ".html", ".html", ".png"]
    assert all(Path(p).parent == out for p in printed[:4])
    assert "to telegram chat -100555" in printed[4]
    rows = asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))
    assert [chat for chat, _, _ in rows] == ["-100555"]


def test_cli_refuses_a_week_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "")
    assert main(["--config", str(config), "digest", "--week", "2025-W53"]) == 2
    assert "2025-W53" in capsys.readouterr().err
    assert main(["--config", str(config), "digest", "--commune", "HN"]) == 2


async def test_digest_queries_use_indexes(app: App, renderer: DigestRenderer) -> None:
    """No statement of the digest walks a whole table of records or events (SQLite plans)."""
    await seed_weeks(app.storage)
    seeded = app
    statements: list[str] = []
    storage = seeded.storage
    assert isinstance(storage, SqliteStorage)
    await storage._conn.set_trace_callback(statements.append)
    try:
        await digest_of(seeded, renderer)
    finally:
        await storage._conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) >= 10
    plans = []
    async with storage.transaction() as uow:
        for sql in selects:
            plans += [row[3] for row in await uow._all("EXPLAIN QUERY PLAN " + sql)]  # type: ignore[attr-defined]
    full_scans = [p for p in plans if re.match(r"SCAN (records|events|r|e|p)\b", p)]
    assert full_scans == []


def test_cli_due_runs_the_schedule_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "-100555")
    assert main(["--config", str(config), "digest", "--due"]) == 0
    first = capsys.readouterr().out
    assert main(["--config", str(config), "digest", "--due"]) == 0
    assert capsys.readouterr().out == ""
    assert first.startswith("digest:CG:")
    assert first.strip().endswith("made and queued")
    rows = asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))
    assert len(rows) == 1
    archive = tmp_path / "data" / "digests" / "CG"
    assert len(list(archive.glob("*/bao-cao-CG-*.docx"))) == 1


def test_three_processes_racing_send_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real OS processes on one SQLite file, started together: one digest, one message."""
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "-100555")
    asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))  # create the schema first
    command = [sys.executable, "-m", "bot.cli", "--config", str(config), "digest", "--due"]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outputs]
    made = [out for out, _ in outputs if "made and queued" in out]
    assert len(made) == 1
    rows = asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))
    assert len(rows) == 1


def test_a_week_not_yet_over_is_marked_provisional(tmp_path: Path) -> None:
    for week, provisional in (("2020-W01", False), ("2099-W01", True)):
        out = tmp_path / week
        result = cli(tmp_path, "digest", "--week", week, "--out", str(out))
        assert result.returncode == 0, result.stderr
        page = next(out.glob("tin-nhan-*.html")).read_text("utf-8")
        assert ("tạm tính" in page) is provisional
