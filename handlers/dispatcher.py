"""The conversation core's entry point: one `Inbound` in, `Reply` objects out.

Everything an update changes — the processed-update mark, the citizen, the conversation
state, records and events, outbox rows — is written in one transaction. A crash before the
commit leaves no trace (the channel redelivers and the update is redone); after it, the
redelivery is recognised by channel + update id and does nothing.

An unexpected error is caught here, and only here: the transaction is rolled back, the log
gets the traceback (never the person's text), and the person gets a calm message, written
in a second small transaction together with the processed mark.

A citizen's turn goes: load, then the ordered `handlers.guards.GUARDS` (each
`async (turn) -> bool`, True when it has answered and nothing more is to be done: a
reopened channel, a flood, a text too long, no commune yet, a first contact), then the
router (`handlers.router`: a button, a command or a typed label goes where it names; other
input, past `BEFORE_STEP`, to the current step), then the commit. An official's turn
(`handlers.officials.routing.claims`) goes to `handlers.officials` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from domain.communes import CommuneSettings
from domain.messages import Inbound, Reply
from domain.records import OFFICIAL_IDLE, Official
from domain.settings import CoreSettings
from handlers import conversations
from handlers.conversations import IDLE
from handlers.flows import ROUTES
from handlers.guards import BEFORE_STEP, GUARDS
from handlers.officials import routing as officials
from handlers.officials.turn import StaffTurn
from handlers.render import Renderer
from handlers.router import Routes
from handlers.text import clean_text
from handlers.turn import Step, Turn
from handlers.understanding import Knowledge
from storage import Storage, UnitOfWork

log = logging.getLogger(__name__)

# A citizen's conversation states in which an official is not in a citizen's flow.
AT_REST = ("", IDLE, "consent.ask")


async def _enqueue(uow: UnitOfWork, replies: Iterable[Reply], now: datetime) -> None:
    for reply in replies:
        await uow.outbox.enqueue(reply, now)


class Dispatcher:
    def __init__(
        self,
        storage: Storage,
        settings: CoreSettings,
        renderer: Renderer,
        knowledge: Knowledge,
        routes: Routes = ROUTES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.renderer = renderer
        self.routes = routes
        # (a table of its own, so that a test can swap one step)
        self.steps: Mapping[str, Step] = routes.steps
        self.knowledge = knowledge
        self.clock = clock

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Process one update; returns the replies it queued (empty for a redelivery)."""
        now = self.clock()
        checked = inbound.well_formed()
        if checked is not inbound:
            log.info(
                "update %s/%s: an unusable location or file dropped",
                inbound.channel,
                inbound.update_id,
            )
            inbound = checked
        try:
            async with self.storage.transaction() as uow:
                if not await uow.updates.mark_processed(inbound.channel, inbound.update_id, now):
                    log.info("update %s/%s already processed", inbound.channel, inbound.update_id)
                    return []
                official = await uow.officials.get(inbound.channel, inbound.user_id)
                # (someone who is no official has no staff turn to load unless claimed)
                staff_turn = (
                    await self._staff_turn(uow, inbound, now, official) if official else None
                )
                pending = staff_turn.pending if staff_turn else None
                busy = await self._citizen_busy(uow, inbound, official)
                if officials.claims(inbound, official, pending, citizen_busy=busy):
                    # Officials' commands and buttons, and everything in a group chat.
                    staff_turn = staff_turn or await self._staff_turn(uow, inbound, now, None)
                    loaded = staff_turn.nonce
                    await officials.handle(staff_turn)
                    return await self._commit_staff(uow, staff_turn, loaded)
                turn = await self._load(uow, inbound, now)
                await self._run(turn)
                return await self._commit(uow, turn)
        except Exception:
            log.exception(
                "update %s/%s failed; the person gets an apology",
                inbound.channel,
                inbound.update_id,
            )
            return await self._apologise(inbound, now)

    async def _load(self, uow: UnitOfWork, inbound: Inbound, now: datetime) -> Turn:
        citizen = await uow.citizens.get(inbound.channel, inbound.user_id)
        if citizen is None:
            citizen = await uow.citizens.create(inbound.channel, inbound.user_id, now)
        commune = self._commune(inbound.commune_hint, citizen.commune_code)
        if commune is None and len(self.settings.communes) == 1:
            commune = self._default_commune()
        needs_commune = commune is None
        if commune is None:  # until they choose, texts name the default commune
            commune = self._default_commune()
        elif citizen.commune_code != commune.code:
            await uow.citizens.set_commune(citizen.id, commune.code)
        conversation = await uow.conversations.get(citizen.id)
        # Cleaned once, here: the emergency check and every guard and step read this form
        # (`handlers.guards.too_long` refuses it when it is too long).
        text = clean_text(inbound.text) if inbound.text is not None else None
        return Turn(
            inbound=inbound,
            now=now,
            uow=uow,
            settings=self.settings,
            commune=commune,
            citizen=citizen,
            renderer=self.renderer,
            steps=self.steps,
            entries=self.routes.entries,
            knowledge=self.knowledge,
            state=conversation.state if conversation else "",
            data=dict(conversation.data) if conversation else {},
            nonce=conversation.nonce if conversation else 0,
            needs_commune=needs_commune,
            text=text,
            urgent=text is not None and self.knowledge.is_emergency(text[:2000]),
        )

    async def _run(self, turn: Turn) -> None:
        for guard in GUARDS:
            if await guard(turn):
                return
        await self.routes.resolve(turn, BEFORE_STEP)

    async def _commit(self, uow: UnitOfWork, turn: Turn) -> list[Reply]:
        replies = turn.replies()
        if not turn.erased:
            await conversations.save(
                uow.conversations, turn.citizen.id, turn.state, turn.data, turn.nonce, turn.now
            )
        await _enqueue(uow, [*replies, *turn.notifications], turn.now)
        return replies

    async def _citizen_busy(
        self, uow: UnitOfWork, inbound: Inbound, official: Official | None
    ) -> bool:
        """Whether an active official is in a citizen's flow they chose (/gopy): their text
        goes there until it ends, not to the officials' menu."""
        if official is None or not official.active or inbound.is_group:
            return False
        citizen = await uow.citizens.get(inbound.channel, inbound.user_id)
        conversation = await uow.conversations.get(citizen.id) if citizen else None
        return conversation is not None and conversation.state not in AT_REST

    async def _staff_turn(
        self, uow: UnitOfWork, inbound: Inbound, now: datetime, official: Official | None
    ) -> StaffTurn:
        """An official's turn (or a group chat's), with the official's conversation."""
        commune = self._commune(official.commune_code if official else None, inbound.commune_hint)
        conversation = await uow.official_conversations.get(official.id) if official else None
        return StaffTurn(
            inbound=inbound,
            now=now,
            uow=uow,
            settings=self.settings,
            commune=commune or self._default_commune(),
            renderer=self.renderer,
            official=official,
            state=conversation.state if conversation else OFFICIAL_IDLE,
            data=dict(conversation.data) if conversation else {},
            nonce=conversation.nonce if conversation else 0,
        )

    async def _commit_staff(self, uow: UnitOfWork, turn: StaffTurn, nonce: int) -> list[Reply]:
        """Keep the official's conversation if the turn moved it (`nonce`: as loaded)."""
        if turn.official is not None and turn.nonce != nonce:
            await conversations.save(
                uow.official_conversations,
                turn.official.id,
                turn.state,
                turn.data,
                turn.nonce,
                turn.now,
            )
        await _enqueue(uow, [*turn.replies, *turn.notifier.out], turn.now)
        return turn.replies

    def _commune(self, *codes: str | None) -> CommuneSettings | None:
        """The first commune of `codes` this deployment serves: for a citizen, the
        channel's word, else their choice; for an official, theirs, else the channel's."""
        for code in codes:
            commune = self.settings.commune(code) if code else None
            if commune is not None:
                return commune
        return None

    def _default_commune(self) -> CommuneSettings:
        return self.settings.commune(self.settings.bot.default_commune) or self.settings.communes[0]

    async def _apologise(self, inbound: Inbound, now: datetime) -> list[Reply]:
        hotline = ""
        commune = self.settings.commune(inbound.commune_hint or self.settings.bot.default_commune)
        if commune is not None:
            hotline = commune.hotline
        reply = Reply(
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            text=self.renderer.render("unexpected_error", hotline=hotline),
        )
        async with self.storage.transaction() as uow:
            if not await uow.updates.mark_processed(inbound.channel, inbound.update_id, now):
                return []
            await _enqueue(uow, [reply], now)
        return [reply]
