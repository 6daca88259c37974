"""The renderer: knowledge-base answers held as data render sandboxed and escaped; a
deployment can override a template."""

from __future__ import annotations

from pathlib import Path

import jinja2.exceptions
import pytest

from bot.config import load_settings
from handlers.render import Renderer


class _Commune:
    name = "xã Cát Giang"
    hotline = "0225 3 123 456"


def test_a_knowledge_base_answer_renders_with_the_commune_and_labels() -> None:
    renderer = Renderer()
    text = renderer.render_string(
        "Gọi {{ commune.hotline }} — {{ commune.name }}", commune=_Commune()
    )
    assert text == "Gọi 0225 3 123 456 — xã Cát Giang"


def test_a_knowledge_base_answer_cannot_reach_python_internals() -> None:
    renderer = Renderer()
    with pytest.raises(jinja2.exceptions.SecurityError):
        renderer.render_string("{{ commune.__class__.__mro__ }}", commune=_Commune())


def test_values_in_a_knowledge_base_answer_are_escaped() -> None:
    renderer = Renderer()
    text = renderer.render_string("{{ x }}", x="<b>1 & 2</b>")
    assert text == "&lt;b&gt;1 &amp; 2&lt;/b&gt;"


def test_a_deployment_can_override_a_template(tmp_path: Path) -> None:
    from handlers.render import Renderer

    (tmp_path / "erase_kept.j2").write_text("Giữ nguyên, {{ who }}!", encoding="utf-8")
    renderer = Renderer(tmp_path)
    assert renderer.render("erase_kept", who="<b>") == "Giữ nguyên, &lt;b&gt;!"
    assert "UBND X" in renderer.render("consent_notice", commune={"name": "X"})
    assert renderer.label("btn.consent_yes") == "Đồng ý"
    with pytest.raises(KeyError):
        renderer.label("btn.nope")


def test_the_transfer_usage_names_the_offices_without_a_stray_line() -> None:
    # issue 16 #23: «/chuyen» usage once ended with a "." on a line of its own
    commune = load_settings(None).communes[0]
    text = Renderer().render("staff_transfer_usage", code="CG-2612-7KQ3XD", offices=commune.offices)
    lines = text.splitlines()
    assert len(lines) == 2
    assert all(line.strip(" .") for line in lines)
    assert lines[1].endswith("Ủy ban MTTQ Việt Nam xã.")
