"""The one-stop desk's survey results for a week, per desk (domain.surveys.DeskResult).

The digest shows them in its own section (`_digest_survey.j2` in the chat message,
`_digest_survey_report.txt.j2` in the report), only in a week that has responses.
`week_survey_results` is what another reader (the public page) calls: one transaction,
counts and means only — a response carries nothing of the person who gave it.
"""

from __future__ import annotations

from bot.digest.weeks import IsoWeek
from domain.communes import CommuneSettings
from domain.surveys import DeskResult
from storage import Storage, UnitOfWork


async def survey_results(
    uow: UnitOfWork, commune: CommuneSettings, week: IsoWeek
) -> tuple[DeskResult, ...]:
    """Each desk's responses in the ISO week (local days Monday to Sunday), by desk."""
    return tuple(await uow.surveys.results(commune.code, week.monday, week.sunday))


async def week_survey_results(
    storage: Storage, commune: CommuneSettings, week: IsoWeek
) -> tuple[DeskResult, ...]:
    """`survey_results` in a transaction of its own."""
    async with storage.transaction() as uow:
        return await survey_results(uow, commune, week)
