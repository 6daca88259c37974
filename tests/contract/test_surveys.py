"""The desk survey: one response per person, desk and day; results per desk."""

from __future__ import annotations

from datetime import date

from storage import Storage
from tests.contract.support import NOW

DAY = date(2026, 11, 26)


def scores(attitude: int, waiting: int, guidance: int, overall: int) -> dict[str, int]:
    return {"attitude": attitude, "waiting": waiting, "guidance": guidance, "overall": overall}


async def test_one_response_a_day_and_results_per_desk(storage: Storage) -> None:
    async with storage.transaction() as uow:
        lan = await uow.citizens.create("test", "lan", NOW)
        an = await uow.citizens.create("test", "an", NOW)
        assert not await uow.surveys.answered(lan.id, "CG", "QUAY1", DAY)
        assert await uow.surveys.add(lan.id, "CG", "QUAY1", DAY, scores(5, 4, 5, 5), "Tốt")
        assert await uow.surveys.answered(lan.id, "CG", "QUAY1", DAY)
        # A second one the same day at the same desk is refused and keeps nothing.
        assert not await uow.surveys.add(lan.id, "CG", "QUAY1", DAY, scores(1, 1, 1, 1), None)
        assert await uow.surveys.add(lan.id, "CG", "QUAY2", DAY, scores(3, 2, 3, 3), None)
        assert await uow.surveys.add(an.id, "CG", "QUAY1", DAY, scores(4, 2, 3, 3), None)
        tomorrow = date(2026, 11, 27)
        assert await uow.surveys.add(lan.id, "CG", "QUAY1", tomorrow, scores(4, 4, 4, 4), None)
        # The next day's first response dropped the day before's marks.
        assert not await uow.surveys.answered(an.id, "CG", "QUAY1", DAY)
        one, two = await uow.surveys.results("CG", DAY, DAY)
        assert (one.desk, one.responses, one.attitude, one.waiting) == ("QUAY1", 2, 4.5, 3.0)
        assert (one.guidance, one.overall, one.satisfied, one.comments) == (4.0, 4.0, 1, 1)
        assert one.satisfied_share == 0.5
        assert (two.desk, two.responses, two.overall, two.satisfied) == ("QUAY2", 1, 3.0, 0)
        (both,) = [r for r in await uow.surveys.results("CG", DAY, tomorrow) if r.desk == "QUAY1"]
        assert both.responses == 3
        assert await uow.surveys.comments("CG", DAY, tomorrow) == [("QUAY1", "Tốt")]
        assert await uow.surveys.results("CG", date(2026, 12, 1), date(2026, 12, 7)) == []
        # Nothing in a response names who gave it.
        (row,) = await uow._all("SELECT * FROM survey_responses WHERE comment IS NOT NULL")
        kept = ["id", "commune_code", "desk", "day", "comment"]
        assert sorted(row.keys()) == sorted([*kept, "attitude", "waiting", "guidance", "overall"])
