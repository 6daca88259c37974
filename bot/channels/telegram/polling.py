"""Updates by long polling, confirmed only once handled.

Telegram drops an update once a `getUpdates` call asks for a higher offset. PTB's `Updater`
asks for the next batch as soon as it has queued the current one, so a process killed
before its application took the batch off the queue loses it for good. This loop asks for
`update_id + 1` only after the handler has returned for that update, that is after the
dispatcher's transaction (the processed-update mark, the turn, its replies) committed or
was rolled back with the apology queued. A crash in between leaves the update unconfirmed:
Telegram sends it again, and the dispatcher's processed mark makes the second delivery a
no-op when the first one had committed. So every update is handled exactly once in effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, TelegramError

log = logging.getLogger(__name__)

Handler = Callable[[Update], Awaitable[None]]

# Pauses after a failed getUpdates, growing to the last one.
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
# A handler that keeps failing on the same update (storage down, not a bad update: the
# dispatcher answers those itself) is tried this many times before it is skipped, logged.
MAX_ATTEMPTS = 5


class Poller:
    """`getUpdates` in a loop; each update handled in order before it is confirmed."""

    def __init__(
        self,
        bot: Bot,
        handle: Handler,
        *,
        timeout: float,
        allowed_updates: Sequence[str],
        limit: int = 100,
    ) -> None:
        self.bot = bot
        self.handle = handle
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates)
        self.limit = limit
        self.offset: int | None = None  # the next update_id wanted; None: whatever is first
        self._failures = 0
        self._attempts: dict[int, int] = {}

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until `stopping` is set; the update in hand is finished first."""
        while not stopping.is_set():
            fetch = asyncio.ensure_future(self._fetch())
            stop = asyncio.ensure_future(stopping.wait())
            await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                # Nothing fetched is lost: an unanswered getUpdates confirms nothing new.
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fetch
                break
            stop.cancel()
            updates = fetch.result()
            if updates is None:
                await self._pause(stopping)
                continue
            for update in updates:
                if not await self._handle_one(update):
                    # Not confirmed: fetched again, from this update on, after a pause.
                    await self._pause(stopping)
                    break
                if stopping.is_set():
                    break
        await self._confirm()

    async def _fetch(self) -> tuple[Update, ...] | None:
        try:
            updates = await self.bot.get_updates(
                offset=self.offset,
                limit=self.limit,
                timeout=timedelta(seconds=self.timeout),
                allowed_updates=self.allowed_updates,
            )
        except InvalidToken:
            raise
        except Conflict:
            log.warning("telegram: another process is polling with this token")
            return None
        except TelegramError as exc:
            log.warning("telegram: getUpdates failed: %s", type(exc).__name__)
            return None
        except Exception:  # an answer PTB cannot read: tried again after a pause, logged
            log.exception("telegram: getUpdates gave an answer that could not be read")
            return None
        self._failures = 0
        return updates

    async def _handle_one(self, update: Update) -> bool:
        """Handle one update; whether it may be confirmed."""
        if self.offset is not None and update.update_id < self.offset:
            return True  # already confirmed (a stand-in or a proxy sent it again)
        try:
            await self.handle(update)
        except Exception:  # the loop goes on; the log has the detail
            attempts = self._attempts.get(update.update_id, 0) + 1
            self._attempts = {update.update_id: attempts}
            if attempts < MAX_ATTEMPTS:
                log.exception(
                    "telegram update %s failed (attempt %d); it will be fetched again",
                    update.update_id,
                    attempts,
                )
                return False
            log.exception("telegram update %s failed %d times; skipped", update.update_id, attempts)
        self._attempts.pop(update.update_id, None)
        self.offset = update.update_id + 1
        return True

    async def _pause(self, stopping: asyncio.Event) -> None:
        delay = BACKOFF_SECONDS[min(self._failures, len(BACKOFF_SECONDS) - 1)]
        self._failures += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)

    async def _confirm(self) -> None:
        """On a clean stop, tell Telegram what was handled (else it comes once more, and
        the processed marks skip it)."""
        if self.offset is None:
            return
        with contextlib.suppress(TelegramError):
            await self.bot.get_updates(
                offset=self.offset,
                limit=1,
                timeout=timedelta(0),
                allowed_updates=self.allowed_updates,
            )
