"""The outbox sender: durable, paced delivery of what the core queued for one channel.

The dispatcher writes every reply to the `outbox` table in the same transaction as the state
change that caused it. One `OutboxSender` per channel takes the rows out and hands them to
a `ChannelSender` (the channel's own "send one message" call), keeping to the channel's
limits:

- overall: at most `messages_per_second` (Telegram: about 30/s for a bot), by slots: the
  next send's slot is fixed when a send starts (a token bucket, so the time a send takes
  does not stretch the period), and never less than a second after the send
  `messages_per_second` sends back *finished*, so no second at the channel's end can see
  one message too many, however the network delays them;
- per chat: at most `private_chat_per_minute` to a private chat (about 1/s) and
  `group_per_minute` to a group (20/min);
- priorities: only the first pending message of each chat is offered, and the heads are
  taken interactive first, then notifications, then broadcasts; a broadcast to thousands
  therefore delays a reply by at most the reply's own chat's pacing;
- errors: `RetryLater` (Telegram's 429) pauses all sending for the time asked; a
  `TransientError` (5xx, timeouts, network) is retried with exponential backoff; a
  `PermanentError` (blocked by the user, chat not found, malformed text) is recorded on
  the row and never retried.

Exactly-once as far as the sender can tell: each message sent is recorded
(`outbox_deliveries`, with the channel's message id) before the next part is sent, and a
row marked sent is never offered again; on start, pending rows are simply sent. Two things
can still repeat one message: a crash between the channel accepting it and the record being
written, and a timeout after the channel did receive it (the send looks failed and is
retried). Neither can be told apart from a lost message from this side.

One part goes per step, so a long message's parts take turns with other chats; and only
the holder of the lease `outbox-sender:<channel>` sends, so several processes sharing a
database never send the same row twice at once. The lease is short (`SENDER_LEASE`) and
renewed by a heartbeat beside the sending (`HEARTBEAT_SECONDS`), also while one send
waits on the channel; the other processes look for it as often, so a sender that dies is
replaced within `SENDER_LEASE + HEARTBEAT_SECONDS` (4 s). The processes' clocks must
agree to well under a second (NTP).

The clock and the sleep are injected, so tests run the pacing on a fake clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.scheduler import holder_is_gone, lease_holder
from bot.sending import ChannelSender as ChannelSender
from bot.sending import PermanentError as PermanentError
from bot.sending import RetryLater as RetryLater
from bot.sending import SendError as SendError
from bot.sending import TransientError as TransientError
from bot.settings import OutboxSettings
from bot.shared_files import FileGone, discard, local_copy
from domain.messages import reply_from_payload
from domain.records import OutboxMessage
from storage import Storage

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

IDLE_SECONDS = 1.0
# How long one process stays the channel's sender without renewing (see `hold_lease`),
# and how often the holder renews it and the others look whether it ran out.
SENDER_LEASE = timedelta(seconds=3)
HEARTBEAT_SECONDS = 1.0
RETRY_BASE_SECONDS = 2.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _interval(seconds: int, count: int) -> timedelta:
    """The spacing for `count` messages per `seconds`, rounded up to the microsecond so
    that rounding never lets one message too many into a period."""
    return timedelta(microseconds=-(-seconds * 1_000_000 // count))


class OutboxSender:
    def __init__(
        self,
        storage: Storage,
        sender: ChannelSender,
        settings: OutboxSettings,
        clock: Clock = _utcnow,
        sleep: Sleep = asyncio.sleep,
        holder: str | None = None,
    ) -> None:
        self.storage = storage
        self.sender = sender
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self._global_interval = _interval(1, settings.messages_per_second)
        self._private_interval = _interval(60, settings.private_chat_per_minute)
        self._group_interval = _interval(60, settings.group_per_minute)
        self._next_send = datetime.min.replace(tzinfo=UTC)
        self._finished: deque[datetime] = deque(maxlen=settings.messages_per_second)
        self._paused_until = datetime.min.replace(tzinfo=UTC)
        self._chat_ready: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._refresh = False
        self._heads: list[OutboxMessage] = []
        self._heads_until = datetime.min.replace(tzinfo=UTC)
        self.holder = holder or lease_holder()
        self._lease_until = datetime.min.replace(tzinfo=UTC)
        self._leased = False  # sending under the lease (`run`, `flush`), not `drain`

    @property
    def channel(self) -> str:
        return self.sender.channel

    def wake(self) -> None:
        """New rows were queued: look now rather than after the idle wait."""
        self._refresh = True
        self._wake.set()

    # --- one step ----------------------------------------------------------------------

    async def step(self) -> float | None:
        """Send at most one outbox row. Returns seconds to wait before the next step
        (0: go on at once), or None when nothing is pending at all."""
        now = self.clock()
        hold = max(self._paused_until, self._global_ready())
        if hold > now:
            return (hold - now).total_seconds()
        paced = self._paced_chats(now)
        message = self._next_cached(paced)
        if message is None:
            async with self.storage.transaction() as uow:
                self._heads = await uow.outbox.heads(
                    self.channel, now, self.settings.messages_per_second, paced
                )
                due = None if self._heads else await uow.outbox.next_due(self.channel)
            self._heads_until = now + timedelta(seconds=1)
            self._refresh = False
            if not self._heads:
                return self._idle_wait(now, due)
            message = self._heads.pop(0)
        await self._deliver(message)
        return 0.0

    def _next_cached(self, paced: list[str]) -> OutboxMessage | None:
        """The next head from the last look, unless new rows were queued since or the
        look is a second old (rows queued by another process wait at most that long)."""
        if self._refresh or self.clock() >= self._heads_until:
            self._heads = []
        while self._heads:
            message = self._heads.pop(0)
            if message.chat_id not in paced:
                return message
        return None

    def _paced_chats(self, now: datetime) -> list[str]:
        for chat_id in [c for c, t in self._chat_ready.items() if t <= now]:
            del self._chat_ready[chat_id]
        return list(self._chat_ready)

    def _idle_wait(self, now: datetime, due: datetime | None) -> float | None:
        if due is None:
            return None
        if due > now:
            return (due - now).total_seconds()
        waiting = [t for t in self._chat_ready.values() if t > now]
        if waiting:
            return (min(waiting) - now).total_seconds()
        return IDLE_SECONDS

    async def _deliver(self, message: OutboxMessage) -> None:
        try:
            reply = reply_from_payload(
                message.channel, message.chat_id, message.priority, message.payload
            )
            parts = list(self.sender.split(reply))
        except (ValueError, KeyError) as exc:
            await self._fail(message, PermanentError(f"malformed outbox payload: {exc}"))
            return
        async with self.storage.transaction() as uow:
            done = await uow.outbox.sent_parts(message.id)
            if not await uow.outbox.is_pending(message.id):
                return  # cancelled (the citizen's data was erased) since it was fetched
        if done >= len(parts):  # every part went out before a crash; only the mark was lost
            async with self.storage.transaction() as uow:
                await uow.outbox.mark_sent(message.id, self.clock())
            return
        # One part per step: the chat is then paced, so other chats' messages (a reply
        # during a long broadcast) go out between this row's parts.
        index = done
        await self._wait_for_slot(message.chat_id)
        # Renewed now unless at least two seconds of it are left (a late heartbeat, a loop
        # that was starved): a send never starts on a lease about to run out, so the next
        # sender does not send this part again while this send is still on its way.
        if self._leased and not await self.hold_lease():
            return  # the lease went to another process meanwhile: it sends this part
        try:
            part, temporary = await local_copy(self.storage, parts[index])
        except (FileGone, ValueError) as exc:
            await self._fail(message, PermanentError(str(exc)))
            return
        self._start_send()
        try:
            channel_id = await self.sender.send(part)
        except SendError as exc:
            await self._fail(message, exc)
            return
        except Exception as exc:
            log.exception("outbox %s: unexpected error from the channel", message.id)
            await self._fail(message, TransientError(type(exc).__name__))
            return
        finally:
            self._finish_send(message.chat_id)
            discard(temporary)
        sent_at = self.clock()
        async with self.storage.transaction() as uow:
            await uow.outbox.record_delivery(
                message.id, index, self.channel, message.chat_id, channel_id, sent_at
            )
            if index == len(parts) - 1:
                await uow.outbox.mark_sent(message.id, sent_at)

    async def _wait_for_slot(self, chat_id: str) -> None:
        """Before each part: keep to the chat's and the bot's pace."""
        while True:
            now = self.clock()
            ready = max(
                self._global_ready(), self._paused_until, self._chat_ready.get(chat_id, now)
            )
            if ready <= now:
                return
            await self.sleep((ready - now).total_seconds())

    def _global_ready(self) -> datetime:
        """When the next send may start: its slot, and a second after the send
        `messages_per_second` back finished."""
        if len(self._finished) == self._finished.maxlen:
            return max(self._next_send, self._finished[0] + timedelta(seconds=1))
        return self._next_send

    def _start_send(self) -> None:
        self._next_send = max(self._next_send, self.clock() - self._global_interval)
        self._next_send += self._global_interval

    def _finish_send(self, chat_id: str) -> None:
        """A send ended (sent or failed: the channel counted it either way)."""
        at = self.clock()
        self._finished.append(at)
        interval = self._group_interval if self.sender.is_group(chat_id) else self._private_interval
        self._chat_ready[chat_id] = max(at + interval, self._chat_ready.get(chat_id, at))

    async def _fail(self, message: OutboxMessage, error: SendError) -> None:
        now = self.clock()
        retry_at: datetime | None
        if isinstance(error, PermanentError):
            retry_at = None
            log.warning("outbox %s failed for good: %s", message.id, error)
        elif isinstance(error, RetryLater):
            retry_at = now + timedelta(seconds=error.seconds)
            self._paused_until = max(self._paused_until, retry_at)
            log.warning(
                "outbox %s: rate limited, all sending paused %gs", message.id, error.seconds
            )
        else:
            backoff = min(RETRY_BASE_SECONDS * 2**message.attempts, self.settings.retry_max_seconds)
            retry_at = now + timedelta(seconds=backoff)
            log.info("outbox %s: %s; retry in %gs", message.id, error, backoff)
        if retry_at is not None:
            self._chat_ready[message.chat_id] = max(
                retry_at, self._chat_ready.get(message.chat_id, retry_at)
            )
        async with self.storage.transaction() as uow:
            await uow.outbox.mark_failed(
                message.id, str(error) or type(error).__name__, retry_at=retry_at
            )

    # --- one sender per channel across processes -----------------------------------------

    @property
    def lease_name(self) -> str:
        return f"outbox-sender:{self.channel}"

    async def hold_lease(self) -> bool:
        """Whether this process is the channel's sender now (taking or renewing the lease).

        Several bot processes may share one database; only the lease holder sends, so the
        per-chat and global pacing hold and no row is picked by two senders. A holder that
        dies is replaced when its lease runs out, or at once when it was a process on this
        host that is gone (`holder_is_gone`: a restart after kill -9 sends without waiting).
        """
        now = self.clock()
        if now + SENDER_LEASE - timedelta(seconds=HEARTBEAT_SECONDS) < self._lease_until:
            return True
        until = now + SENDER_LEASE
        async with self.storage.transaction() as uow:
            held = await uow.leases.acquire(self.lease_name, self.holder, now, until)
            if not held:
                other = await uow.leases.holder(self.lease_name)
                if other is not None and holder_is_gone(other):
                    held = await uow.leases.take_over(self.lease_name, other, self.holder, until)
                    if held:
                        log.info("outbox sender: took the lease of a process that is gone")
        self._lease_until = now + SENDER_LEASE if held else datetime.min.replace(tzinfo=UTC)
        self._leased = True
        return held

    async def release_lease(self) -> None:
        async with self.storage.transaction() as uow:
            await uow.leases.release(self.lease_name, self.holder, self.clock())
        self._lease_until = datetime.min.replace(tzinfo=UTC)

    # --- loops -------------------------------------------------------------------------

    async def run(self, stopping: asyncio.Event) -> None:
        """Send until `stopping` is set; a send in progress is finished first."""
        heartbeat = asyncio.create_task(self._heartbeat(stopping), name="outbox-heartbeat")
        try:
            await self._send_loop(stopping)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)

    async def _send_loop(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                if not await self.hold_lease():
                    await self._wait(HEARTBEAT_SECONDS, stopping)
                    continue
                delay = await self.step()
            except Exception:
                log.exception("outbox sender step failed; trying again shortly")
                delay = IDLE_SECONDS
            if delay == 0:
                await asyncio.sleep(0)  # let the updates in
                continue
            await self._wait(IDLE_SECONDS if delay is None else delay, stopping)

    async def _heartbeat(self, stopping: asyncio.Event) -> None:
        """Renew the lease while it is held, also while a send waits on the channel; a
        renewal that fails (the database is unreachable) lets the lease run out."""
        while not stopping.is_set():
            # The event loop's own sleep: the lease is about real time between processes.
            await asyncio.sleep(HEARTBEAT_SECONDS)
            if self._lease_until <= self.clock():
                continue  # not the sender: the send loop looks for the lease itself
            try:
                if not await self.hold_lease():
                    log.warning("outbox %s: the sender lease went to another process", self.channel)
            except Exception as exc:
                log.warning("outbox %s: lease renewal failed: %s", self.channel, type(exc).__name__)

    async def _wait(self, seconds: float, stopping: asyncio.Event) -> None:
        self._wake.clear()
        waits = [
            asyncio.ensure_future(self.sleep(seconds)),
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(stopping.wait()),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def flush(self, max_seconds: float) -> int:
        """Send what is due now, for at most `max_seconds` on the sender's clock (shutdown)."""
        deadline = self.clock() + timedelta(seconds=max_seconds)
        sent = 0
        if not await self.hold_lease():
            return sent  # another process is the sender; it sends what is left
        while self.clock() < deadline:
            delay = await self.step()
            if delay is None or delay > (deadline - self.clock()).total_seconds():
                break
            if delay == 0:
                sent += 1
            else:
                await self.sleep(delay)
        return sent

    async def drain(self, max_steps: int = 1_000_000) -> int:
        """Send until nothing is pending (tests and the CLI); returns the rows handled."""
        handled = 0
        for _ in range(max_steps):
            delay = await self.step()
            if delay is None:
                return handled
            if delay == 0:
                handled += 1
            else:
                await self.sleep(delay)
        raise RuntimeError("outbox did not drain")
