"""Shared fixtures: real settings, a real SQLite file per test, and a transcript driver."""

from __future__ import annotations

import itertools
import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Secret, Settings, StorageSettings, load_settings
from domain.messages import (
    Attachment,
    Inbound,
    Location,
    Priority,
    Reply,
    plain_text,
    reply_from_payload,
)
from storage import SqliteStorage, Storage
from tests.support.labels import label

# PostgreSQL tests run where this names a database (CI sets it; see .ci/run).
POSTGRES_DSN = os.environ.get("DANVAN_TEST_POSTGRES_DSN", "")
# The trained understanding model (faq.model) is trained once and kept here, for this run,
# the next, and the `danvan` subprocesses the tests start (they inherit the environment).
os.environ.setdefault(
    "DANVAN_MODEL_CACHE", str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "models")
)
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not POSTGRES_DSN, reason="DANVAN_TEST_POSTGRES_DSN not set"),
    ),
]


def _integrity_errors() -> tuple[type[Exception], ...]:
    import asyncpg

    return (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


INTEGRITY_ERRORS = _integrity_errors()


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A fresh, empty schema in the test database, dropped afterwards."""
    import asyncpg

    schema = f"danvan_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(POSTGRES_DSN)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        yield schema
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


@asynccontextmanager
async def open_backend(backend: str, tmp: Path) -> AsyncIterator[Storage]:
    """A real storage backend, empty, migrated; closed afterwards."""
    if backend == "sqlite":
        store: Storage = await SqliteStorage.open(tmp / "contract.sqlite3")
        try:
            yield store
        finally:
            await store.close()
        return
    from storage.postgres import PostgresStorage

    async with postgres_schema() as schema:
        store = await PostgresStorage.open(POSTGRES_DSN, schema=schema, pool_size=4)
        try:
            yield store
        finally:
            await store.close()


# A Thursday morning in Hà Nội time: 2026-11-26 09:00 +07:00.
T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def settings_in(tmp: Path) -> Settings:
    base = load_settings(None)
    data = tmp / "data"
    return replace(base, storage=StorageSettings(data_dir=data, sqlite_path=data / "t.sqlite3"))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return settings_in(tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(settings: Settings, clock: Clock) -> AsyncIterator[App]:
    application = await App.open(settings)
    application.dispatcher.clock = clock
    try:
        yield application
    finally:
        await application.close()


@asynccontextmanager
async def app_on(backend: str, settings: Settings, clock: Clock) -> AsyncIterator[App]:
    """The real App on `backend` (PostgreSQL: a schema of its own, dropped afterwards).

    A backend-neutral suite runs on both by overriding its `app` fixture with one that
    returns `backend_app` (parametrised over `BACKENDS`)."""
    if backend == "sqlite":
        application = await App.open(settings)
    else:
        async with postgres_schema() as schema:
            dsn = f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}"
            storage = replace(settings.storage, backend="postgres", postgres_dsn=Secret(dsn))
            application = await App.open(replace(settings, storage=storage))
            application.dispatcher.clock = clock
            try:
                yield application
            finally:
                await application.close()
            return
    application.dispatcher.clock = clock
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture(params=BACKENDS)
async def backend_app(
    request: pytest.FixtureRequest, settings: Settings, clock: Clock
) -> AsyncIterator[App]:
    async with app_on(request.param, settings, clock) as application:
        yield application


_update_ids = itertools.count(1)

# What a reply should be: a template name, or a template with its own context.
Expected = str | tuple[str, Mapping[str, object]]


class Chat:
    """Drives the real dispatcher as one person in one channel, transcript-style."""

    def __init__(self, app: App, user: str = "u1", channel: str = "test") -> None:
        self.app = app
        self.user = user
        self.channel = channel
        self.replies: list[Reply] = []

    def inbound(self, **fields: object) -> Inbound:
        base = Inbound(
            channel=self.channel,
            update_id=str(next(_update_ids)),
            user_id=self.user,
            chat_id=self.user,
            received_at=self.app.dispatcher.clock(),
        )
        return replace(base, **fields)  # type: ignore[arg-type]

    async def deliver(self, inbound: Inbound) -> list[Reply]:
        self.replies = await self.app.dispatcher.handle(inbound)
        return self.replies

    async def send(self, text: str) -> list[Reply]:
        return await self.deliver(self.inbound(text=text))

    async def photo(self, ref: str) -> list[Reply]:
        return await self.deliver(self.inbound(attachments=(Attachment("photo", ref),)))

    async def location(self, lat: float, lon: float) -> list[Reply]:
        return await self.deliver(self.inbound(location=Location(lat, lon)))

    async def press(self, text: str) -> list[Reply]:
        """Press the button with this text (usually `label(key)`) on the latest message
        that has it."""
        for reply in reversed(self.replies):
            for button in reply.buttons:
                if button.label == text:
                    return await self.deliver(self.inbound(button=button.data))
        raise AssertionError(f"no button {text!r} in {self.labels}")

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.replies for b in r.buttons]

    @property
    def text(self) -> str:
        return "\n".join(plain_text(r.text) for r in self.replies)

    def render(self, template: str, **context: object) -> str:
        """This template's text as the bot renders it for this chat's commune."""
        context.setdefault("commune", self.app.settings.communes[0])
        return self.app.renderer.render(template, **context)

    def says(self, template: str, **context: object) -> bool:
        """Whether one of the last replies is exactly this template's text."""
        expected = self.render(template, **context)
        return any(r.text == expected for r in self.replies)

    def says_exactly(self, *expected: Expected, **context: object) -> None:
        """Fail unless the last turn's replies are exactly these, in this order: each a
        template name (rendered with `context`) or a (template, its own context) pair.
        A missing, extra or reordered reply fails, naming what differed."""
        wanted = [
            (item, self.render(item, **context))
            if isinstance(item, str)
            else (item[0], self.render(item[0], **{**context, **item[1]}))
            for item in expected
        ]
        got = [r.text for r in self.replies]
        if got == [text for _, text in wanted]:
            return
        surplus = Counter(got)
        missing = []
        for name, text in wanted:
            if surplus[text] > 0:
                surplus[text] -= 1
            else:
                missing.append(name)
        extra = []
        for text in got:
            if surplus[text] > 0:
                surplus[text] -= 1
                extra.append(plain_text(text))
        raise AssertionError(
            f"expected exactly {[name for name, _ in wanted]}, got {len(got)} replies; "
            f"missing {missing}; extra {extra}"
            + ("" if missing or extra else "; the order differs")
        )

    async def agree(self) -> None:
        await self.send("/start")
        await self.press(label("btn.consent_yes"))

    async def draft_anonymous_report(self, description: str, hamlet: str = "Thôn 1") -> None:
        """Fill a phản ánh up to the summary: no photos, sent anonymously."""
        await self.send("/gopy")
        await self.press(label("kind.phan_anh"))
        await self.send(description)
        await self.press(hamlet)
        await self.press(label("btn.skip"))
        await self.press(label("btn.anonymous"))
        await self.press(label("btn.publish_no"))


@pytest.fixture
def chat_factory(app: App) -> Callable[..., Chat]:
    return lambda user="u1", channel="test": Chat(app, user, channel)


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app)


class OfficialChat(Chat):
    """An official: their private chat, or (with `group`) the office's group chat."""

    def __init__(
        self, app: App, user: str, group: str | None = None, channel: str = "test"
    ) -> None:
        super().__init__(app, user, channel)
        self.group = group

    def inbound(self, **fields: object) -> Inbound:
        base = super().inbound(**fields)
        if self.group is not None and "chat_id" not in fields:
            base = replace(base, chat_id=self.group, is_group=True)
        return base


async def receive(
    app: App, chat_id: str, channel: str = "test", priority: Priority = Priority.NOTIFICATION
) -> list[Reply]:
    """The notifications waiting for a chat (marked delivered); interactive rows too are
    marked delivered, since the driver already saw them as the dispatcher's answer."""
    async with app.storage.transaction() as uow:
        rows = await uow.outbox.pending(channel, app.dispatcher.clock(), 500, chat_id=chat_id)
        for row in rows:
            await uow.outbox.mark_sent(row.id, app.dispatcher.clock())
    return [
        reply_from_payload(r.channel, r.chat_id, r.priority, r.payload)
        for r in rows
        if r.priority == priority
    ]


async def make_official(
    app: App, user: str, office: str = "VP", role: str = "member", name: str | None = None
) -> OfficialChat:
    """An official who joined through an invite code and /thamgia, like a real one."""
    from domain.records import OfficialRole
    from handlers import invites

    commune = app.settings.communes[0]
    async with app.storage.transaction() as uow:
        invite = await invites.make_invite(
            uow,
            app.settings,
            commune,
            office,
            OfficialRole(role),
            None,
            "test",
            app.dispatcher.clock(),
        )
    official = OfficialChat(app, user)
    await official.send(f"/thamgia {invite.code.lower()} {name or user.title()}")
    joined = commune.office(office)
    assert joined is not None, office
    assert official.says(
        "staff_join_result",
        reason="ok",
        name=name or user.title(),
        role=role,
        office_name=joined.name,
    ), official.text
    return official
