"""The OA's access token: read from storage, refreshed before expiry, once, across processes.

Zalo's refresh token is single-use: a refresh returns a new pair and the old refresh token
stops working. So a refresh runs only under the lease `zalo-oa-token:<oa_id>` (in the
database: it holds across processes), re-reads the pair under it (another process may have
refreshed meanwhile), and commits the new pair — under the pair's version — before the new
access token is handed to anyone. A process that does not get the lease waits for the
holder's pair. A refresh that fails is recorded on the row (`/healthz` reads it) and the
administrators are told in their chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.channels.zalo_oa.api import Grant, ZaloApiError, ZaloOaApi, ZaloTransportError
from bot.scheduler import lease_holder
from storage import Storage
from storage.repos.zalo_oa import TokenPair

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
OnFailure = Callable[[str], Awaitable[None]]

# Refresh this long before the access token expires (Zalo's live about 25 h).
REFRESH_MARGIN = timedelta(minutes=30)
LEASE = timedelta(seconds=30)
WAIT_STEP = 0.05


class NotAuthorized(Exception):
    """No usable token: `danvan zalo authorize` must be run (again)."""


class TokenKeeper:
    def __init__(
        self,
        storage: Storage,
        api: ZaloOaApi,
        oa_id: str,
        clock: Clock,
        on_failure: OnFailure | None = None,
        holder: str | None = None,
    ) -> None:
        self.storage = storage
        self.api = api
        self.oa_id = oa_id
        self.clock = clock
        self.on_failure = on_failure
        self.holder = holder or lease_holder()

    @property
    def lease_name(self) -> str:
        return f"zalo-oa-token:{self.oa_id}"

    async def current(self) -> TokenPair | None:
        async with self.storage.transaction() as uow:
            return await uow.zalo_tokens.get(self.oa_id)

    async def store_grant(self, grant: Grant) -> TokenPair:
        """Keep the pair an authorisation gave (`danvan zalo authorize`)."""
        now = self.clock()
        async with self.storage.transaction() as uow:
            await uow.zalo_tokens.put(
                self.oa_id,
                grant.access_token,
                grant.refresh_token,
                now + timedelta(seconds=grant.expires_in),
                now,
            )
            pair = await uow.zalo_tokens.get(self.oa_id)
        if pair is None:  # pragma: no cover - just written
            raise NotAuthorized("the token pair was not stored")
        return pair

    async def access_token(self, *, refused: str | None = None) -> str:
        """A usable access token; `refused` is one Zalo just refused (refresh it now)."""
        pair = await self.current()
        if pair is None:
            raise NotAuthorized("no Zalo OA token stored")
        if pair.access_token != refused and pair.expires_at - REFRESH_MARGIN > self.clock():
            return pair.access_token
        return (await self.refresh(pair)).access_token

    async def refresh(self, seen: TokenPair) -> TokenPair:
        """Refresh the pair `seen` (once, whichever process gets there first)."""
        for _ in range(int(LEASE.total_seconds() * 2 / WAIT_STEP)):
            now = self.clock()
            async with self.storage.transaction() as uow:
                held = await uow.leases.acquire(self.lease_name, self.holder, now, now + LEASE)
                pair = await uow.zalo_tokens.get(self.oa_id)
            if pair is None:
                raise NotAuthorized("no Zalo OA token stored")
            if pair.version != seen.version:
                if held:
                    await self._release()
                return pair  # another process refreshed it
            if held:
                try:
                    return await self._refresh_held(pair)
                finally:
                    await self._release()
            await asyncio.sleep(WAIT_STEP)
        raise NotAuthorized("the token refresh by another process did not finish")

    async def _refresh_held(self, pair: TokenPair) -> TokenPair:
        try:
            grant = await self.api.refresh(pair.refresh_token)
        except ZaloTransportError:
            raise  # passing: the old pair is still the stored one; try again later
        except ZaloApiError as exc:
            await self._failed(f"refresh refused: error {exc.code}")
            raise NotAuthorized(f"Zalo refused the refresh (error {exc.code})") from None
        now = self.clock()
        async with self.storage.transaction() as uow:
            rotated = await uow.zalo_tokens.rotate(
                self.oa_id,
                pair.version,
                grant.access_token,
                grant.refresh_token,
                now + timedelta(seconds=grant.expires_in),
                now,
            )
            fresh = await uow.zalo_tokens.get(self.oa_id)
        if not rotated or fresh is None:  # the lease ran out and someone else refreshed
            log.error("zalo oa: a refreshed pair could not be stored; re-authorize")
            await self._failed("refreshed pair lost")
            raise NotAuthorized("the refreshed pair could not be stored")
        log.info("zalo oa: token refreshed (version %s)", fresh.version)
        return fresh

    async def _failed(self, error: str) -> None:
        async with self.storage.transaction() as uow:
            await uow.zalo_tokens.record_failure(self.oa_id, error, self.clock())
        log.error("zalo oa: token %s; run `danvan zalo authorize` again", error)
        if self.on_failure is not None:
            await self.on_failure(error)

    async def _release(self) -> None:
        async with self.storage.transaction() as uow:
            await uow.leases.release(self.lease_name, self.holder, self.clock())
