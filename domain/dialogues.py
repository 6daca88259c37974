"""Dialogues between the commune's head and the people (đối thoại), as storage keeps them.

A dialogue is a session at a time and place on a topic; citizens register for it and send
their questions in advance, named or anonymous as each chooses (the name shown to the
leader is the one the citizen gave after consent, read at the time it is shown, so an
erased citizen's question becomes anonymous). After the session an answer is entered
against each question by its number and sent to the person who asked.

Luật Tổ chức chính quyền địa phương 2025, Điều 43 (DOMAIN.md §3.6): at least one dialogue
conference a year; time, place and content announced at least 7 days before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# At least this many days between announcing a dialogue and holding it (Điều 43).
NOTICE_DAYS = 7
PLACE_MAX = 200
TOPIC_MAX = 200
QUESTION_MAX = 1000
ANSWER_MAX = 3000


@dataclass(frozen=True, slots=True)
class Dialogue:
    id: int
    commune_code: str
    starts_at: datetime
    place: str
    topic: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DialogueQuestion:
    id: int
    dialogue_id: int
    number: int
    citizen_id: int | None
    named: bool
    topic: str | None  # a topic of faq/data/topics.toml, None when none matched
    text: str
    created_at: datetime
    answer: str | None
    answered_at: datetime | None
    asker_name: str | None = None  # the citizen's name, only for a named question
    channel: str | None = None  # the asker's chat, where the answer goes
    chat_id: str | None = None


@dataclass(frozen=True, slots=True)
class Registrant:
    citizen_id: int
    channel: str
    chat_id: str
