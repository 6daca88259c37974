"""Dialogues with the commune's leaders: what the CLI, the leaders' chat commands, the
citizens' flow and the reminder job share (domain/dialogues.py).

- `create`: a dialogue from a date, a time, a place and a topic, checked (a calm reason
  when something is wrong; a session less than `NOTICE_DAYS` ahead is allowed, but
  `too_soon` says so, since the law asks for 7 days' notice);
- `by_topic`: the questions grouped by topic, for the leader (chat, DOCX, CLI);
- `answer`: an answer entered against a question, queued to the person who asked;
- `reminders`: the reminder the day before, once per registrant.

Answers go to whoever asked, named or anonymous (the question keeps the link to the
citizen's chat for that and nothing else); an erased citizen's question has nowhere to go.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.communes import CommuneSettings
from domain.dialogues import (
    ANSWER_MAX,
    NOTICE_DAYS,
    PLACE_MAX,
    TOPIC_MAX,
    Dialogue,
    DialogueQuestion,
)
from domain.messages import Priority, Reply
from handlers.render import Renderer
from handlers.text import has_words, one_line
from storage import UnitOfWork

NO_TOPIC = ""


class DialogueError(ValueError):
    """A dialogue that cannot be made as asked; `reason` names why (a template's case)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Created:
    dialogue: Dialogue
    too_soon: bool  # less than NOTICE_DAYS before the session


def parse_day(text: str) -> date | None:
    """`2026-12-20` or `20/12/2026`, else None."""
    text = text.strip()
    for parse in (_iso_day, _vn_day):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _iso_day(text: str) -> date:
    return date.fromisoformat(text)


def _vn_day(text: str) -> date:
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


def parse_time(text: str) -> time | None:
    """`08:00` or `8h30`, else None."""
    hours, sep, minutes = text.strip().lower().replace("h", ":").partition(":")
    if not sep or not (hours.isdigit() and (minutes.isdigit() or minutes == "")):
        return None
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        return None


async def create(
    uow: UnitOfWork,
    commune: CommuneSettings,
    day: date,
    at: time,
    place: str,
    topic: str,
    now: datetime,
) -> Created:
    """Make a dialogue; DialogueError("past" | "place" | "topic") when it cannot be."""
    place, topic = one_line(place), one_line(topic)
    if not has_words(place) or len(place) > PLACE_MAX:
        raise DialogueError("place")
    if not has_words(topic) or len(topic) > TOPIC_MAX:
        raise DialogueError("topic")
    starts_at = datetime.combine(day, at, tzinfo=commune.timezone)
    if starts_at <= now:
        raise DialogueError("past")
    dialogue = await uow.dialogues.add(commune.code, starts_at, place, topic, now)
    return Created(dialogue, starts_at - now < timedelta(days=NOTICE_DAYS))


def by_topic(
    questions: list[DialogueQuestion], topic_names: Mapping[str, str], other: str
) -> list[tuple[str, list[DialogueQuestion]]]:
    """(topic's name, its questions in order), the biggest group first, `other` last."""
    groups: dict[str, list[DialogueQuestion]] = defaultdict(list)
    for question in questions:
        key = question.topic if question.topic in topic_names else NO_TOPIC
        groups[key or NO_TOPIC].append(question)
    ordered = sorted(groups.items(), key=lambda g: (g[0] == NO_TOPIC, -len(g[1]), g[0]))
    return [(topic_names.get(key, other) if key else other, qs) for key, qs in ordered]


async def answer(
    uow: UnitOfWork,
    renderer: Renderer,
    commune: CommuneSettings,
    dialogue: Dialogue,
    question: DialogueQuestion,
    text: str,
    now: datetime,
) -> bool:
    """Keep the answer and queue it to the person who asked; False when nobody can get
    it (the citizen erased their data). Raises DialogueError("answer") for an empty or
    too long answer."""
    text = text.strip()
    if not has_words(text) or len(text) > ANSWER_MAX:
        raise DialogueError("answer")
    await uow.dialogues.set_answer(question.id, text, now)
    if question.channel is None or question.chat_id is None:
        return False
    body = renderer.render(
        "dialogue_answer",
        commune=commune,
        dialogue=dialogue,
        starts=dialogue.starts_at.astimezone(commune.timezone),
        question=question,
        answer=text,
    )
    reply = Reply(
        channel=question.channel,
        chat_id=question.chat_id,
        text=body,
        priority=Priority.NOTIFICATION,
    )
    await uow.outbox.enqueue(reply, now)
    return True


async def reminders(
    uow: UnitOfWork, renderer: Renderer, commune: CommuneSettings, now: datetime
) -> int:
    """Remind the registrants of the commune's dialogues held tomorrow (local days), each
    once; returns how many reminders were queued."""
    tomorrow = now.astimezone(commune.timezone).date() + timedelta(days=1)
    since = datetime.combine(tomorrow, time(0), tzinfo=commune.timezone)
    sent = 0
    for dialogue in await uow.dialogues.list_starting(
        commune.code, since, since + timedelta(days=1)
    ):
        body = renderer.render(
            "dialogue_reminder",
            commune=commune,
            dialogue=dialogue,
            starts=dialogue.starts_at.astimezone(commune.timezone),
        )
        for registrant in await uow.dialogues.to_remind(dialogue.id):
            if not await uow.dialogues.mark_reminded(dialogue.id, registrant.citizen_id, now):
                continue
            reply = Reply(
                channel=registrant.channel,
                chat_id=registrant.chat_id,
                text=body,
                priority=Priority.NOTIFICATION,
            )
            await uow.outbox.enqueue(reply, now)
            sent += 1
    return sent
