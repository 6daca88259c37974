"""What a channel's sender raises and offers the outbox (`bot.outbox`): one message sent,
or an error that says whether to wait, retry or give up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.messages import Reply


class SendError(Exception):
    """A message could not be sent; the subclass says what to do about it."""


class RetryLater(SendError):
    """The channel asked us to wait (Telegram: 429 with retry_after)."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds:g}s")
        self.seconds = seconds


class TransientError(SendError):
    """A passing failure (server error, timeout, network): retry with backoff."""


class PermanentError(SendError):
    """The message can never go (blocked, chat not found, refused): record, do not retry."""


class ChannelSender(Protocol):
    """What a channel offers the outbox: how a reply is cut, and how one part is sent."""

    @property
    def channel(self) -> str: ...

    def split(self, reply: Reply) -> Sequence[Reply]:
        """The messages one reply becomes (a long text becomes several)."""
        ...

    def is_group(self, chat_id: str) -> bool: ...

    async def send(self, part: Reply) -> str:
        """Send one message; returns the channel's message id or raises a `SendError`."""
        ...
