"""Free text at the main menu: questions, reports, greetings.

Until the knowledge base is wired in, free text the core cannot place gets a polite
pointer to the menu.
"""

from __future__ import annotations

from handlers.turn import Turn


async def answer_free_text(turn: Turn) -> None:
    turn.say("not_understood")
    await turn.reprompt()


async def start(turn: Turn) -> None:
    turn.say("not_understood")
    await turn.reprompt()
