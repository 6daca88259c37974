"""The citizens' side's policy before any step, as an ordered list of guards.

Each guard is `async (turn) -> bool`: True when it has answered the turn and nothing more
is to be done. The dispatcher runs `GUARDS` in order after loading the turn; the router
runs `BEFORE_STEP` only for input that goes to the current step (not a button, a command
or a typed label). The order is the policy: a reopened channel shows the step and stops;
a flood is counted before anything else is read (an emergency is answered even then); a
text too long is refused before it is understood; a commune is chosen before anything
else; someone new gets safety and their answer before the notice on personal data.
"""

from __future__ import annotations

import logging

from domain.messages import RESUME
from domain.surveys import SurveyLink
from handlers.flows import commune, lookup
from handlers.flows.filing import Filing
from handlers.free_text import answer_before_consent
from handlers.router import Guard
from handlers.text import clean_text
from handlers.turn import Turn

log = logging.getLogger(__name__)


async def resume(turn: Turn) -> bool:
    """A channel reopened (the terminal restarted): show the step the person is at; at
    the menu, the menu (so that a typed number means one of its buttons, not a question),
    unless messages wait to be shown: their buttons come first."""
    if turn.inbound.button != RESUME:
        return False
    if turn.is_idle:
        waiting = await turn.uow.outbox.pending(
            turn.inbound.channel, turn.now, 1, chat_id=turn.inbound.chat_id
        )
        if not waiting:
            await turn.reprompt()
    elif turn.state in turn.steps:
        await turn.reprompt()
    return True


async def flood(turn: Turn) -> bool:
    """Count this message in the person's current minute; True past the limit.

    The count lives in the conversation (no personal data). The first message over the
    limit gets one calm answer; the rest of that minute get none. An emergency is
    answered even in a flood. A local channel (the terminal: a piped script) is not
    limited.
    """
    if turn.inbound.local:
        return False
    start, count = turn.data.get("_minute", ["", 0])
    window = turn.now.replace(second=0, microsecond=0).isoformat()
    count = count + 1 if start == window else 1
    turn.data["_minute"] = [window, count]
    limit = turn.settings.bot.max_messages_per_minute
    if count == limit + 1:
        turn.say("flood", limit=limit)
    if count > limit and not turn.urgent:
        log.info("update %s/%s ignored: flood", turn.inbound.channel, turn.inbound.update_id)
        return True
    return False


async def too_long(turn: Turn) -> bool:
    """A text over the limit is refused, and `turn.text` is None for its answer. The
    dispatcher has cleaned the text into `turn.text` once (a turn built without it is
    cleaned here)."""
    if turn.inbound.text is None:
        return False
    cleaned = turn.text if turn.text is not None else clean_text(turn.inbound.text)
    limit = turn.settings.bot.max_text_length
    if len(cleaned) > limit:
        turn.text = None
        turn.say("input_too_long", length=len(cleaned), limit=limit)
        if turn.state in turn.steps:
            await turn.reprompt()
        else:
            await turn.welcome()
        return True
    turn.text = cleaned
    return False


async def needs_commune(turn: Turn) -> bool:
    if not turn.needs_commune or turn.state == commune.Commune.CHOOSE:
        return False
    if turn.text and turn.knowledge.is_emergency(turn.text):
        turn.say("emergency")
    await commune.ask(turn)
    return True


async def first_contact(turn: Turn) -> bool:
    """First contact, or a state this version no longer knows. Whatever someone new sends,
    safety and their question come before the notice: an emergency gets the hotline
    numbers, a clear question its answer, /tracuu CODE the record's status; then the
    notice on personal data."""
    if turn.state and turn.state in turn.steps:
        return False
    text = turn.text or ""
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        if head.casefold() == "start" and SurveyLink.parse(args) is not None:
            return False  # a desk's survey is anonymous: answered before any notice
        if head.split("@", 1)[0].casefold() == "tracuu" and args.strip():
            await lookup.describe(turn, args)
    elif text:
        await answer_before_consent(turn, text)
    await turn.welcome()
    return True


async def empty(turn: Turn) -> bool:
    inbound = turn.inbound
    if turn.text or inbound.attachments or inbound.location or inbound.offers_contact:
        return False
    turn.say("input_empty" if inbound.text is not None else "input_unsupported")
    await turn.reprompt()
    return True


async def urgent_in_step(turn: Turn) -> bool:
    """Safety first, whatever step the person is at. A description may well tell of
    danger ("bờ kênh sạt lở"), so it is kept; any other step's answer is not ("cháy nhà"
    is no hamlet), and the step is asked again."""
    if not turn.urgent or turn.is_idle:
        return False
    turn.say("emergency")
    if turn.state == Filing.DESCRIPTION:
        return False
    await turn.reprompt()
    return True


GUARDS: tuple[Guard, ...] = (resume, flood, too_long, needs_commune, first_contact)
# Only for input that goes to the current step (not a button, a command, a typed label).
BEFORE_STEP: tuple[Guard, ...] = (empty, urgent_in_step)
