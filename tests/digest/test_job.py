"""The digest's schedule (bot/digest/job.py): exactly once with schedulers racing, catching up
and taking over an expired lease, disabled."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.config import Settings
from bot.digest.job import DigestScheduler
from bot.digest.render import DigestRenderer
from tests.conftest import BACKENDS
from tests.support.digest import NOW, outbox_rows, shared_apps
from tests.support.digest_seed import seed_weeks


def with_vp_chat(settings: Settings, chat_id: str = "-100777") -> Settings:
    commune = settings.communes[0]
    offices = tuple(replace(o, chat_id=chat_id) if o.code == "VP" else o for o in commune.offices)
    return replace(settings, communes=(replace(commune, offices=offices),))


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
        extra = rows[0][2]["extra"] if rows else {}
        assert isinstance(extra, dict)
        stored = {}
        async with second.storage.transaction() as uow:  # readable by any process
            for kind in ("photo", "document"):
                assert str(extra[kind]).startswith("db:")
                stored[kind] = await uow.files.get(int(str(extra[kind]).removeprefix("db:")))
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
    photo, document = stored["photo"], stored["document"]
    assert photo is not None
    assert photo[0].endswith(".png")
    assert photo[1].startswith(b"\x89PNG")
    assert document is not None
    assert document[0].endswith(".docx")
    assert document[1].startswith(b"PK")  # a DOCX is a zip
    archived = settings.digest.archive_dir / "CG" / "2026-W47" / document[0]
    assert archived.read_bytes() == document[1]


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
