"""A leader's dialogues in chat: `/doithoai` (list, create, the questions by topic) and
`/traloidt` (an answer against a question, sent to whoever asked).

- `/doithoai` — the commune's upcoming dialogues with their numbers, and how to make one;
- `/doithoai moi` — make one in a short guided flow (in the private chat): the bot asks the
  day and time, then the place, then the topic (the official's conversation is in
  `GUIDED`, its data the answers so far; `/huy` leaves it);
- `/doithoai 20/12/2026 08:00 | Hội trường UBND xã | Đất đai, xây dựng` — make one at once;
- `/doithoai SỐ` — its questions, grouped by topic (named ones with the asker's name);
- `/traloidt SỐ CÂU nội dung` — the answer to question CÂU, queued to the person who asked.

Leaders only (the commune's `leader` role): they hold the dialogue and may see the names
citizens chose to give. The CLI does the same (`danvan dialogue …`, bot/cli/dialogue.py).
"""

from __future__ import annotations

import logging
from datetime import date, time

from domain.records import OfficialRole
from faq.topics import TOPICS
from handlers import dialogues
from handlers.dialogues import DialogueError
from handlers.officials.turn import StaffTurn

log = logging.getLogger(__name__)
LISTED = 10
# The official's conversation while `/doithoai moi` asks its questions.
GUIDED = "officials.dialogue"
GUIDED_STEPS = ("when", "place", "topic")
NEW = ("moi", "mới")


def _leader(turn: StaffTurn) -> bool:
    official = turn.official
    return (
        official is not None
        and official.active
        and official.role is OfficialRole.LEADER
        and official.commune_code == turn.commune.code
    )


async def dialogue(turn: StaffTurn, args: str) -> None:
    """/doithoai [SỐ | NGÀY GIỜ | địa điểm | chủ đề]"""
    if not _leader(turn):
        turn.say("staff_dialogue", reason="leaders")
        return
    args = args.strip()
    if not args:
        upcoming = await turn.uow.dialogues.list_upcoming(turn.commune.code, turn.now)
        turn.say(
            "staff_dialogue",
            reason="list",
            dialogues=[(d, turn.local(d.starts_at)) for d in upcoming[:LISTED]],
        )
    elif args.isdigit():
        await _questions(turn, int(args))
    elif args.casefold() in NEW:
        if turn.inbound.is_group:
            turn.say("staff_dialogue", reason="private")
            return
        _move(turn, GUIDED, {"step": GUIDED_STEPS[0]})
        turn.say("staff_dialogue_step", step=GUIDED_STEPS[0], again=False)
    else:
        await _create(turn, args)


def _move(turn: StaffTurn, state: str, data: dict[str, str]) -> None:
    """The official's conversation to `state` (saved by the dispatcher: the nonce moves)."""
    turn.state, turn.data = state, data
    turn.nonce += 1


async def guided(turn: StaffTurn, text: str) -> None:
    """The text `/doithoai moi` waits for: the day and time, the place, then the topic."""
    if not _leader(turn):
        turn.end_step()
        turn.say("staff_dialogue", reason="leaders")
        return
    data = {k: str(v) for k, v in turn.data.items()}
    step = data.get("step", GUIDED_STEPS[0])
    text = text.strip()
    if step == "when":
        when = text.split()
        day = dialogues.parse_day(when[0]) if len(when) == 2 else None
        at = dialogues.parse_time(when[1]) if len(when) == 2 else None
        if day is None or at is None:
            turn.say("staff_dialogue_step", step="when", again=True)
            return
        data.update(day=day.isoformat(), time=at.strftime("%H:%M"), step="place")
    elif step == "place":
        data.update(place=text, step="topic")
    else:
        day = dialogues.parse_day(data.get("day", ""))
        at = dialogues.parse_time(data.get("time", ""))
        if day is None or at is None:  # the data was lost: start again
            _move(turn, GUIDED, {"step": GUIDED_STEPS[0]})
            turn.say("staff_dialogue_step", step="when", again=True)
            return
        await _make(turn, day, at, data.get("place", ""), text)
        return
    _move(turn, GUIDED, data)
    turn.say("staff_dialogue_step", step=data["step"], again=False)


async def _create(turn: StaffTurn, args: str) -> None:
    parts = [p.strip() for p in args.split("|")]
    when = parts[0].split() if parts else []
    day = dialogues.parse_day(when[0]) if len(when) == 2 else None
    at = dialogues.parse_time(when[1]) if len(when) == 2 else None
    if len(parts) != 3 or day is None or at is None:
        turn.say("staff_dialogue", reason="usage")
        return
    await _make(turn, day, at, parts[1], parts[2])


async def _make(turn: StaffTurn, day: date, at: time, place: str, topic: str) -> None:
    try:
        made = await dialogues.create(turn.uow, turn.commune, day, at, place, topic, turn.now)
    except DialogueError as exc:
        if turn.state == GUIDED:  # asked again from the step that was wrong
            step = "when" if exc.reason == "past" else exc.reason
            _move(turn, GUIDED, {**turn.data, "step": step})
            turn.say("staff_dialogue", reason=exc.reason)
            turn.say("staff_dialogue_step", step=step, again=True)
            return
        turn.say("staff_dialogue", reason=exc.reason)
        return
    turn.end_step()
    official_id = turn.official.id if turn.official else None
    log.info("dialogue %s made by official %s", made.dialogue.id, official_id)
    turn.say(
        "staff_dialogue",
        reason="made",
        dialogue=made.dialogue,
        starts=turn.local(made.dialogue.starts_at),
        too_soon=made.too_soon,
    )


async def _questions(turn: StaffTurn, dialogue_id: int) -> None:
    found = await turn.uow.dialogues.get_by_id(dialogue_id)
    if found is None or found.commune_code != turn.commune.code:
        turn.say("staff_dialogue", reason="unknown", number=dialogue_id)
        return
    questions = await turn.uow.dialogues.questions(found.id)
    other = turn.renderer.label("dialogue.no_topic")
    turn.say(
        "staff_dialogue_questions",
        dialogue=found,
        starts=turn.local(found.starts_at),
        registered=await turn.uow.dialogues.count_registered(found.id),
        groups=dialogues.by_topic(questions, TOPICS, other),
        total=len(questions),
    )


async def answer(turn: StaffTurn, args: str) -> None:
    """/traloidt SỐ CÂU nội dung"""
    if not _leader(turn):
        turn.say("staff_dialogue", reason="leaders")
        return
    parts = args.split(maxsplit=2)
    if len(parts) < 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        turn.say("staff_dialogue", reason="answer_usage")
        return
    found = await turn.uow.dialogues.get_by_id(int(parts[0]))
    if found is None or found.commune_code != turn.commune.code:
        turn.say("staff_dialogue", reason="unknown", number=int(parts[0]))
        return
    question = await turn.uow.dialogues.question(found.id, int(parts[1]))
    if question is None:
        turn.say("staff_dialogue", reason="no_question", number=int(parts[1]))
        return
    try:
        sent = await dialogues.answer(
            turn.uow, turn.renderer, turn.commune, found, question, parts[2], turn.now
        )
    except DialogueError:
        turn.say("staff_dialogue", reason="answer_usage")
        return
    turn.say("staff_dialogue", reason="answered", number=question.number, sent=sent)
