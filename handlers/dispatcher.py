"""The conversation core's entry point: one `Inbound` in, `Reply` objects out.

Everything an update changes — the processed-update mark, the citizen, the conversation
state, records and events, outbox rows — is written in one transaction. A crash before the
commit leaves no trace (the channel redelivers and the update is redone); after it, the
redelivery is recognised by channel + update id and does nothing.

An unexpected error is caught here, and only here: the transaction is rolled back, the log
gets the traceback (never the person's text), and the person gets a calm message, written
in a second small transaction together with the processed mark.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from domain.communes import CommuneSettings
from domain.messages import RESUME, Inbound, Reply
from domain.records import Citizen, Conversation, Official, Pending
from domain.settings import CoreSettings
from faq.understand import is_emergency
from handlers.flows import (
    STEPS,
    announcements,
    consent,
    erase,
    filing,
    info,
    lookup,
    menu,
    questions,
    rating,
)
from handlers.flows import commune as commune_flow
from handlers.flows.commune import Commune
from handlers.flows.menu import Menu
from handlers.knowledge import Knowledge
from handlers.notify import RATING_BUTTON_PREFIX
from handlers.officials import routing as officials
from handlers.officials.turn import StaffTurn
from handlers.render import Renderer
from handlers.text import clean_text, fold
from handlers.turn import GLOBAL_PREFIX, Step, Turn
from storage import Storage, UnitOfWork

log = logging.getLogger(__name__)

Action = Callable[[Turn, str], Awaitable[None]]


async def start(turn: Turn, _args: str) -> None:
    """/start: the notice for someone who has not chosen yet, otherwise the menu."""
    if not turn.citizen.has_consented and not turn.data.get("declined"):
        await consent.ask(turn)
    else:
        turn.data["_greet"] = True
        await menu.go_idle(turn)


async def _change_commune(turn: Turn, _args: str) -> None:
    await commune_flow.ask(turn)


async def _file(turn: Turn, _args: str) -> None:
    await filing.start(turn)


async def _lookup(turn: Turn, args: str) -> None:
    await lookup.start(turn, args or None)


async def _mine(turn: Turn, _args: str) -> None:
    await menu.show_my_records(turn)


async def _cancel(turn: Turn, _args: str) -> None:
    await menu.cancel(turn)


async def _help(turn: Turn, _args: str) -> None:
    await menu.show_help(turn)


async def _erase(turn: Turn, _args: str) -> None:
    await erase.start(turn)


async def _ask(turn: Turn, _args: str) -> None:
    await questions.start(turn)


async def _consent(turn: Turn, _args: str) -> None:
    await consent.ask(turn)


async def _menu(turn: Turn, _args: str) -> None:
    await menu.go_idle(turn)


async def _faq(turn: Turn, entry_id: str) -> None:
    entry = turn.knowledge.entry(entry_id)
    if entry is None:
        turn.say("stale_button")
        await menu.go_idle(turn)
    else:
        await questions.show_entry(turn, entry)


async def _announce(turn: Turn, _args: str) -> None:
    await announcements.start(turn)


# Commands (ASCII, for Telegram's command menu) and the global buttons that mirror them.
COMMANDS: Mapping[str, Action] = {
    "start": start,
    "gopy": _file,
    "tracuu": _lookup,
    "cuatoi": _mine,
    "huy": _cancel,
    "trogiup": _help,
    "xoadulieu": _erase,
    "doixa": _change_commune,
}
GLOBAL_ACTIONS: Mapping[str, Action] = {
    "file": _file,
    "ask": _ask,
    "lookup": _lookup,
    "mine": _mine,
    "help": _help,
    "cancel": _cancel,
    "consent": _consent,
    "menu": _menu,
    "faq": _faq,
    "announce": _announce,
    info.SUPPLEMENT_ACTION: info.start,  # «Bổ sung CODE»: answer a request for information
}


class Dispatcher:
    def __init__(
        self,
        storage: Storage,
        settings: CoreSettings,
        renderer: Renderer,
        knowledge: Knowledge,
        steps: Mapping[str, Step] = STEPS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.renderer = renderer
        self.steps = steps
        self.knowledge = knowledge
        self.clock = clock

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Process one update; returns the replies it queued (empty for a redelivery)."""
        now = self.clock()
        try:
            async with self.storage.transaction() as uow:
                if not await uow.updates.mark_processed(inbound.channel, inbound.update_id, now):
                    log.info("update %s/%s already processed", inbound.channel, inbound.update_id)
                    return []
                official = await uow.officials.get(inbound.channel, inbound.user_id)
                pending = (
                    await uow.pending.get(official.id) if official and official.active else None
                )
                if officials.claims(inbound, official, pending):
                    # Officials' commands and buttons, and everything in a group chat.
                    staff_turn = self._staff_turn(uow, inbound, now, official, pending)
                    await officials.handle(staff_turn)
                    return await self._commit_staff(uow, staff_turn)
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
        commune = self._commune_for(citizen, inbound)
        needs_commune = commune is None
        if commune is None:  # until they choose, texts name the default commune
            commune = self._default_commune()
        elif citizen.commune_code != commune.code:
            await uow.citizens.set_commune(citizen.id, commune.code)
        conversation = await uow.conversations.get(citizen.id)
        return Turn(
            inbound=inbound,
            now=now,
            uow=uow,
            settings=self.settings,
            commune=commune,
            citizen=citizen,
            renderer=self.renderer,
            steps=self.steps,
            knowledge=self.knowledge,
            state=conversation.state if conversation else "",
            data=dict(conversation.data) if conversation else {},
            nonce=conversation.nonce if conversation else 0,
            needs_commune=needs_commune,
        )

    def _staff_turn(
        self,
        uow: UnitOfWork,
        inbound: Inbound,
        now: datetime,
        official: Official | None,
        pending: Pending | None,
    ) -> StaffTurn:
        commune = None
        for code in (
            official.commune_code if official else None,
            inbound.commune_hint,
            self.settings.bot.default_commune,
        ):
            commune = self.settings.commune(code) if code else None
            if commune is not None:
                break
        return StaffTurn(
            inbound=inbound,
            now=now,
            uow=uow,
            settings=self.settings,
            commune=commune or self.settings.communes[0],
            renderer=self.renderer,
            official=official,
            pending=pending,
        )

    async def _commit_staff(self, uow: UnitOfWork, turn: StaffTurn) -> list[Reply]:
        for reply in [*turn.replies, *turn.notifier.out]:
            await uow.outbox.enqueue(reply, turn.now)
        return turn.replies

    def _commune_for(self, citizen: Citizen, inbound: Inbound) -> CommuneSettings | None:
        """The channel's word, else the citizen's choice; None when several communes share
        this bot and neither says (the citizen is asked)."""
        for code in (inbound.commune_hint, citizen.commune_code):
            commune = self.settings.commune(code) if code else None
            if commune is not None:
                return commune
        return self._default_commune() if len(self.settings.communes) == 1 else None

    def _default_commune(self) -> CommuneSettings:
        return self.settings.commune(self.settings.bot.default_commune) or self.settings.communes[0]

    async def _commit(self, uow: UnitOfWork, turn: Turn) -> list[Reply]:
        replies = turn.replies()
        if not turn.erased:
            await uow.conversations.save(
                Conversation(
                    citizen_id=turn.citizen.id,
                    flow=turn.state.split(".", 1)[0],
                    state=turn.state,
                    data=turn.data,
                    nonce=turn.nonce,
                    updated_at=turn.now,
                )
            )
        for reply in [*replies, *turn.notifications]:
            await uow.outbox.enqueue(reply, turn.now)
        return replies

    def _flooding(self, turn: Turn) -> bool:
        """Count this message in the person's current minute; True past the limit.

        The count lives in the conversation (no personal data). The first message over the
        limit gets one calm answer; the rest of that minute get none.
        """
        start, count = turn.data.get("_minute", ["", 0])
        window = turn.now.replace(second=0, microsecond=0).isoformat()
        count = count + 1 if start == window else 1
        turn.data["_minute"] = [window, count]
        limit = self.settings.bot.max_messages_per_minute
        if count == limit + 1:
            turn.say("flood", limit=limit)
        return count > limit

    async def _run(self, turn: Turn) -> None:
        inbound = turn.inbound
        if inbound.button == RESUME:
            # A channel reopened (the terminal restarted): show the step the person is at.
            if turn.state in self.steps and turn.state != Menu.IDLE:
                await turn.reprompt()
            return
        urgent = inbound.text is not None and is_emergency(clean_text(inbound.text)[:2000])
        if self._flooding(turn) and not urgent:  # an emergency is answered even in a flood
            log.info("update %s/%s ignored: flood", inbound.channel, inbound.update_id)
            return
        if inbound.text is not None:
            cleaned = clean_text(inbound.text)
            limit = self.settings.bot.max_text_length
            if len(cleaned) > limit:
                turn.say("input_too_long", length=len(cleaned), limit=limit)
                await self._reprompt_or_start(turn)
                return
            turn.text = cleaned
        if turn.needs_commune and turn.state != Commune.CHOOSE:
            if turn.text and is_emergency(turn.text):
                turn.say("emergency")
            await commune_flow.ask(turn)
            return
        if not turn.state or turn.state not in self.steps:
            # First contact, or a state this version no longer knows.
            await self._first_contact(turn)
            return
        if inbound.button is not None:
            await self._press(turn, inbound.button)
            return
        if turn.text and turn.text.startswith("/"):
            await self._command(turn, turn.text)
            return
        typed = turn.data.get("_buttons", {}).get(fold(turn.text)) if turn.text else None
        if typed:
            await self._press(turn, typed)
            return
        nothing = not (
            turn.text or inbound.attachments or inbound.location or inbound.contact_phone
        )
        if nothing:
            turn.say("input_empty" if inbound.text is not None else "input_unsupported")
            await turn.reprompt()
            return
        if urgent and turn.state != Menu.IDLE:
            # Safety first, whatever step the person is at. A description may well tell of
            # danger ("bờ kênh sạt lở"), so it is kept; any other step's answer is not
            # ("cháy nhà" is no hamlet), and the step is asked again.
            turn.say("emergency")
            if turn.state != filing.Filing.DESCRIPTION:
                await turn.reprompt()
                return
        await self.steps[turn.state].handle(turn)

    async def _first_contact(self, turn: Turn) -> None:
        """Whatever someone new sends, safety and their question come before the notice:
        an emergency gets the hotline numbers, a clear question its answer, /tracuu CODE
        the record's status; then the notice on personal data."""
        text = turn.text or ""
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            if head.split("@", 1)[0].casefold() == "tracuu" and args.strip():
                await lookup.describe(turn, args)
        elif text:
            await questions.answer_before_consent(turn, text)
        await start(turn, "")

    async def _reprompt_or_start(self, turn: Turn) -> None:
        if turn.state in self.steps:
            await turn.reprompt()
        else:
            await start(turn, "")

    async def _press(self, turn: Turn, data: str) -> None:
        if data.startswith(RATING_BUTTON_PREFIX):
            await rating.press(turn, data)
            return
        if data.startswith(GLOBAL_PREFIX):
            name, _, argument = data.removeprefix(GLOBAL_PREFIX).partition(":")
            action = GLOBAL_ACTIONS.get(name)
            if action is None:
                turn.say("stale_button")
                await turn.reprompt()
            else:
                await action(turn, argument)
            return
        nonce, _, action_name = data.partition(":")
        if nonce != str(turn.nonce) or not action_name:
            turn.say("stale_button")
            await turn.reprompt()
            return
        turn.action = action_name
        await self.steps[turn.state].handle(turn)

    async def _command(self, turn: Turn, text: str) -> None:
        head, _, args = text[1:].partition(" ")
        name = head.split("@", 1)[0].casefold()
        action = COMMANDS.get(name)
        if action is None:
            turn.say("unknown_command", command="/" + head[:32])
            await turn.reprompt()
            return
        await action(turn, args.strip())

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
            await uow.outbox.enqueue(reply, now)
        return [reply]
