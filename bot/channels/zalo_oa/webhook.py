"""The OA webhook: verify, keep, answer 200; a worker hands the kept events to the core.

`webhook_route(app, settings, secret)` is the Starlette route the web server mounts at
`/zalo/oa/webhook`. A POST is read up to `MAX_BODY` bytes (more: 413), its signature is
checked on the raw bytes in constant time (mismatch: 401, nothing stored), an event older
than `settings.max_event_age_seconds` is refused (401), and a verified user event is
written to `zalo_oa_inbox` and committed before the answer (the whole of the webhook's
work, well inside Zalo's 2 s). So a process that dies after answering 200 loses nothing:
`InboxWorker` (in this process or any other sharing the database) takes the row, maps it
to an `Inbound` and hands it to the dispatcher, whose processed-update mark (the event's
`msg_id`, or event + user + time) makes a repeat harmless. Zalo's retries of one event are
stored once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.zalo_oa import signature
from bot.channels.zalo_oa.inbound import (
    USER_EVENTS,
    MalformedEvent,
    inbound_from_event,
    parse_event,
    recipient_oa,
)
from bot.settings import Secret, ZaloOaSettings
from domain.messages import Inbound
from handlers.dispatcher import Dispatcher
from storage import Storage, UnitOfWork

log = logging.getLogger(__name__)

PATH = "/zalo/oa/webhook"
MAX_BODY = 1_000_000
Clock = Callable[[], datetime]


class BodyTooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused before it is read past `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, detail: str) -> Response:
    return JSONResponse({"error": detail}, status_code=status)


class OaWebhook:
    def __init__(
        self,
        storage: Storage,
        settings: ZaloOaSettings,
        oa_secret: Secret,
        clock: Clock,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self.storage = storage
        self.settings = settings
        self.oa_secret = oa_secret
        self.clock = clock
        self.on_stored = on_stored

    async def handle(self, request: Request) -> Response:
        try:
            body = await read_limited(request)
        except BodyTooLarge:
            return _answer(413, "body too large")
        except ClientDisconnect:
            return _answer(400, "incomplete body")
        try:
            data = json.loads(body)
            timestamp = str(data["timestamp"]) if isinstance(data, dict) else ""
        except (ValueError, KeyError):
            return _answer(400, "not a JSON event")
        header = request.headers.get(signature.HEADER, "")
        if not signature.verify(
            header, self.settings.app_id, body, timestamp, self.oa_secret.reveal()
        ):
            log.warning("zalo oa webhook: bad signature")
            return _answer(401, "bad signature")
        try:
            event = parse_event(data)
        except MalformedEvent as exc:
            log.warning("zalo oa webhook: malformed event (%s)", exc)
            return _answer(400, "malformed event")
        now = self.clock()
        age = timedelta(seconds=self.settings.max_event_age_seconds)
        if event.at < now - age or event.at > now + age:
            log.warning("zalo oa webhook: event outside the %ss window refused", age.seconds)
            return _answer(401, "stale event")
        if event.name not in USER_EVENTS:
            return Response(status_code=200)  # oa_* echoes, seen/received marks: not ours
        addressed = recipient_oa(event)
        if addressed is not None and addressed != self.settings.oa_id:
            return _answer(404, "unknown OA")
        async with self.storage.transaction() as uow:
            fresh = await uow.zalo_inbox.add(event.key, body.decode("utf-8", "replace"), now)
        if fresh:
            self.on_stored()
        return Response(status_code=200)


def webhook_route(
    storage: Storage,
    settings: ZaloOaSettings,
    oa_secret: Secret,
    clock: Clock,
    on_stored: Callable[[], None] = lambda: None,
) -> Route:
    """The route a Starlette app mounts (`/zalo/oa/webhook`, POST only)."""
    hook = OaWebhook(storage, settings, oa_secret, clock, on_stored)
    return Route(PATH, hook.handle, methods=["POST"])


class InboxWorker:
    """Hands kept events to the dispatcher, oldest first, until none is left."""

    BATCH = 20
    IDLE_SECONDS = 1.0

    def __init__(self, storage: Storage, dispatcher: Dispatcher, clock: Clock) -> None:
        self.storage = storage
        self.dispatcher = dispatcher
        self.clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def drain(self) -> int:
        """Handle every pending event; how many were handled."""
        handled = 0
        while True:
            async with self.storage.transaction() as uow:
                batch = await uow.zalo_inbox.pending(self.BATCH)
            if not batch:
                return handled
            progressed = False
            for row in batch:
                if await self._one(row.id, row.body):
                    handled += 1
                    progressed = True
            if not progressed:
                return handled  # storage is failing; the next wake tries again

    async def _one(self, event_id: int, body: str) -> bool:
        try:
            event = parse_event(json.loads(body))
            inbound = inbound_from_event(event)
        except (ValueError, MalformedEvent) as exc:
            log.warning("zalo oa inbox %s: unusable event (%s)", event_id, exc)
            async with self.storage.transaction() as uow:
                await uow.zalo_inbox.mark_done(event_id, self.clock(), "unusable")
            return True
        try:
            async with self.storage.transaction() as uow:
                if event.name == "unfollow":
                    await uow.zalo_contacts.unfollowed(event.user_id, event.at)
                else:
                    await uow.zalo_contacts.saw(event.user_id, event.msg_id, event.at)
                    if inbound is not None and inbound.text:
                        inbound = await _numbered_choice(uow, inbound)
            if inbound is not None:
                await self.dispatcher.handle(inbound)
            async with self.storage.transaction() as uow:
                await uow.zalo_inbox.mark_done(event_id, self.clock())
        except Exception as exc:
            log.exception("zalo oa inbox %s: not handled; kept for a retry", event_id)
            async with self.storage.transaction() as uow:
                await uow.zalo_inbox.mark_attempt(event_id, type(exc).__name__)
            return False
        return True

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("zalo oa inbox worker step failed")
            self._wake.clear()
            waits = [
                asyncio.ensure_future(self._wake.wait()),
                asyncio.ensure_future(stopping.wait()),
            ]
            await asyncio.wait(waits, timeout=self.IDLE_SECONDS, return_when="FIRST_COMPLETED")
            for waiting in waits:
                waiting.cancel()


async def _numbered_choice(uow: UnitOfWork, inbound: Inbound) -> Inbound:
    """A typed number of a choice shown beyond the five buttons becomes that button."""
    choices = await uow.zalo_contacts.choices(inbound.user_id)
    data = choices.get((inbound.text or "").strip())
    return replace(inbound, text=None, button=data) if data else inbound
