"""Whatever a person sends, in whatever order, the core answers calmly and stays consistent."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from domain.messages import Attachment, Location
from tests.conftest import Chat, Clock, settings_in

COMMANDS = ["/start", "/gopy", "/tracuu", "/tracuu CG-2611-7KQ3XD", "/cuatoi", "/huy",
            "/trogiup", "/xoadulieu", "/unknown", "/start@danvan_bot"]  # fmt: skip

actions = st.one_of(
    st.tuples(st.just("text"), st.text(max_size=300)),
    st.tuples(st.just("text"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("press"), st.integers(0, 12)),
    st.tuples(st.just("photo"), st.text(min_size=1, max_size=20)),
    st.tuples(st.just("location"), st.tuples(st.floats(-90, 90), st.floats(-180, 180))),
    st.tuples(st.just("stale"), st.text(max_size=70)),
)


async def play(tmp: Path, steps: list[tuple[str, object]]) -> None:
    app = await App.open(settings_in(tmp))
    clock = Clock()
    app.dispatcher.clock = clock
    apology = app.renderer.render("unexpected_error", hotline=app.settings.communes[0].hotline)
    try:
        chat = Chat(app, "fuzz")
        await chat.agree()
        for kind, value in steps:
            clock.advance(seconds=4)  # a brisk person, under the flood limit
            if kind == "text":
                await chat.send(str(value))
            elif kind == "press":
                buttons = [b for r in chat.replies for b in r.buttons]
                if buttons:
                    button = buttons[int(str(value)) % len(buttons)]
                    await chat.deliver(chat.inbound(button=button.data))
            elif kind == "photo":
                await chat.deliver(chat.inbound(attachments=(Attachment("photo", str(value)),)))
            elif kind == "location":
                lat, lon = value  # type: ignore[misc]
                await chat.deliver(chat.inbound(location=Location(lat, lon)))
            elif kind == "stale" and value:
                await chat.deliver(chat.inbound(button=str(value)[:64]))
            assert chat.replies, f"no answer to {kind} {value!r}"
            assert all(r.text != apology for r in chat.replies), f"crashed on {kind} {value!r}"
        async with app.storage.transaction() as uow:
            citizen = await uow.citizens.get("test", "fuzz")
            if citizen is not None:
                for record in await uow.records.list_for_citizen(citizen.id, 100):
                    events = await uow.events.list_for(record.id, visible_only=False)
                    assert events[0].action == "created"
    finally:
        await app.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=25))
def test_any_sequence_of_inputs_gets_calm_answers(steps: list[tuple[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(play(Path(tmp), steps))
