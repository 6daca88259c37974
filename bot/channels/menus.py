"""Numbered menus: buttons shown as "[1] Đồng ý" lines, chosen by typing the number.

The terminal and every channel without buttons (the Zalo Bot Platform) render choices the
same way. The buttons of everything shown in answer to one message are numbered together
(`start` begins a new answer), so a «Bổ sung» above the menu can still be chosen by number.
The numbers are the channel's memory of what it showed, not conversation state: after a
restart a number nobody showed is answered by showing the person's step again.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.messages import Button


def menu_line(number: int, button: Button) -> str:
    return f"  [{number}] {button.label}"


class NumberedMenu:
    """One chat's numbered choices."""

    def __init__(self) -> None:
        self.buttons: list[Button] = []
        self._fresh = True

    def start(self) -> None:
        """The next buttons shown begin a new menu."""
        self._fresh = True

    def preview(self, buttons: Sequence[Button], *, restart: bool = False) -> list[str]:
        """The lines `number` would give, without remembering them (`restart`: as after
        `start`)."""
        first = 1 if self._fresh or restart else len(self.buttons) + 1
        return [menu_line(i, b) for i, b in enumerate(buttons, start=first)]

    def number(self, buttons: Sequence[Button]) -> list[str]:
        """Number `buttons` after those already shown in this answer; their lines."""
        if not buttons:
            return []
        if self._fresh:
            self.buttons = []
            self._fresh = False
        first = len(self.buttons) + 1
        self.buttons.extend(buttons)
        return [menu_line(i, b) for i, b in enumerate(buttons, start=first)]

    def pick(self, text: str) -> Button | None:
        """The button a typed number names, if the text is just such a number."""
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
            return self.buttons[int(stripped) - 1]
        return None


class ChatMenus:
    """Every chat's menu, for a channel serving many people."""

    def __init__(self) -> None:
        self._menus: dict[str, NumberedMenu] = {}

    def of(self, chat_id: str) -> NumberedMenu:
        return self._menus.setdefault(chat_id, NumberedMenu())
