"""The router: the flows' declarations join into one set of tables, and names resolve."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from handlers.flows import ROUTES
from handlers.router import FlowRouter, include_routers
from handlers.turn import Turn

ROOT = Path(__file__).resolve().parent.parent


async def nothing(turn: Turn) -> None:
    return None


async def command(turn: Turn, args: str) -> None:
    return None


def test_the_command_menu_is_generated_from_the_flows_in_its_order() -> None:
    one = ["start", "gopy", "tracuu", "cuatoi", "huy", "trogiup", "xoadulieu"]
    assert [c.name for c in ROUTES.menu(several_communes=False)] == one
    assert [c.name for c in ROUTES.menu(several_communes=True)] == [*one, "doixa"]
    assert all(c.label == f"cmd.{c.name}" for c in ROUTES.menu(several_communes=True))
    assert set(ROUTES.commands) == {*one, "doixa"}


def test_every_name_a_flow_navigates_to_is_declared() -> None:
    named: set[str] = set()
    for path in (ROOT / "handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "start_flow"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(str(node.args[0].value))
    assert named, "no navigation found: the check itself is broken"
    assert named | {"consent"} <= set(ROUTES.entries)


def test_every_state_belongs_to_its_flow_and_has_a_prompt_and_a_handle() -> None:
    assert all(state.split(".")[0] for state in ROUTES.steps)
    router = FlowRouter("x")
    with pytest.raises(ValueError, match="not of the flow"):
        router.prompt("y.ask")
    router.prompt("x.ask")(nothing)
    with pytest.raises(ValueError, match="both a prompt and a handle"):
        include_routers(router)


def test_a_name_declared_twice_is_refused() -> None:
    first, second = FlowRouter("a"), FlowRouter("b")
    first.command("gopy")(command)
    second.command("gopy")(command)
    with pytest.raises(ValueError, match="declared twice"):
        include_routers(first, second)
    first.action("x")(command)
    with pytest.raises(ValueError, match="declared twice"):
        first.action("x")(command)


def test_a_menu_command_needs_its_place_and_label() -> None:
    router = FlowRouter("a")
    with pytest.raises(ValueError, match="place and its label"):
        router.command("gopy", menu=1)
    router.command("gopy", menu=1, label="cmd.gopy")(command)
    other = FlowRouter("b")
    other.command("tracuu", menu=1, label="cmd.tracuu")(command)
    with pytest.raises(ValueError, match="share a place"):
        include_routers(router, other)


def test_the_flow_diagrams_name_only_states_of_their_flow_or_other_flows() -> None:
    """A step renamed or added without its diagram fails here (`[*]` is outside the flow)."""
    flows = {state.split(".")[0] for state in ROUTES.steps} | {
        name.split(":")[0] for name in ROUTES.entries
    }
    checked = 0
    for path in sorted((ROOT / "handlers" / "flows").rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if "```mermaid" not in doc:
            continue
        diagram = doc.split("```mermaid", 1)[1].split("```", 1)[0]
        flow = path.parent.name if path.name == "__init__.py" else path.stem
        states = {s.split(".", 1)[1] for s in ROUTES.steps if s.startswith(f"{flow}.")}
        nodes = set()
        for line in diagram.splitlines()[2:]:
            edge = line.split(":", 1)[0]
            nodes.update(n.strip() for n in edge.split("-->") if "-->" in edge)
        assert nodes - {"[*]"} <= states | flows, (path.name, nodes - states - flows)
        assert states <= nodes, (path.name, states - nodes)
        checked += 1
    assert checked == 3  # filing, questions and clarify
