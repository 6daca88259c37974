"""One router for the citizens' conversations: each flow declares itself in one place.

A flow module makes a `FlowRouter(name)` (aiogram's router-per-file) and declares, with
decorators, its steps (`@router.prompt(State.X)` and `@router.handle(State.X)`), its ways
in (`@router.entry()`, reached by name: `turn.start_flow("filing", …)`), its slash
commands (`@router.command("gopy", menu=2, label="cmd.gopy")`, in Telegram's command
menu when `menu` gives its place), its global menu actions (`@router.action("file")`, the
`m:file` buttons) and any button format of its own (`@router.button(RatingButton.PREFIX)`).

`include_routers(...)` (in `handlers/flows/__init__.py`) joins them into one `Routes`:
the step table, the entries, the command table, the menu actions and the Telegram command
menu, from that one source; a name declared twice is an error at import. A new flow is
one file plus one line there.

`Routes.resolve(turn)` sends one inbound where it names: a button to its handler (a stale
step button is said so), a slash command to its command, a typed button label to that
button, and anything else, after the dispatcher's `before_step` guards, to the current
step's `handle`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from handlers.callbacks import MenuButton, StepButton
from handlers.conversations import TYPED_BUTTONS, flow_of
from handlers.text import label_form, match_form
from handlers.turn import Entry, Step, Turn

Handler = Callable[[Turn], Awaitable[None]]
# A slash command or a menu action: the turn, and what follows the name ("/tracuu CODE").
Command = Callable[[Turn, str], Awaitable[None]]
Guard = Callable[[Turn], Awaitable[bool]]
F = TypeVar("F", bound=Callable[..., Awaitable[None]])
T = TypeVar("T")
# Labels of the conversation's controls: typed, or tapped on a channel's keyboard left from
# an earlier step, they are taken as a control and never as a step's data (a name, a place).
CONTROL_LABELS = (
    "btn.skip",
    "btn.continue",
    "btn.cancel",
    "btn.back",
    "btn.later",
    "btn.submit",
    "btn.send_location",
    "btn.send_contact",
    "btn.anonymous",
    "btn.leave_contact",
)
_EITHER = ("btn.skip", "btn.continue")  # the media step offers one or the other


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """An entry of the channel's command menu; the description is the label `label`."""

    name: str
    label: str
    several_communes_only: bool


class FlowRouter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.prompts: dict[str, Handler] = {}
        self.handles: dict[str, Handler] = {}
        self.entries: dict[str, Entry] = {}
        self.commands: dict[str, Command] = {}
        self.actions: dict[str, Command] = {}
        self.buttons: dict[str, Command] = {}
        self.menu: list[tuple[int, MenuCommand]] = []

    def include(self, *routers: FlowRouter) -> FlowRouter:
        """Take in the declarations of sub-routers of the same flow (a flow in several
        modules: `handlers/flows/filing/`); returns this router."""
        for router in routers:
            if router.name != self.name:
                raise ValueError(f"router {router.name!r} is not of the flow {self.name!r}")
            _join(self.prompts, router.prompts)
            _join(self.handles, router.handles)
            _join(self.entries, router.entries)
            _join(self.commands, router.commands)
            _join(self.actions, router.actions)
            _join(self.buttons, router.buttons)
            self.menu.extend(router.menu)
        return self

    def _check_state(self, state: str) -> None:
        if flow_of(state) != self.name:
            raise ValueError(f"state {state!r} is not of the flow {self.name!r}")

    def prompt(self, state: str) -> Callable[[Handler], Handler]:
        """How the step `state` asks (shown on entering it, and again on a reprompt)."""

        self._check_state(state)

        def register(func: Handler) -> Handler:
            _put(self.prompts, state, func)
            return func

        return register

    def handle(self, state: str) -> Callable[[Handler], Handler]:
        """How the step `state` takes the answer (`turn.text`, `turn.action`, …)."""

        self._check_state(state)

        def register(func: Handler) -> Handler:
            _put(self.handles, state, func)
            return func

        return register

    def entry(self, way: str | None = None) -> Callable[[F], F]:
        """A way into the flow, named `<flow>`, or `<flow>:<way>` when there are several
        (a `:`, so that a way in is never taken for a state, `<flow>.<step>`)."""
        name = f"{self.name}:{way}" if way else self.name

        def register(func: F) -> F:
            entry: Entry = func
            _put(self.entries, name, entry)
            return func

        return register

    def command(
        self,
        name: str,
        *,
        menu: int | None = None,
        label: str | None = None,
        several_communes_only: bool = False,
    ) -> Callable[[Command], Command]:
        """`/name`; with `menu` (its place) and `label` it is in the command menu."""
        if (menu is None) != (label is None):
            raise ValueError(f"/{name}: a menu command needs both its place and its label")

        def register(func: Command) -> Command:
            _put(self.commands, name, func)
            if menu is not None and label is not None:
                self.menu.append((menu, MenuCommand(name, label, several_communes_only)))
            return func

        return register

    def action(self, name: str) -> Callable[[Command], Command]:
        """The global button `m:name[:argument]`: works from any state."""

        def register(func: Command) -> Command:
            _put(self.actions, name, func)
            return func

        return register

    def button(self, prefix: str) -> Callable[[Command], Command]:
        """Buttons of a format of their own (`v:…`); the handler gets the whole data."""

        def register(func: Command) -> Command:
            _put(self.buttons, prefix, func)
            return func

        return register


def _put(table: dict[str, T], name: str, value: T) -> None:
    if name in table:
        raise ValueError(f"{name!r} is declared twice")
    table[name] = value


@dataclass(frozen=True, slots=True)
class Routes:
    steps: Mapping[str, Step]
    entries: Mapping[str, Entry]
    commands: Mapping[str, Command]
    actions: Mapping[str, Command]
    buttons: Mapping[str, Command]
    menu_commands: tuple[MenuCommand, ...] = field(default=())

    def menu(self, *, several_communes: bool) -> list[MenuCommand]:
        """The channel's command menu, in order (`/doixa` only where there is a choice)."""
        return [c for c in self.menu_commands if several_communes or not c.several_communes_only]

    async def resolve(self, turn: Turn, before_step: Sequence[Guard] = ()) -> None:
        """Send the turn where its inbound names; else, past `before_step`, to its step."""
        if turn.inbound.button is not None:
            await self.press(turn, turn.inbound.button)
            return
        if turn.text and turn.text.startswith("/"):
            await self.command(turn, turn.text)
            return
        form = match_form(turn.text) if turn.text else ""
        typed = turn.data.get(TYPED_BUTTONS, {}).get(form) if turn.text else None
        if typed:
            await self.press(turn, typed)
            return
        if turn.text and await self.control_word(turn, form):
            return
        for guard in before_step:
            if await guard(turn):
                return
        await turn.steps[turn.state].handle(turn)

    async def control_word(self, turn: Turn, form: str) -> bool:
        """A control's label typed (or tapped on a keyboard left from an earlier step) that
        the last message did not offer: «Hủy» cancels, «Bỏ qua» and «Tiếp tục» stand for
        each other; any other is refused with the step asked again. Never step data."""
        controls = {label_form(turn.renderer.label(key)): key for key in CONTROL_LABELS}
        key = controls.get(form)
        if key is None:
            return False
        typed: dict[str, str] = turn.data.get(TYPED_BUTTONS, {})
        if key == "btn.cancel":
            await self.press(turn, MenuButton("cancel").pack())
            return True
        if key in _EITHER:
            for other in _EITHER:
                data = typed.get(label_form(turn.renderer.label(other)))
                if data:
                    await self.press(turn, data)
                    return True
        turn.say("choose_button")
        if turn.state in turn.steps:
            await turn.reprompt()
        return True

    async def press(self, turn: Turn, data: str) -> None:
        for prefix, handler in self.buttons.items():
            if data.startswith(prefix):
                await handler(turn, data)
                return
        menu = MenuButton.unpack(data)
        action = self.actions.get(menu.action) if menu is not None else None
        step = StepButton.unpack(data) if menu is None else None
        if menu is not None and action is not None:
            await action(turn, menu.argument)
        elif step is not None and step.nonce == turn.nonce:
            turn.action = step.action
            await turn.steps[turn.state].handle(turn)
        else:
            turn.say("stale_button")
            await turn.reprompt()

    async def command(self, turn: Turn, text: str) -> None:
        head, _, args = text[1:].partition(" ")
        command = self.commands.get(head.split("@", 1)[0].casefold())
        if command is None:
            turn.say("unknown_command", command="/" + head[:32])
            await turn.reprompt()
            return
        await command(turn, args.strip())


def _join(table: dict[str, T], more: Mapping[str, T]) -> None:
    for name, value in more.items():
        _put(table, name, value)


def include_routers(*routers: FlowRouter) -> Routes:
    """Join the flows' declarations into one set of tables; refuses a half-declared step
    and a name declared by two flows."""
    steps: dict[str, Step] = {}
    entries: dict[str, Entry] = {}
    commands: dict[str, Command] = {}
    actions: dict[str, Command] = {}
    buttons: dict[str, Command] = {}
    menu: list[tuple[int, MenuCommand]] = []
    for router in routers:
        if set(router.prompts) != set(router.handles):
            half = sorted(set(router.prompts) ^ set(router.handles))
            raise ValueError(f"steps {half} need both a prompt and a handle")
        for state, prompt in router.prompts.items():
            _put(steps, state, Step(prompt, router.handles[state]))
        _join(entries, router.entries)
        _join(commands, router.commands)
        _join(actions, router.actions)
        _join(buttons, router.buttons)
        menu.extend(router.menu)
    places = [place for place, _ in menu]
    if len(set(places)) != len(places):
        raise ValueError(f"two menu commands share a place: {sorted(places)}")
    return Routes(
        steps=steps,
        entries=entries,
        commands=commands,
        actions=actions,
        buttons=buttons,
        menu_commands=tuple(command for _, command in sorted(menu, key=lambda m: m[0])),
    )
