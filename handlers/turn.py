"""One turn of the conversation: what came in, the state it found, what goes out.

`BaseTurn` is what every turn has, a citizen's (`Turn`, here) or an official's
(`handlers.officials.turn.StaffTurn`): the inbound, the clock reading, the unit of work,
the settings, the commune and the renderer, and `say`. It is built with keywords only, and
holds no behaviour beyond rendering; a subclass says how a message is kept (`say_html`)
and what else the turn carries (each carries its conversation: `state`, `data`, `nonce`,
saved by the dispatcher through `handlers.conversations.save`).

`Turn` is a citizen's turn. Flows read `turn.text`, `turn.action`, `turn.inbound`, change
`turn.data`, speak with `turn.say(template, buttons)` and move by name, never by importing
another flow: `await turn.goto(state)` (shows the new step's prompt), `turn.go_idle()`,
`turn.start_flow("filing", kind=…, **prefill)`, `turn.ask_consent(then="filing")`,
`turn.welcome()`. Names resolve through the tables `handlers.router.include_routers`
built. Nothing is sent until the dispatcher commits the turn.

A button's data is packed here (`handlers.callbacks`): a step's own buttons carry the
conversation's nonce, which changes whenever the state changes, so a button from an older
step is recognised as stale; menu buttons (`m:…`) work from any message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from domain import tracking_code
from domain.communes import CommuneSettings
from domain.messages import Button, Inbound, Priority, Reply
from domain.records import Citizen
from domain.settings import CoreSettings
from handlers.callbacks import MenuButton, RatingButton, StepButton
from handlers.conversations import IDLE, TYPED_BUTTONS, flow_of
from handlers.render import Renderer
from handlers.text import label_form
from handlers.understanding import Knowledge
from storage import UnitOfWork

ButtonSpec = tuple[str, str]  # (label, action)
ButtonT = TypeVar("ButtonT")
# A flow's way in, called by name: `turn.start_flow(name, **arguments)`.
Entry = Callable[..., Awaitable[None]]

EXAMPLE_RANDOM = "7KQ3X"
# A report typed before the notice on personal data: held in the conversation only while
# the notice waits for the choice (any other step drops it; handlers/flows/consent.py).
HELD_REPORT = "held_report"
# Whether the channel may still show a native keyboard of an earlier message.
KEYBOARD_SHOWN = "_keyboard"  # the random part of the example tracking code in help texts


@dataclass(frozen=True, slots=True)
class Step:
    """A named state of a flow: how to ask, and how to take the answer."""

    prompt: Callable[[Turn], Awaitable[None]]
    handle: Callable[[Turn], Awaitable[None]]


@dataclass(slots=True, kw_only=True)
class BaseTurn(Generic[ButtonT]):
    """What every turn has. `ButtonT` is how the subclass's messages carry buttons.

    A subclass is a keyword-only dataclass that adds its fields and keeps its messages:
    `@dataclass(slots=True, kw_only=True) class StaffTurn(BaseTurn[Button])` with
    `say_html(text, rows, /)` (or a `say` of its own with extra keyword arguments, such as
    a record code; `buttons` is positional-only, so it may be named `rows` there).
    """

    inbound: Inbound
    now: datetime
    uow: UnitOfWork
    settings: CoreSettings
    commune: CommuneSettings
    renderer: Renderer

    def render(self, template: str, /, **context: Any) -> str:
        """A template rendered for this commune (`commune` in the context by default)."""
        context.setdefault("commune", self.commune)
        return self.renderer.render(template, **context)

    def say(
        self, template: str, buttons: Sequence[Sequence[ButtonT]] = (), /, **context: Any
    ) -> None:
        """Render `template` (with `context`) and keep it, with `buttons`, for the commit."""
        self.say_html(self.render(template, **context), buttons)

    def say_html(self, text: str, buttons: Sequence[Sequence[ButtonT]] = (), /) -> None:
        """Keep a message already rendered by a template (Telegram HTML)."""
        raise NotImplementedError

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.commune.timezone)

    def example_code(self) -> str:
        """A well-formed tracking code of this commune and month, for help texts."""
        return tracking_code.make_code(self.commune.code, self.local(self.now), EXAMPLE_RANDOM)


@dataclass(slots=True)
class _Pending:
    text: str
    rows: list[list[ButtonSpec]]
    request_location: bool
    request_contact: bool


@dataclass(slots=True, kw_only=True)
class Turn(BaseTurn[ButtonSpec]):
    citizen: Citizen
    steps: Mapping[str, Step]
    entries: Mapping[str, Entry]
    knowledge: Knowledge
    state: str
    data: dict[str, Any]
    nonce: int
    # One bot, several communes, and nobody said which: ask first (flows/commune.py).
    needs_commune: bool = False
    # The text reads as an emergency (113/114/115): answered whatever else happens.
    urgent: bool = False
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
        buttons: Sequence[Sequence[ButtonSpec]] = (),
        /,
        *,
        request_location: bool = False,
        request_contact: bool = False,
        **context: Any,
    ) -> None:
        self.say_html(
            self.render(template, **context),
            buttons,
            request_location=request_location,
            request_contact=request_contact,
        )

    def say_html(
        self,
        text: str,
        buttons: Sequence[Sequence[ButtonSpec]] = (),
        /,
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
        if flow_of(state) != "consent":
            self.data.pop(HELD_REPORT, None)
        if not quiet:
            await self.steps[state].prompt(self)

    async def reprompt(self) -> None:
        """Show the current step's prompt again (state and nonce unchanged)."""
        await self.steps[self.state].prompt(self)

    @property
    def is_idle(self) -> bool:
        return self.state == IDLE

    async def go_idle(self, *, quiet: bool = False) -> None:
        """Back to the main menu (its prompt shown unless `quiet`)."""
        await self.goto(IDLE, quiet=quiet)

    async def start_flow(self, name: str, /, **arguments: Any) -> None:
        """Enter the flow (or the flow's way in) declared as `name` by its router."""
        await self.entries[name](self, **arguments)

    async def ask_consent(self, *, then: str | None = None) -> None:
        """The notice on personal data; `then="filing"` continues to filing on "Đồng ý"."""
        await self.start_flow("consent", then=then)

    async def welcome(self) -> None:
        """/start: the notice for someone who has not chosen yet, otherwise the menu."""
        if not self.citizen.has_consented and not self.data.get("declined"):
            await self.ask_consent()
        else:
            self.data["_greet"] = True
            await self.go_idle()

    # --- the result --------------------------------------------------------------------

    def button_data(self, action: str) -> str:
        """A step's own action gets the nonce; a global button (a menu action, a rating of
        a record) is its own data, valid from any message."""
        if MenuButton.is_menu(action) or RatingButton.unpack(action) is not None:
            return action
        return StepButton(self.nonce, action).pack()

    def replies(self) -> list[Reply]:
        """The messages for the person, in order; remembers the last buttons for typing."""
        replies: list[Reply] = []
        typed: dict[str, str] = {}
        keyboard = any(p.request_location or p.request_contact for p in self._out)
        # A native keyboard shown before goes with the first message that has no buttons
        # of its own (Telegram keeps one markup per message); kept in mind until then.
        remove = bool(self.data.get(KEYBOARD_SHOWN)) and not keyboard
        for pending in self._out:
            rows = tuple(
                tuple(Button(label, self.button_data(action)) for label, action in row)
                for row in pending.rows
            )
            if rows:
                typed = {label_form(b.label): b.data for row in rows for b in row}
            replies.append(
                Reply(
                    channel=self.inbound.channel,
                    chat_id=self.inbound.chat_id,
                    text=pending.text,
                    rows=rows,
                    priority=Priority.INTERACTIVE,
                    request_location=pending.request_location,
                    request_contact=pending.request_contact,
                    remove_keyboard=remove and not rows,
                )
            )
            remove = remove and bool(rows)
        if self._out:
            self.data[TYPED_BUTTONS] = typed
            if keyboard or remove:
                self.data[KEYBOARD_SHOWN] = True
            else:
                self.data.pop(KEYBOARD_SHOWN, None)
        return replies
