"""The renderer: knowledge-base answers held as data render sandboxed and escaped; a
deployment can override a template."""

from __future__ import annotations

from pathlib import Path

import jinja2.exceptions
import pytest

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
