"""A small commune history for the digest tests, written straight into the database.

Rows are written as the officials' side stores them (status-change events with from/to,
a ratings row per rating), with portable SQL through a unit of work, so the same history
seeds SQLite and PostgreSQL. Everything is in
2026-W46 and W47 (Asia/Ho_Chi_Minh) and is hand-checkable; tests/digest/test_figures.py states the
figures it expects and why.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage import Storage, UnitOfWork

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# Personal data that must never appear in any digest output.
NAMES = ("Nguyễn Văn Tèo", "Trần Thị Bưởi", "Lê Văn Mít", "Phạm Văn Xoài")
PHONES = ("0912345678", "0987654321", "0905111222", "0912 345 678", "0987 654 321")
CHAT_IDS = ("tg-777001", "tg-777002", "tg-777003")
TO_CAO_DESCRIPTION = "Tố cáo ông Phạm Văn Xoài nhận tiền của dân"
TO_CAO_CODES = ("CG-2611-TCAO4", "CG-2611-TCAO8")
TO_CAO_HAMLET = "Thôn Đông"
SECRETS = (*NAMES, *PHONES, *CHAT_IDS, TO_CAO_DESCRIPTION, *TO_CAO_CODES, TO_CAO_HAMLET)


def local(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=HCM)


class Seed:
    """Writes rows through a unit of work with portable SQL, so it seeds either backend."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.ids: dict[str, int] = {}

    async def _insert(self, sql: str, params: tuple[object, ...]) -> int:
        row = await self.uow._one(sql + " RETURNING id", params)
        assert row is not None
        return int(row[0])

    async def citizen(self, external_id: str, name: str, phone: str) -> int:
        return await self._insert(
            "INSERT INTO citizens (channel, external_id, commune_code, name, phone, consent_at, "
            "consent_version, created_at) VALUES ('telegram', ?, 'CG', ?, ?, ?, '2026-11', ?)",
            (external_id, name, phone, local(10, 1), local(10, 1)),
        )

    async def record(
        self,
        code: str,
        kind: str,
        office: str,
        created: datetime,
        due: datetime,
        *,
        topic: str | None = None,
        hamlet: str | None = None,
        resolved: datetime | None = None,
        citizen: int | None = None,
        name: str | None = None,
        phone: str | None = None,
        description: str = "Đèn đường hỏng",
    ) -> int:
        self.ids[code] = await self._insert(
            "INSERT INTO records (code, commune_code, citizen_id, channel, kind, topic, "
            "office_code, status, description, hamlet, anonymous, contact_name, contact_phone, "
            "created_at, due_at, resolved_at) VALUES (?, 'CG', ?, 'telegram', ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?)",
            (
                code,
                citizen,
                kind,
                topic,
                office,
                "closed" if resolved else "accepted",
                description,
                hamlet,
                int(name is None),
                name,
                phone,
                created,
                due,
                resolved,
            ),
        )
        return self.ids[code]

    async def event(
        self,
        code: str,
        at: datetime,
        actor: str,
        action: str,
        from_status: str | None = None,
        to_status: str | None = None,
    ) -> None:
        await self.uow._exec(
            "INSERT INTO events (record_id, at, actor_kind, actor_ref, action, from_status, "
            "to_status, visible_to_citizen) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            (
                self.ids[code],
                at,
                actor,
                "can-bo-1" if actor == "official" else None,
                action,
                from_status,
                to_status,
            ),
        )

    async def rating(self, code: str, at: datetime, value: str) -> None:
        """As handlers.records.apply rates: a ratings row and a `rated` event (closed stays)."""
        await self.uow._exec(
            "INSERT INTO ratings (record_id, at, value) VALUES (?, ?, ?)",
            (self.ids[code], at, value),
        )
        await self.event(code, at, "citizen", "rated", "closed", "closed")

    async def question(self, at: datetime, text: str, *, answered: bool = False) -> None:
        await self.uow._exec(
            "INSERT INTO question_log (commune_code, at, question, intent, answered, confidence) "
            "VALUES ('CG', ?, ?, 'unknown', ?, 0.3)",
            (at, text, int(answered)),
        )


async def seed_weeks(storage: Storage) -> None:
    """R1–R10 of tests/digest/test_figures.py (2026-W46 and W47)."""
    async with storage.transaction() as uow:
        await _seed(Seed(uow))


async def _seed(s: Seed) -> None:
    teo = await s.citizen(CHAT_IDS[0], NAMES[0], PHONES[0])
    buoi = await s.citizen(CHAT_IDS[1], NAMES[1], PHONES[1])
    mit = await s.citizen(CHAT_IDS[2], NAMES[2], PHONES[2])
    end = (23, 59, 59)
    # R1: Monday 00:00 sharp, KT, closed Wednesday 00:00 (48 h), rated hài lòng.
    await s.record(
        "CG-2611-R1",
        "phan_anh",
        "KT",
        local(11, 16),
        local(11, 26, *end),
        topic="chieu_sang",
        hamlet="Thôn 1",
        resolved=local(11, 18),
        citizen=teo,
        name=NAMES[0],
        phone=PHONES[0],
        description=f"Gọi {NAMES[0]} {PHONES[3]}",
    )
    await s.event("CG-2611-R1", local(11, 16, 4), "official", "accepted")
    await s.event("CG-2611-R1", local(11, 18), "official", "closed", "accepted", "closed")
    await s.rating("CG-2611-R1", local(11, 19, 10), "satisfied")
    # R2: KT, accepted after 2 h, still open.
    await s.record(
        "CG-2611-R2",
        "kien_nghi",
        "KT",
        local(11, 17, 10),
        local(11, 27, *end),
        topic="thoat_nuoc",
        hamlet="Thôn 2",
    )
    await s.event("CG-2611-R2", local(11, 17, 12), "official", "accepted")
    # R3: khiếu nại to VP, no topic, accepted after 24 h then transferred.
    await s.record(
        "CG-2611-R3",
        "khieu_nai",
        "VP",
        local(11, 18, 8),
        local(11, 28, *end),
        hamlet="Thôn 1",
        citizen=buoi,
        name=NAMES[1],
        phone=PHONES[4],
    )
    await s.event("CG-2611-R3", local(11, 19, 8), "official", "accepted")
    await s.event("CG-2611-R3", local(11, 19, 9), "official", "transferred")
    # R4: tố cáo at Sunday 23:59:59 (still W47), hamlet and topic that only it has.
    await s.record(
        TO_CAO_CODES[0],
        "to_cao",
        "VP",
        local(11, 22, *end),
        local(12, 2, *end),
        topic="dat_dai",
        hamlet=TO_CAO_HAMLET,
        citizen=mit,
        name=NAMES[2],
        phone=PHONES[2],
        description=TO_CAO_DESCRIPTION,
    )
    # R5: the next Monday 00:00 — W48, not counted.
    await s.record("CG-2611-R5", "phan_anh", "VP", local(11, 23), local(12, 3, *end))
    # R6: W46 Sunday 23:59:59; first answered Monday 06:00 (6 h 1 s), closed Friday 12:00.
    await s.record(
        "CG-2611-R6",
        "phan_anh",
        "VHXH",
        local(11, 15, *end),
        local(11, 25, *end),
        topic="rac_thai_moi_truong",
        hamlet="Thôn 3",
        resolved=local(11, 20, 12),
    )
    await s.event("CG-2611-R6", local(11, 16, 6), "official", "accepted")
    await s.event("CG-2611-R6", local(11, 20, 12), "official", "closed", "accepted", "closed")
    await s.rating("CG-2611-R6", local(11, 21, 9), "unsatisfied")
    # R7: open and past its deadline (13/11) — overdue 10 days at the end of W47.
    await s.record(
        "CG-2611-R7", "phan_anh", "KT", local(11, 3, 9), local(11, 13, *end), hamlet="Thôn 4"
    )
    # R8: an overdue tố cáo — counted, never listed.
    await s.record(
        TO_CAO_CODES[1],
        "to_cao",
        "VP",
        local(11, 2, 9),
        local(11, 11, *end),
        description=TO_CAO_DESCRIPTION,
    )
    # R9: late: due 30/10, closed 20/11 12:00 (747 h after receipt), then reopened.
    await s.record(
        "CG-2610-R9",
        "kien_nghi",
        "TTPVHCC",
        local(10, 20, 9),
        local(10, 30, *end),
        resolved=local(11, 20, 12),
    )
    await s.event("CG-2610-R9", local(10, 21, 9), "official", "accepted")
    await s.event("CG-2610-R9", local(11, 20, 12), "official", "closed", "accepted", "closed")
    await s.event("CG-2610-R9", local(11, 21, 8), "citizen", "reopened", "closed", "in_progress")
    # R10: W46, accepted after 1 h, closed on time.
    await s.record(
        "CG-2611-R10",
        "kien_nghi",
        "KT",
        local(11, 10, 9),
        local(11, 20, *end),
        resolved=local(11, 12, 9),
    )
    await s.event("CG-2611-R10", local(11, 10, 10), "official", "accepted")
    await s.event("CG-2611-R10", local(11, 12, 9), "official", "closed", "accepted", "closed")
    for day in (16, 18, 20):
        await s.question(local(11, day, 9), "lam the nao xin giay phep xay nha tam")
    await s.question(local(11, 19, 9), "so dien thoai cua toi la 0912 345 678 co dung khong")
    await s.question(local(11, 19, 10), "thu tuc khai sinh", answered=True)
    await s.question(local(11, 12, 9), "cau hoi tuan truoc")
