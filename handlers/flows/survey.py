"""The one-stop desk's satisfaction survey, opened by the QR poster at a desk.

The poster's deep link arrives as `/start khaosat_QUAY1` (`domain.surveys.SurveyLink`);
`/start` hands it here. Four questions on a 1–5 scale (the officials' attitude, the
waiting time, how clearly the procedure was explained, overall satisfaction), each a row
of five buttons (typing the digit works too), then an optional comment. Nothing is kept
until the end: the scores wait in the conversation, and the response and its mark are
written together (`uow.surveys.add`), the response without anything of the person.

Anonymous, so no consent is asked: someone new can answer before the notice on personal
data. One response per person, desk and local day; a second is refused politely, both
when the link is opened and at the end (two chats at once).
"""

from __future__ import annotations

from enum import StrEnum

from domain.surveys import COMMENT_MAX, QUESTIONS, SCORES, SurveyLink
from handlers.router import FlowRouter
from handlers.text import has_words, one_line
from handlers.turn import Turn

router = FlowRouter("survey")
KEY = "survey"


class Survey(StrEnum):
    ATTITUDE = "survey.attitude"
    WAITING = "survey.waiting"
    GUIDANCE = "survey.guidance"
    OVERALL = "survey.overall"
    COMMENT = "survey.comment"


STEPS = (Survey.ATTITUDE, Survey.WAITING, Survey.GUIDANCE, Survey.OVERALL)
QUESTION_OF = dict(zip(STEPS, QUESTIONS, strict=True))


@router.entry()
async def start(turn: Turn, *, payload: str) -> None:
    """Open the survey of the desk the link names."""
    link = SurveyLink.parse(payload)
    if link is None or (link.commune_code and link.commune_code != turn.commune.code):
        turn.say("survey_unknown")
        await turn.go_idle()
        return
    day = turn.local(turn.now).date()
    if await turn.uow.surveys.answered(turn.citizen.id, turn.commune.code, link.desk, day):
        turn.say("survey_already", desk=link.desk)
        await turn.go_idle()
        return
    turn.data[KEY] = {"desk": link.desk, "scores": {}}
    turn.say("survey_intro", desk=link.desk, count=len(QUESTIONS))
    await turn.goto(STEPS[0])


async def _prompt(turn: Turn) -> None:
    question = QUESTION_OF[Survey(turn.state)]
    row = [(turn.renderer.label(f"btn.score_{n}"), str(n)) for n in SCORES]
    turn.say(
        "survey_question",
        [row],
        question=question,
        number=QUESTIONS.index(question) + 1,
        count=len(QUESTIONS),
    )


async def _handle(turn: Turn) -> None:
    state = Survey(turn.state)
    answer = turn.action or (turn.text or "").strip()
    if not (answer.isascii() and answer.isdigit() and int(answer) in SCORES):
        turn.say("survey_choose")
        await turn.reprompt()
        return
    survey = turn.data.get(KEY)
    if not isinstance(survey, dict):  # the conversation lost it: start again from the link
        turn.say("survey_unknown")
        await turn.go_idle()
        return
    survey["scores"][QUESTION_OF[state]] = int(answer)
    index = STEPS.index(state)
    await turn.goto(STEPS[index + 1] if index + 1 < len(STEPS) else Survey.COMMENT)


for _step in STEPS:
    router.prompt(_step)(_prompt)
    router.handle(_step)(_handle)


@router.prompt(Survey.COMMENT)
async def prompt_comment(turn: Turn) -> None:
    turn.say("survey_comment", [[turn.btn("btn.skip", "skip")]], limit=COMMENT_MAX)


@router.handle(Survey.COMMENT)
async def handle_comment(turn: Turn) -> None:
    comment: str | None = None
    if turn.action != "skip":
        if not (turn.text and has_words(turn.text)):
            turn.say("survey_comment_words")
            await turn.reprompt()
            return
        comment = one_line(turn.text)[:COMMENT_MAX]
    survey = turn.data.pop(KEY, None)
    scores = survey.get("scores", {}) if isinstance(survey, dict) else {}
    if not isinstance(survey, dict) or set(scores) != set(QUESTIONS):
        turn.say("survey_unknown")
        await turn.go_idle()
        return
    desk = str(survey["desk"])
    day = turn.local(turn.now).date()
    kept = await turn.uow.surveys.add(
        turn.citizen.id, turn.commune.code, desk, day, scores, comment
    )
    turn.say("survey_thanks" if kept else "survey_already", desk=desk)
    await turn.go_idle()
