"""The officials' side of the conversation: record buttons, commands, typed answers.

An official is a channel identity bound to an office and a role (`domain.records.Official`).
They work in their private chat with the bot and in their office's group chat. In a group
only commands, presses of the bot's buttons and replies to the bot's messages count; other
chatter is ignored.

Buttons on a record card carry `r:CODE:action:version`; a press whose version is not the
record's current one (a double press, a colleague was faster, the record moved on) is told
so and changes nothing. Steps that need text (Trả lời, Yêu cầu bổ sung, Chuyển, Từ chối,
Hoàn thành, Gia hạn, Giao) remember what the official is about to type (`official_pending`)
and the record's version then; the next message in the private chat, or the presser's own
reply to the bot's prompt in a group, completes it — unless the record moved meanwhile
("hồ sơ đã thay đổi"). Commands do the same in one line: `/traloi CODE nội dung`.

A revoked official's replies to the bot, and the text of a step they were revoked during,
are answered "đã bị thu hồi", never taken for a citizen's message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain import lifecycle, tracking_code
from domain.communes import CommuneSettings
from domain.deadlines import due_within
from domain.lifecycle import Action, LifecycleError
from domain.messages import RESUME, Button, Inbound, Priority, Reply
from domain.permissions import GROUP, Actor, Perm, allowed, may_broadcast, may_manage_officials
from domain.records import Official, OfficialRole, Pending, Record, RecordStatus
from domain.settings import CoreSettings
from handlers import conversations, invites, records
from handlers.broadcast import queue_broadcast
from handlers.callbacks import ProgressButton, RecordButton
from handlers.flows.info import Info
from handlers.notify import CARD_ACTIONS, Notifier
from handlers.render import Renderer
from handlers.supplement import supplement_button
from handlers.text import clean_text, one_line
from storage import UnitOfWork

log = logging.getLogger(__name__)

NOTE_MAX = 2000
OPEN_STATUSES = lifecycle.OPEN


@dataclass(slots=True)
class StaffTurn:
    inbound: Inbound
    now: datetime
    uow: UnitOfWork
    settings: CoreSettings
    commune: CommuneSettings
    renderer: Renderer
    official: Official | None
    pending: Pending | None
    replies: list[Reply] = field(default_factory=list)
    notifier: Notifier = field(init=False)

    def __post_init__(self) -> None:
        self.notifier = Notifier(self.uow, self.renderer, self.commune, self.now)

    @property
    def active(self) -> bool:
        return self.official is not None and self.official.active

    @property
    def actor(self) -> Actor:
        return Actor.for_official(self.official) if self.official else GROUP

    @property
    def viewer(self) -> Actor:
        """Whose eyes a message in this chat is for: everyone's, in a group."""
        return GROUP if self.inbound.is_group else self.actor

    def say(
        self,
        template: str,
        /,
        rows: Sequence[Sequence[Button]] = (),
        record_code: str | None = None,
        **ctx: Any,
    ) -> None:
        ctx.setdefault("commune", self.commune)
        self.replies.append(
            Reply(
                channel=self.inbound.channel,
                chat_id=self.inbound.chat_id,
                text=self.renderer.render(template, **ctx),
                rows=tuple(tuple(r) for r in rows),
                priority=Priority.INTERACTIVE,
                record_code=record_code,
            )
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.commune.timezone)


def command_name(text: str) -> tuple[str, str]:
    head, _, args = text[1:].partition(" ")
    return head.split("@", 1)[0].casefold(), args.strip()


def claims(inbound: Inbound, official: Official | None, pending: Pending | None) -> bool:
    """Whether this private-chat inbound is for the officials' side (groups always are)."""
    if inbound.is_group:
        return True
    if inbound.button == RESUME and official is not None and official.active:
        return True  # an official's terminal reopening: nothing to show (no citizen notice)
    if inbound.button is not None:
        return inbound.button.startswith((RecordButton.PREFIX, ProgressButton.PREFIX))
    text = (inbound.text or "").strip()
    if text.startswith("/"):
        name, _ = command_name(text)
        return name in COMMANDS or name == "thamgia" or (name == "huy" and pending is not None)
    if official is not None and not official.active:
        # A revoked official replying to the bot, or typing the step they were revoked
        # during: told so, not taken for a citizen's first message.
        return bool(text) and (inbound.reply_to_message is not None or official.step_interrupted)
    active = official is not None and official.active
    # While a step waits for the official's text, whatever they send is for it (a photo
    # or an empty message is asked again, not taken for a citizen's first contact).
    return active and (pending is not None or (inbound.reply_to_message is not None and bool(text)))


async def handle(turn: StaffTurn) -> None:
    inbound = turn.inbound
    if inbound.button is not None:
        if inbound.button.startswith((RecordButton.PREFIX, ProgressButton.PREFIX)):
            await press(turn, inbound.button)
        return  # other buttons in a group belong to nobody here
    text = clean_text(inbound.text or "")
    if text.startswith("/"):
        name, args = command_name(text)
        if name == "thamgia":
            await join(turn, args)
        elif name in COMMANDS:
            if not turn.active:
                turn.say("official_only", revoked=turn.official is not None)
                return
            await COMMANDS[name](turn, args)
        elif name == "huy" and turn.pending is not None and turn.official is not None:
            await turn.uow.clear_pending(turn.official.id)
            turn.say("staff_cancelled")
        elif inbound.is_group and name in ("start", "gopy", "tracuu", "cuatoi", "trogiup"):
            turn.say("group_ignored")
        return
    revoked = turn.official is not None and not turn.official.active
    if revoked and turn.official is not None and (not inbound.is_group or inbound.reply_to_message):
        # (in a group, chatter stays ignored; a reply to the bot is answered)
        if turn.official.step_interrupted:
            await turn.uow.clear_step_interrupted(turn.official.id)
        turn.say("official_only", revoked=True)
        return
    if inbound.reply_to_message is not None and await reply_to_notification(turn, text):
        return
    pending = turn.pending
    if turn.active and pending is not None and _answers_prompt(turn, pending):
        await complete_pending(turn, pending, text)


def _answers_prompt(turn: StaffTurn, pending: Pending) -> bool:
    """Private chat: the next message. Group: only the presser's reply, in that group."""
    inbound = turn.inbound
    if not inbound.is_group:
        return True
    return inbound.reply_to_message is not None and pending.chat_id == inbound.chat_id


# --- buttons --------------------------------------------------------------------------


async def press(turn: StaffTurn, data: str) -> None:
    if data.startswith(ProgressButton.PREFIX):
        await broadcast_progress(turn, data)
        return
    parsed = RecordButton.unpack(data)
    if not turn.active or turn.official is None:
        turn.say("official_only", revoked=turn.official is not None)
        return
    if parsed is None:
        turn.say("stale_button")
        return
    record = await turn.uow.get_record(parsed.code)
    action, version = parsed.action, parsed.version
    if record is None or action not in NOTIFY_ACTIONS:
        turn.say("stale_button")
        return
    if not allowed(turn.actor, record, Perm.VIEW):
        # A card from before a transfer, or another office's record.
        await refuse(turn, record, action, "gone" if version != record.version else "not_allowed")
        return
    if version != record.version:
        await refuse(turn, record, action, "conflict")
        return
    if needs_text(record, action):
        if not lifecycle.can(turn.actor, record, action):
            await refuse(turn, record, action, _why_not(turn, record, action))
            return
        await turn.uow.set_pending(
            turn.official.id,
            record.id,
            action.value,
            turn.inbound.chat_id,
            turn.now,
            record.version,
        )
        turn.say(
            "staff_prompt",
            # In a group the prompt is not a notification: a colleague's reply to it must not
            # count as Trả lời; the presser's reply finds their pending step instead.
            record_code=None if turn.inbound.is_group else record.code,
            code=record.code,
            action=action.value,
            group=turn.inbound.is_group,
            offices=[o for o in turn.commune.offices if o.code != record.office_code],
            candidates=await _candidates(turn, record) if action is Action.ASSIGN else [],
        )
        return
    await perform(turn, record, action, expected_version=version)


def needs_text(record: Record, action: Action) -> bool:
    if action is Action.COMPLETE:
        return record.status is not RecordStatus.ANSWERED
    return action in lifecycle.NEEDS_NOTE or action is Action.ASSIGN


async def _candidates(turn: StaffTurn, record: Record) -> list[dict[str, Any]]:
    """Who a record may be assigned to (Giao): its office's officials, and the leaders."""
    return [
        {"id": o.id, "name": o.display_name, "role": o.role.value}
        for o in await turn.uow.list_officials(turn.commune.code)
        if lifecycle.may_handle(o, record)
    ]


def _why_not(turn: StaffTurn, record: Record, action: Action) -> str:
    if (action, record.status) not in lifecycle.TRANSITIONS:
        return "bad_transition"
    return "not_allowed"


async def refuse(
    turn: StaffTurn, record: Record | None, action: Action | None, reason: str
) -> None:
    if reason == "not_allowed":
        log.warning(
            "official %s refused %s on %s",
            turn.official.id if turn.official else None,
            action.value if action else None,
            record.code if record else None,
        )
    handler = None
    if record is not None and record.handler_id:
        found = await turn.uow.get_official_by_id(record.handler_id)
        handler = found.display_name if found else None
    visible = record is not None and allowed(turn.actor, record, Perm.VIEW)
    turn.say(
        "staff_refused",
        record_code=record.code if record else None,
        reason=reason,
        code=record.code if record else None,
        action=action.value if action else None,
        status=record.status.value if record and visible else None,
        handler=handler if visible else None,
    )


# --- doing a step ---------------------------------------------------------------------


async def perform(
    turn: StaffTurn,
    record: Record,
    action: Action,
    *,
    note: str | None = None,
    office_code: str | None = None,
    expected_version: int | None = None,
    assignee: Official | None = None,
) -> None:
    try:
        done = await records.apply(
            turn.uow,
            turn.commune,
            record,
            action,
            turn.actor,
            turn.now,
            note=note,
            office_code=office_code,
            expected_version=expected_version,
            assignee=assignee,
        )
    except LifecycleError as exc:
        await refuse(turn, record, action, exc.reason)
        return
    if turn.official is not None:
        await turn.uow.clear_pending(turn.official.id)
    await announce(turn, done)


async def announce(turn: StaffTurn, done: lifecycle.Done) -> None:
    """Confirm in this chat, tell the citizen, and tell whoever else needs to know."""
    record = done.after
    notifier = turn.notifier
    who = turn.official.display_name if turn.official else ""
    office = turn.commune.office(record.office_code)
    rows = notifier.rating_rows(record) if done.action in (Action.REPLY, Action.COMPLETE) else ()
    direct = False
    if done.action is Action.ASK_INFO and record.citizen_id is not None:
        rows = ((supplement_button(turn.renderer, record.code),),)
        direct = await _citizen_is_idle(turn, record.citizen_id)
    told = done.action is not Action.ASSIGN and await notifier.to_citizen(
        record, "citizen_update", rows, event=done.event, note=done.note, direct=direct
    )
    turn.say(
        "staff_done",
        notifier.card_buttons(record, turn.viewer),
        record_code=record.code,
        code=record.code,
        event=done.event,
        who=who,
        at=turn.local(turn.now),
        note=done.note,
        office_name=office.name if office else record.office_code,
        due=turn.local(record.due_at),
        unreachable=not told and done.action in REACHES_CITIZEN,
    )
    if told and direct and record.citizen_id is not None:
        await _await_citizen_info(turn, record, record.citizen_id)
    here = {(turn.inbound.channel, turn.inbound.chat_id)}
    if done.action is Action.ASSIGN and record.handler_id is not None:
        assignee = await turn.uow.get_official_by_id(record.handler_id)
        if assignee is not None and (assignee.channel, assignee.external_id) not in here:
            await notifier.to_officials([assignee], record, "official_assigned", who=who)
            here.add((assignee.channel, assignee.external_id))
    if done.action is Action.TRANSFER:
        old = turn.commune.office(done.before.office_code)
        await notifier.to_office(
            record, "office_new", transferred_from=old.name if old else None, reason=done.note
        )
    else:
        await notifier.to_office(
            record,
            "office_event",
            buttons=False,
            skip=here,
            event=done.event,
            who=who,
            note=done.note,
        )


async def _citizen_is_idle(turn: StaffTurn, citizen_id: int) -> bool:
    """Whether the citizen is at the menu (not in a draft, a question or another step)."""
    return await conversations.is_idle(turn.uow, citizen_id)


async def _await_citizen_info(turn: StaffTurn, record: Record, citizen_id: int) -> None:
    """Put an idle citizen's conversation in the 'answer the request' state for this
    record (their data — a kept draft — stays). A citizen in the middle of something is
    never moved: the request's «Bổ sung» button starts the answer when they are ready."""
    await conversations.move(turn.uow, citizen_id, Info.ANSWER, turn.now, info_code=record.code)


async def complete_pending(turn: StaffTurn, pending: Pending, text: str) -> None:
    record = await turn.uow.get_record_by_id(pending.record_id)
    if record is None:
        return
    if not text:
        turn.say("staff_prompt_again", code=record.code, record_code=record.code)
        return
    action = Action(pending.action)
    if pending.version is not None and pending.version != record.version:
        # Someone moved the record since the button was pressed: do not act on old facts.
        await turn.uow.clear_pending(pending.official_id)
        await refuse(turn, record, action, "changed")
        return
    await _with_text(turn, record, action, text)


async def _with_text(turn: StaffTurn, record: Record, action: Action, text: str) -> None:
    text = text.strip()
    if len(text) > NOTE_MAX:
        turn.say("input_too_long", length=len(text), limit=NOTE_MAX)
        return
    office_code = None
    if action is Action.ASSIGN:
        if not lifecycle.can(turn.actor, record, action):
            await refuse(turn, record, action, _why_not(turn, record, action))
            return
        number = text.split(maxsplit=1)[0].lstrip("#")
        assignee = await turn.uow.get_official_by_id(int(number)) if number.isdigit() else None
        if assignee is None or not lifecycle.may_handle(assignee, record):
            turn.say(
                "staff_assign_usage",
                record_code=record.code,
                code=record.code,
                candidates=await _candidates(turn, record),
            )
            return
        await perform(turn, record, action, assignee=assignee)
        return
    if action is Action.TRANSFER:
        head, _, reason = text.partition(" ")
        office_code = head.upper()
        if turn.commune.office(office_code) is None or not reason.strip():
            turn.say(
                "staff_transfer_usage",
                record_code=record.code,
                code=record.code,
                offices=[o for o in turn.commune.offices if o.code != record.office_code],
            )
            return
        text = reason
    await perform(turn, record, action, note=text, office_code=office_code)


async def reply_to_notification(turn: StaffTurn, text: str) -> bool:
    """A reply to the bot's message about a record: the pending step, else Trả lời.

    False when the message replied to was not about a record (nothing was done).
    """
    message_id = turn.inbound.reply_to_message or ""
    code = await turn.uow.record_code_for_message(
        turn.inbound.channel, turn.inbound.chat_id, message_id
    )
    if code is None:
        return False
    if not turn.active:
        turn.say("official_only", revoked=turn.official is not None)
        return True
    record = await turn.uow.get_record(code)
    if record is None or not text:
        return True
    pending = turn.pending
    if pending is not None and pending.record_id == record.id:
        await complete_pending(turn, pending, text)
    else:
        await _with_text(turn, record, Action.REPLY, text)
    return True


# --- commands -------------------------------------------------------------------------


async def _record_from(turn: StaffTurn, args: str) -> tuple[Record | None, str]:
    """The record a command names first, and the rest of the line."""
    code_text, _, rest = args.partition(" ")
    if not code_text:
        turn.say("staff_usage")
        return None, ""
    try:
        parsed = tracking_code.parse_code(code_text)
    except tracking_code.InvalidCode:
        example = tracking_code.make_code(turn.commune.code, turn.local(turn.now), "7KQ3X")
        turn.say("lookup_invalid", text=code_text[:40], example_code=example)
        return None, ""
    record = await turn.uow.get_record(parsed.code)
    if record is not None and not allowed(turn.actor, record, Perm.VIEW):
        log.warning(
            "official %s refused access to %s",
            turn.official.id if turn.official else None,
            record.code,
        )
        record = None
    if record is None:
        # Same answer for "no such record" and "not yours": nothing leaks.
        turn.say("lookup_not_found", code=parsed.code)
        return None, ""
    return record, rest.strip()


def _step_command(action: Action) -> Callable[[StaffTurn, str], Awaitable[None]]:
    async def run(turn: StaffTurn, args: str) -> None:
        record, rest = await _record_from(turn, args)
        if record is None:
            return
        if needs_text(record, action) and not rest:
            if action is Action.ASSIGN:
                turn.say(
                    "staff_assign_usage",
                    record_code=record.code,
                    code=record.code,
                    candidates=await _candidates(turn, record),
                )
            else:
                turn.say("staff_usage", action=action.value)
            return
        if action is Action.TRANSFER or rest:
            await _with_text(turn, record, action, rest)
        else:
            await perform(turn, record, action)

    return run


async def show(turn: StaffTurn, args: str) -> None:
    record, _ = await _record_from(turn, args)
    if record is None:
        return
    card = await turn.notifier.card(record, turn.viewer)
    events = await turn.uow.list_events(record.id, visible_only=False)
    turn.say(
        "staff_card",
        turn.notifier.card_buttons(record, turn.viewer),
        record_code=record.code,
        card=card,
        events=[{"at": turn.local(e.at), "action": e.action, "note": e.note} for e in events],
    )


def _scope(turn: StaffTurn) -> str | None:
    """The office whose records an official sees (None: the whole commune, for leaders)."""
    official = turn.official
    if official is None or official.role is OfficialRole.LEADER:
        return None
    return official.office_code


async def queue(turn: StaffTurn, args: str) -> None:
    page = int(args) if args.isdigit() and int(args) > 0 else 1
    size = turn.settings.bot.queue_page_size
    office = _scope(turn)
    total = await turn.uow.count_open_records(turn.commune.code, office, OPEN_STATUSES)
    open_records = await turn.uow.list_open_records(
        turn.commune.code, office, OPEN_STATUSES, size, (page - 1) * size
    )
    turn.say(
        "staff_queue",
        items=[_item(turn, r) for r in open_records],
        page=page,
        pages=max(1, -(-total // size)),
        total=total,
        office_name=_office_name(turn, office),
    )


async def overdue(turn: StaffTurn, _args: str) -> None:
    days = turn.settings.bot.reminder_days
    horizon = turn.now + timedelta(days=days + 1)
    open_records = await turn.uow.list_open_records(
        turn.commune.code, _scope(turn), OPEN_STATUSES, 100, due_before=horizon
    )
    tz = turn.commune.timezone
    late = [r for r in open_records if r.due_at < turn.now]
    soon = [r for r in open_records if due_within(r.due_at, turn.now, days, tz)]
    turn.say(
        "staff_overdue",
        late=[_item(turn, r) for r in late],
        soon=[_item(turn, r) for r in soon],
        days=days,
    )


def _item(turn: StaffTurn, record: Record) -> dict[str, Any]:
    return {
        "code": record.code,
        "kind": record.kind.value,
        "status": record.status.value,
        "due": turn.local(record.due_at),
        "overdue": record.due_at < turn.now,
        "office": record.office_code,
        "summary": shorten(record.description, SUMMARY_MAX),
    }


SUMMARY_MAX = 60


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word boundary with "…"."""
    line = one_line(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def _office_name(turn: StaffTurn, office_code: str | None) -> str | None:
    office = turn.commune.office(office_code) if office_code else None
    return office.name if office else None


async def join(turn: StaffTurn, args: str) -> None:
    if turn.inbound.is_group:
        turn.say("staff_join_private")
        return
    code, _, name = args.partition(" ")
    if not code:
        turn.say("staff_join_result", reason="usage")
        return
    try:
        official = await invites.join(
            turn.uow, code, turn.inbound.channel, turn.inbound.user_id, one_line(name), turn.now
        )
    except invites.InviteError as exc:
        log.info("invite refused: %s", exc.reason)
        turn.say("staff_join_result", reason=exc.reason)
        return
    office = turn.commune.office(official.office_code)
    log.info("official %s joined office %s as %s", official.id, official.office_code, official.role)
    turn.say(
        "staff_join_result",
        reason="ok",
        name=official.display_name,
        role=official.role.value,
        office_name=office.name if office else official.office_code,
    )


async def invite(turn: StaffTurn, args: str) -> None:
    if not may_manage_officials(turn.official, turn.commune.code) or turn.official is None:
        turn.say("official_only", revoked=False, admin=True)
        return
    parts = args.split(maxsplit=2)
    try:
        role = OfficialRole(parts[1].lower()) if len(parts) >= 2 else None
    except ValueError:
        role = None
    if role is None:
        turn.say("staff_invite", reason="usage", offices=turn.commune.offices)
        return
    try:
        made = await invites.make_invite(
            turn.uow,
            turn.settings,
            turn.commune,
            parts[0],
            role,
            parts[2] if len(parts) > 2 else None,
            f"official:{turn.official.id}",
            turn.now,
        )
    except invites.InviteError:
        turn.say("staff_invite", reason="unknown_office", offices=turn.commune.offices)
        return
    turn.say(
        "staff_invite",
        reason="ok",
        code=made.code,
        role=made.role.value,
        office_name=_office_name(turn, made.office_code),
        expires=turn.local(made.expires_at),
    )


async def list_officials(turn: StaffTurn, _args: str) -> None:
    if not may_manage_officials(turn.official, turn.commune.code):
        turn.say("official_only", revoked=False, admin=True)
        return
    officials = await turn.uow.list_officials(turn.commune.code)
    turn.say(
        "staff_officials",
        officials=[
            {
                "id": o.id,
                "name": o.display_name,
                "role": o.role.value,
                "office": _office_name(turn, o.office_code),
            }
            for o in officials
        ],
    )


async def revoke(turn: StaffTurn, args: str) -> None:
    if not may_manage_officials(turn.official, turn.commune.code) or turn.official is None:
        turn.say("official_only", revoked=False, admin=True)
        return
    target = await turn.uow.get_official_by_id(int(args)) if args.isdigit() else None
    if target is None or target.commune_code != turn.commune.code or target.id == turn.official.id:
        turn.say("staff_revoked", ok=False)
        return
    ok = await turn.uow.revoke_official(target.id, turn.now)
    log.info("official %s revoked by %s", target.id, turn.official.id)
    handled = await tell_reassign(turn.notifier, target) if ok else []
    turn.say(
        "staff_revoked",
        ok=ok,
        name=target.display_name,
        handled=[r.code for r in handled],
    )


async def tell_reassign(notifier: Notifier, revoked: Official) -> list[Record]:
    """Tell the heads of a revoked official's office and the leaders which open records
    they handled, so each can be given to someone else (Giao). Codes only: a list is no
    place for a denouncer's identity."""
    uow = notifier.uow
    handled = await uow.list_handled_open_records(revoked.id, OPEN_STATUSES)
    if not handled:
        return []
    readers = [
        o
        for o in await uow.list_officials(notifier.commune.code)
        if o.id != revoked.id
        and (
            o.role is OfficialRole.LEADER
            or (o.role is OfficialRole.HEAD and o.office_code == revoked.office_code)
        )
    ]
    tz = notifier.commune.timezone
    text = notifier.render(
        "official_reassign",
        name=revoked.display_name,
        items=[
            {
                "code": r.code,
                "kind": r.kind.value,
                "office": r.office_code,
                "due": r.due_at.astimezone(tz),
            }
            for r in handled
        ],
    )
    for reader in readers:
        notifier.out.append(
            Reply(
                channel=reader.channel,
                chat_id=reader.external_id,
                text=text,
                priority=Priority.NOTIFICATION,
            )
        )
    if not readers:
        log.warning(
            "official %s revoked with %d open records and no head or leader to tell",
            revoked.id,
            len(handled),
        )
    return handled


async def announce_to_subscribers(turn: StaffTurn, args: str) -> None:
    """/thongbao [Thôn … |] nội dung — an announcement to the commune's subscribers."""
    if not may_broadcast(turn.official, turn.commune.code) or turn.official is None:
        turn.say("official_only", revoked=False, admin=True)
        return
    hamlet, bar, text = args.partition("|")
    if not bar:
        hamlet, text = "", args
    hamlet, text = hamlet.strip(), text.strip()
    if not text or (hamlet and hamlet not in turn.commune.hamlets):
        turn.say("staff_broadcast", reason="usage", hamlets=turn.commune.hamlets)
        return
    queued = await queue_broadcast(
        turn.uow, turn.renderer, turn.commune, text, hamlet or None, turn.now
    )
    log.info("announcement queued by official %s: %d messages", turn.official.id, queued.count)
    rows = []
    if queued.first_id is not None and queued.last_id is not None:
        data = ProgressButton(queued.first_id, queued.last_id).pack()
        rows = [[Button(turn.renderer.label("btn.progress"), data)]]
    turn.say("staff_broadcast", rows, reason="ok", count=queued.count, hamlet=hamlet or None)


async def broadcast_progress(turn: StaffTurn, data: str) -> None:
    """The «Xem tiến độ» button under /thongbao's answer: sent, waiting, failed."""
    pressed = ProgressButton.unpack(data)
    if not (may_broadcast(turn.official, turn.commune.code) and pressed is not None):
        turn.say("stale_button")
        return
    counts = await turn.uow.outbox_progress(pressed.first_id, pressed.last_id)
    rows = [[Button(turn.renderer.label("btn.progress"), data)]] if counts.get("pending") else []
    turn.say(
        "staff_broadcast_progress",
        rows,
        sent=counts.get("sent", 0),
        pending=counts.get("pending", 0),
        failed=counts.get("failed", 0),
    )


async def staff_help(turn: StaffTurn, _args: str) -> None:
    turn.say(
        "staff_help",
        admin=may_manage_officials(turn.official, turn.commune.code),
        announcer=may_broadcast(turn.official, turn.commune.code),
    )


COMMANDS: Mapping[str, Callable[[StaffTurn, str], Awaitable[None]]] = {
    "hangdoi": queue,
    "quahan": overdue,
    "xem": show,
    "tiepnhan": _step_command(Action.TAKE),
    "bosung": _step_command(Action.ASK_INFO),
    "traloi": _step_command(Action.REPLY),
    "chuyen": _step_command(Action.TRANSFER),
    "tuchoi": _step_command(Action.REJECT),
    "hoanthanh": _step_command(Action.COMPLETE),
    "giahan": _step_command(Action.EXTEND),
    "giao": _step_command(Action.ASSIGN),
    "moi": invite,
    "canbo": list_officials,
    "thuhoi": revoke,
    "huongdan": staff_help,
    "thongbao": announce_to_subscribers,
}

# Steps whose point is a message to the citizen (the official hears if it cannot arrive).
REACHES_CITIZEN = frozenset({Action.ASK_INFO, Action.REPLY, Action.COMPLETE, Action.REJECT})

# The steps a record button may carry: those its card offers.
NOTIFY_ACTIONS = frozenset(CARD_ACTIONS)
