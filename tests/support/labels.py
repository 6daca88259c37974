"""Button labels by key, rendered from handlers/templates/labels.j2 through the real Renderer,
so a copy edit to a label changes the tests' presses with it."""

from __future__ import annotations

from functools import cache

from handlers.render import Renderer


@cache
def _renderer() -> Renderer:
    return Renderer()


def label(key: str) -> str:
    """The text of the label `key` (e.g. "btn.menu_file"); a KeyError names a missing key."""
    return _renderer().label(key)
