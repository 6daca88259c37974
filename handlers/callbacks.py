"""Every button-data format, in one place: small typed codecs (aiogram's `CallbackData`).

Button data goes out with a message and comes back when the button is pressed, possibly
weeks later (a card in an office's chat, a rating button in a notification), so these
formats are a wire protocol: change one only in a way that keeps sent buttons working.
`pack()` refuses data over Telegram's 64 bytes; `unpack()` returns None for data that is
not of its format (a stale or forged button), never raises.

| data                          | codec              | pressed                              |
|-------------------------------|--------------------|--------------------------------------|
| `<nonce>:<action>`            | `StepButton`       | in the step that showed it           |
| `m:<action>[:<argument>]`     | `MenuButton`       | anywhere (menu items, global)        |
| `m:faq:<entry id>`            | `FaqButton`        | anywhere: show a knowledge-base entry|
| `m:bosung:<CODE>`             | `SupplementButton` | anywhere: answer a request for info  |
| `m:laykien[:<id>[:<option>]]` | `PollButton`      | anywhere: open a poll, answer it     |
| `m:ykien:<poll id>`           | `PollCommentButton` | anywhere: comment on one's answer |
| `v:<CODE>:<vs, s or u>`       | `RatingButton`     | anywhere: rate a record              |
| `r:<CODE>:<action>:<version>` | `RecordButton`     | by officials, on a record card       |
| `p:<first id>:<last id>`      | `ProgressButton`   | by officials, in the chat it went to |
| `w:login`                     | `WEB_LOGIN`        | by officials: a web console link     |
| action `c:<COMMUNE>`          | `CommuneButton`    | the commune step (inside a nonce)    |
| action `e:<target>`           | `EditButton`       | filing's edit step (inside a nonce)  |
| action `o:<OFFICE>`           | `OfficeChoice`     | «which field?» step (inside a nonce) |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from domain.lifecycle import Action
from domain.messages import MAX_BUTTON_DATA_BYTES
from domain.records import Rating


def _checked(data: str) -> str:
    if not data.isascii() or not 0 < len(data) <= MAX_BUTTON_DATA_BYTES:
        raise ValueError(f"button data must be 1-{MAX_BUTTON_DATA_BYTES} ASCII bytes: {data!r}")
    return data


# The largest id or version storage holds (a 64-bit signed integer, SQLite and PostgreSQL).
MAX_NUMBER = 2**63 - 1


def _number(text: str) -> int | None:
    """A non-negative integer written the way `str(int)` writes it, that storage can hold
    (a forged `p:1:99999999999999999999` is not a button), else None."""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_NUMBER))):
        return None
    number = int(text)
    return number if str(number) == text and number <= MAX_NUMBER else None


@dataclass(frozen=True, slots=True)
class StepButton:
    """A button of the current step; stale once the conversation's nonce moved on."""

    nonce: int
    action: str

    def pack(self) -> str:
        return _checked(f"{self.nonce}:{self.action}")

    @classmethod
    def unpack(cls, data: str) -> StepButton | None:
        nonce, _, action = data.partition(":")
        number = _number(nonce)
        return cls(number, action) if number is not None and action else None


@dataclass(frozen=True, slots=True)
class MenuButton:
    """A global button (a menu item): works from any state, whatever the nonce."""

    PREFIX: ClassVar[str] = "m:"
    action: str
    argument: str = ""

    def pack(self) -> str:
        argument = f":{self.argument}" if self.argument else ""
        return _checked(f"{self.PREFIX}{self.action}{argument}")

    @classmethod
    def unpack(cls, data: str) -> MenuButton | None:
        if not data.startswith(cls.PREFIX):
            return None
        action, _, argument = data.removeprefix(cls.PREFIX).partition(":")
        return cls(action, argument)

    @classmethod
    def is_menu(cls, data: str) -> bool:
        return data.startswith(cls.PREFIX)


FAQ_ACTION = "faq"
SUPPLEMENT_ACTION = "bosung"


@dataclass(frozen=True, slots=True)
class FaqButton:
    """`m:faq:<entry id>`: show that knowledge-base entry."""

    entry_id: str

    def pack(self) -> str:
        return MenuButton(FAQ_ACTION, self.entry_id).pack()

    @classmethod
    def unpack(cls, data: str) -> FaqButton | None:
        menu = MenuButton.unpack(data)
        return cls(menu.argument) if menu and menu.action == FAQ_ACTION else None


@dataclass(frozen=True, slots=True)
class SupplementButton:
    """`m:bosung:CODE`: start answering the office's request for information on CODE."""

    code: str

    def pack(self) -> str:
        return MenuButton(SUPPLEMENT_ACTION, self.code).pack()

    @classmethod
    def unpack(cls, data: str) -> SupplementButton | None:
        menu = MenuButton.unpack(data)
        return cls(menu.argument) if menu and menu.action == SUPPLEMENT_ACTION else None


POLL_ACTION = "laykien"


@dataclass(frozen=True, slots=True)
class PollButton:
    """`m:laykien:<poll id>[:<option index>]`: show that poll, or answer it with that option
    (global: it rides on the broadcast of the poll, answered days later)."""

    poll_id: int
    choice: int | None = None

    def pack(self) -> str:
        choice = "" if self.choice is None else f":{self.choice}"
        return MenuButton(POLL_ACTION, f"{self.poll_id}{choice}").pack()

    @classmethod
    def unpack(cls, data: str) -> PollButton | None:
        menu = MenuButton.unpack(data)
        return cls.of_argument(menu.argument) if menu and menu.action == POLL_ACTION else None

    @classmethod
    def of_argument(cls, argument: str) -> PollButton | None:
        """From what follows `m:laykien:` (None for an empty or forged argument)."""
        poll, colon, choice = argument.partition(":")
        poll_id = _number(poll)
        index = _number(choice) if colon else None
        if poll_id is None or (colon and index is None):
            return None
        return cls(poll_id, index)


POLL_COMMENT_ACTION = "ykien"


@dataclass(frozen=True, slots=True)
class PollCommentButton:
    """`m:ykien:<poll id>`: add a comment to one's answer to that poll."""

    poll_id: int

    def pack(self) -> str:
        return MenuButton(POLL_COMMENT_ACTION, str(self.poll_id)).pack()

    @classmethod
    def unpack(cls, data: str) -> PollCommentButton | None:
        menu = MenuButton.unpack(data)
        ok = menu is not None and menu.action == POLL_COMMENT_ACTION
        return cls.of_argument(menu.argument) if menu is not None and ok else None

    @classmethod
    def of_argument(cls, argument: str) -> PollCommentButton | None:
        poll_id = _number(argument)
        return cls(poll_id) if poll_id is not None else None


# The rating's short wire names (sent buttons carry them).
_RATING_KEYS = {Rating.VERY_SATISFIED: "vs", Rating.SATISFIED: "s", Rating.UNSATISFIED: "u"}
_RATINGS = {key: rating for rating, key in _RATING_KEYS.items()}


@dataclass(frozen=True, slots=True)
class RatingButton:
    PREFIX: ClassVar[str] = "v:"
    code: str
    rating: Rating

    def pack(self) -> str:
        return _checked(f"{self.PREFIX}{self.code}:{_RATING_KEYS[self.rating]}")

    @classmethod
    def unpack(cls, data: str) -> RatingButton | None:
        code, _, key = data.removeprefix(cls.PREFIX).partition(":")
        rating = _RATINGS.get(key)
        return cls(code, rating) if data.startswith(cls.PREFIX) and rating else None


@dataclass(frozen=True, slots=True)
class RecordButton:
    """A step on a record card, checked against the record's version when pressed."""

    PREFIX: ClassVar[str] = "r:"
    code: str
    action: Action
    version: int

    def pack(self) -> str:
        return _checked(f"{self.PREFIX}{self.code}:{self.action.value}:{self.version}")

    @classmethod
    def unpack(cls, data: str) -> RecordButton | None:
        parts = data.removeprefix(cls.PREFIX).split(":")
        if not data.startswith(cls.PREFIX) or len(parts) != 3:
            return None
        version = _number(parts[2])
        actions = {a.value: a for a in Action}
        if version is None or parts[1] not in actions:
            return None
        return cls(parts[0], actions[parts[1]], version)


@dataclass(frozen=True, slots=True)
class ProgressButton:
    """«Xem tiến độ» under an announcement: the outbox ids it was queued as."""

    PREFIX: ClassVar[str] = "p:"
    first_id: int
    last_id: int

    def pack(self) -> str:
        return _checked(f"{self.PREFIX}{self.first_id}:{self.last_id}")

    @classmethod
    def unpack(cls, data: str) -> ProgressButton | None:
        first, _, last = data.removeprefix(cls.PREFIX).partition(":")
        first_id, last_id = _number(first), _number(last)
        if not data.startswith(cls.PREFIX) or first_id is None or last_id is None:
            return None
        return cls(first_id, last_id)


# «🖥 Mở trang quản lý» on an official's menu: a one-time link to the web console.
WEB_LOGIN = "w:login"


@dataclass(frozen=True, slots=True)
class CommuneButton:
    """A step action: this commune was chosen."""

    PREFIX: ClassVar[str] = "c:"
    code: str

    def pack(self) -> str:
        return _checked(f"{self.PREFIX}{self.code}")

    @classmethod
    def unpack(cls, action: str) -> CommuneButton | None:
        return cls(action.removeprefix(cls.PREFIX)) if action.startswith(cls.PREFIX) else None


@dataclass(frozen=True, slots=True)
class EditButton:
    """A step action of filing's edit step: which part of the draft to change."""

    PREFIX: ClassVar[str] = "e:"
    target: str  # kind, desc, hamlet, media, contact, or back (to the summary)

    def pack(self) -> str:
        return _checked(f"{self.PREFIX}{self.target}")

    @classmethod
    def unpack(cls, action: str) -> EditButton | None:
        return cls(action.removeprefix(cls.PREFIX)) if action.startswith(cls.PREFIX) else None


@dataclass(frozen=True, slots=True)
class OfficeChoice:
    """A step action of the «which field is it?» step: the citizen chose this office."""

    PREFIX: ClassVar[str] = "o:"
    code: str

    def pack(self) -> str:
        return _checked(f"{self.PREFIX}{self.code}")

    @classmethod
    def unpack(cls, action: str) -> OfficeChoice | None:
        return cls(action.removeprefix(cls.PREFIX)) if action.startswith(cls.PREFIX) else None
