"""What the conversation core needs from a deployment's settings, and nothing more.

`bot.config.Settings` satisfies `CoreSettings`; the core never sees the loader, the paths,
the secrets or the channels' settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.communes import CommuneSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The limits and periods the conversation core enforces (the `[bot]` table)."""

    default_commune: str
    max_text_length: int
    max_photos: int
    privacy_notice_version: str
    invite_valid_hours: int = 72
    followup_quiet_days: int = 7
    reminder_days: int = 2
    queue_page_size: int = 10
    max_messages_per_minute: int = 20
    # The officials' web console, where the bot's one-time login links point (`[web]`).
    console_url: str = ""


class CoreSettings(Protocol):
    """The settings the core reads: the policy and the communes it serves."""

    @property
    def bot(self) -> Policy: ...

    @property
    def communes(self) -> tuple[CommuneSettings, ...]: ...

    def commune(self, code: str) -> CommuneSettings | None: ...
