"""One turn of the conversation: what came in, the state it found, what goes out.

Flows read `turn.text`, `turn.action`, `turn.inbound`, change `turn.data`, move with
`await turn.goto(state)` (which also shows the new step's prompt), and speak with
`turn.say(template, buttons=…)`. Nothing is sent until the dispatcher commits the turn.

Button data is `"<nonce>:<action>"`; the nonce changes whenever the state changes, so a
button from an older step is recognised as stale. Actions starting with `m:` are global
(menu items) and work from any message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.communes import CommuneSettings
from domain.messages import Button, Inbound, Priority, Reply
from domain.records import Citizen
from domain.settings import CoreSettings
from handlers.knowledge import Knowledge
from handlers.render import Renderer
from handlers.text import fold
from storage import UnitOfWork

GLOBAL_PREFIX = "m:"
# Sent by a channel that reopens (the terminal at start): show the current step again.

ButtonSpec = tuple[str, str]  # (label, action)


@dataclass(frozen=True, slots=True)
class Step:
    """A named state of a flow: how to ask, and how to take the answer."""

    prompt: Callable[[Turn], Awaitable[None]]
    handle: Callable[[Turn], Awaitable[None]]


@dataclass(slots=True)
class _Pending:
    text: str
    rows: list[list[ButtonSpec]]
    request_location: bool
    request_contact: bool


@dataclass(slots=True)
class Turn:
    inbound: Inbound
    now: datetime
    uow: UnitOfWork
    settings: CoreSettings
    commune: CommuneSettings
    citizen: Citizen
    renderer: Renderer
    steps: Mapping[str, Step]
    knowledge: Knowledge
    state: str
    data: dict[str, Any]
    nonce: int
    # One bot, several communes, and nobody said which: ask first (flows/commune.py).
    needs_commune: bool = False
    text: str | None = None
    action: str | None = None
    erased: bool = False
    notifications: list[Reply] = field(default_factory=list)
    _out: list[_Pending] = field(default_factory=list)

    # --- speaking ----------------------------------------------------------------------

    def btn(self, label_key: str, action: str) -> ButtonSpec:
        return (self.renderer.label(label_key), action)

    def say(
        self,
        template: str,
        /,
        buttons: Sequence[Sequence[ButtonSpec]] = (),
        *,
        request_location: bool = False,
        request_contact: bool = False,
        **context: Any,
    ) -> None:
        context.setdefault("commune", self.commune)
        self.say_html(
            self.renderer.render(template, **context),
            buttons,
            request_location=request_location,
            request_contact=request_contact,
        )

    def say_html(
        self,
        text: str,
        buttons: Sequence[Sequence[ButtonSpec]] = (),
        *,
        request_location: bool = False,
        request_contact: bool = False,
    ) -> None:
        """Send text already rendered by a template (Telegram HTML)."""
        self._out.append(
            _Pending(text, [list(row) for row in buttons], request_location, request_contact)
        )

    def said_count(self) -> int:
        """How many messages this turn has said so far."""
        return len(self._out)

    def add_buttons(self, buttons: Sequence[Sequence[ButtonSpec]]) -> None:
        """Attach buttons to the last message of this turn."""
        self._out[-1].rows.extend(list(row) for row in buttons)

    # --- moving ------------------------------------------------------------------------

    async def goto(self, state: str, *, quiet: bool = False) -> None:
        """Enter `state` and show its prompt (unless `quiet`: the caller already spoke)."""
        self.state = state
        self.nonce += 1
        if not quiet:
            await self.steps[state].prompt(self)

    async def reprompt(self) -> None:
        """Show the current step's prompt again (state and nonce unchanged)."""
        await self.steps[self.state].prompt(self)

    # --- the result --------------------------------------------------------------------

    def button_data(self, action: str) -> str:
        return action if action.startswith(GLOBAL_PREFIX) else f"{self.nonce}:{action}"

    def replies(self) -> list[Reply]:
        """The messages for the person, in order; remembers the last buttons for typing."""
        replies: list[Reply] = []
        typed: dict[str, str] = {}
        for pending in self._out:
            rows = tuple(
                tuple(Button(label, self.button_data(action)) for label, action in row)
                for row in pending.rows
            )
            if rows:
                typed = {fold(b.label): b.data for row in rows for b in row}
            replies.append(
                Reply(
                    channel=self.inbound.channel,
                    chat_id=self.inbound.chat_id,
                    text=pending.text,
                    rows=rows,
                    priority=Priority.INTERACTIVE,
                    request_location=pending.request_location,
                    request_contact=pending.request_contact,
                )
            )
        if self._out:
            self.data["_buttons"] = typed
        return replies
