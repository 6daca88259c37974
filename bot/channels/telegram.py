"""The Telegram channel: python-telegram-bot as a transport, nothing more.

Inbound: one handler turns every `Update` into the neutral `Inbound` (text and commands,
button presses, photos as file ids of the largest size, documents, a location, the
citizen's own shared contact, the id of the message replied to) and hands it to the
dispatcher, which is idempotent by (channel, update id). Button presses are always
answered so the client stops its spinner. In group chats (the offices' chats) only
commands, replies to the bot's messages and button presses reach the core; chatter is
ignored without a trace.

Outbound: `TelegramSender` is the outbox's view of the Bot API: a reply becomes one or
more `sendMessage` calls in HTML parse mode (split at paragraph boundaries under 4,096
UTF-16 units), with its buttons as an inline keyboard on the last part. A reply that asks
for the phone's location or phone-number control gets a one-time reply keyboard instead,
whose other buttons send their label as text (the core treats a typed label as a press).
Bot API errors are sorted into retry-later (429), transient (5xx, network, timeouts) and
permanent (blocked, chat not found, refused) for the outbox.

No conversation state, persistence or job queue of PTB's is used: state lives in storage.
The token is never logged (httpx's request log, which carries it, is silenced in the CLI).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.app import App
from bot.config import Secret, TelegramSettings
from bot.outbox import OutboxSender, PermanentError, RetryLater, Sleep, TransientError
from domain.messages import Attachment, Inbound, Location, Reply
from handlers.flows import ROUTES
from handlers.render import Renderer

log = logging.getLogger(__name__)

# PTB 22 warns (an error under our test settings) whenever it builds a RetryAfter unless
# durations are opted in as timedelta, which is also the future default.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"
MAX_TEXT_UNITS = 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ALLOWED_UPDATES = ["message", "callback_query"]
SHUTDOWN_FLUSH_SECONDS = 5.0


# --- text ----------------------------------------------------------------------------


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Cut a long text into messages under `limit`: at blank lines, else at line ends,
    else at spaces, else anywhere."""
    if _units(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        window = _prefix(rest, limit)
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > 0:
                break
        if cut <= 0:
            cut = len(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` UTF-16 units."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


# --- inbound -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BotIdentity:
    id: int
    username: str


def inbound_from_update(
    update: Update,
    me: BotIdentity,
    received_at: datetime,
    commune_codes: Sequence[str] = (),
) -> Inbound | None:
    """The neutral form of an update, or None for what the core never sees."""
    query = update.callback_query
    if query is not None:
        message = query.message
        if message is None or query.data is None:
            return None
        chat = message.chat
        return Inbound(
            channel=CHANNEL,
            update_id=str(update.update_id),
            user_id=str(query.from_user.id),
            chat_id=str(chat.id),
            received_at=received_at,
            button=query.data,
            is_group=chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
        )
    msg = update.message
    if msg is None or msg.from_user is None or msg.from_user.is_bot:
        return None
    is_group = msg.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    replied = msg.reply_to_message
    if (
        is_group
        and not _is_command(msg, me.username)
        and not (
            replied is not None and replied.from_user is not None and replied.from_user.id == me.id
        )
    ):
        return None  # chatter in an office's chat
    text = msg.text if msg.text is not None else msg.caption
    attachments: list[Attachment] = []
    if msg.photo:
        largest = msg.photo[-1]
        attachments.append(Attachment("photo", largest.file_id, largest.file_size, "image/jpeg"))
    if msg.document is not None:
        doc = msg.document
        attachments.append(Attachment("document", doc.file_id, doc.file_size, doc.mime_type))
    location = None
    if msg.location is not None:
        location = Location(msg.location.latitude, msg.location.longitude)
    phone = None
    if msg.contact is not None and msg.contact.user_id == msg.from_user.id:
        phone = msg.contact.phone_number  # only the person's own number counts
    # A sticker or a voice note arrives with nothing the core reads: it says "not supported".
    return Inbound(
        channel=CHANNEL,
        update_id=str(update.update_id),
        user_id=str(msg.from_user.id),
        chat_id=str(msg.chat.id),
        received_at=received_at,
        text=text,
        attachments=tuple(attachments),
        location=location,
        contact_phone=phone,
        is_group=is_group,
        commune_hint=_commune_hint(text, commune_codes),
        reply_to_message=str(replied.message_id) if replied is not None else None,
    )


def _is_command(msg: Message, username: str) -> bool:
    """A command for this bot (in a group, `/cmd@other_bot` is for another bot)."""
    if not msg.text or not msg.text.startswith("/"):
        return False
    _, at, addressee = msg.text.split(maxsplit=1)[0].partition("@")
    return not at or addressee.casefold() == username.casefold()


def _commune_hint(text: str | None, codes: Sequence[str]) -> str | None:
    """A deep link `t.me/<bot>?start=CG` arrives as "/start CG": the commune's QR code."""
    if not text or not text.startswith("/start "):
        return None
    arg = text.split(" ", 1)[1].strip().upper()
    return arg if arg in codes else None


# --- outbound ------------------------------------------------------------------------


# Files a reply may carry in `extra` (the weekly digest's chart and report), sent after
# its text, one message each, in this order.
FILE_KINDS = ("photo", "document")


class TelegramSender:
    """The outbox's Telegram side: one message per part, errors sorted.

    A part is a piece of the text (split under Telegram's limit) or one file named in the
    reply's `extra` (`photo`, `document`: a path on this machine).
    """

    def __init__(self, bot: Bot, renderer: Renderer) -> None:
        self.bot = bot
        self.renderer = renderer

    @property
    def channel(self) -> str:
        return CHANNEL

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    def split(self, reply: Reply) -> Sequence[Reply]:
        texts = split_text(reply.text)
        last = len(texts) - 1
        files = [
            Reply(
                channel=reply.channel,
                chat_id=reply.chat_id,
                text="",
                priority=reply.priority,
                record_code=reply.record_code,
                extra={kind: reply.extra[kind]},
            )
            for kind in FILE_KINDS
            if reply.extra.get(kind)
        ]
        return [
            Reply(
                channel=reply.channel,
                chat_id=reply.chat_id,
                text=text,
                rows=reply.rows if i == last else (),
                priority=reply.priority,
                request_location=reply.request_location and i == last,
                request_contact=reply.request_contact and i == last,
                record_code=reply.record_code,
            )
            for i, text in enumerate(texts)
        ] + files

    def markup(self, part: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if part.request_location or part.request_contact:
            keys: list[list[KeyboardButton]] = []
            if part.request_location:
                keys.append(
                    [
                        KeyboardButton(
                            self.renderer.label("btn.send_location"), request_location=True
                        )
                    ]
                )
            if part.request_contact:
                keys.append(
                    [KeyboardButton(self.renderer.label("btn.send_contact"), request_contact=True)]
                )
            keys.extend([KeyboardButton(b.label) for b in row] for row in part.rows)
            return ReplyKeyboardMarkup(keys, resize_keyboard=True, one_time_keyboard=True)
        if part.rows:
            return InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                    for row in part.rows
                ]
            )
        return None

    async def _send_file(self, part: Reply) -> Message:
        kind, path = next(iter(part.extra.items()))
        try:
            data = await asyncio.to_thread(Path(path).read_bytes)
        except OSError as exc:
            raise PermanentError(f"{kind} {Path(path).name}: {exc.strerror}") from None
        if kind == "photo":
            return await self.bot.send_photo(chat_id=part.chat_id, photo=data)
        return await self.bot.send_document(
            chat_id=part.chat_id, document=data, filename=Path(path).name
        )

    async def send(self, part: Reply) -> str:
        try:
            if part.extra and not part.text:
                sent = await self._send_file(part)
            else:
                sent = await self.bot.send_message(
                    chat_id=part.chat_id,
                    text=part.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=self.markup(part),
                )
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise RetryLater(seconds, "429 Too Many Requests") from None
        except ChatMigrated as exc:
            raise PermanentError(f"group moved to {exc.new_chat_id}") from None
        except (Forbidden, BadRequest) as exc:
            raise PermanentError(f"{type(exc).__name__}: {exc.message}") from None
        except InvalidToken:
            raise TransientError("the bot token was refused") from None
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            raise TransientError(f"{type(exc).__name__}: {exc.message}") from None
        except TelegramError as exc:
            raise TransientError(f"{type(exc).__name__}: {exc.message}") from None
        return str(sent.message_id)


# --- files -----------------------------------------------------------------------------

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class FileFetcher:
    """Copies the photos and documents of filed records into the data directory.

    Only attachments of committed records are fetched (never what someone sent before
    consenting or then abandoned). A file too large or gone is recorded with the reason;
    a network problem leaves it for the next round.
    """

    def __init__(
        self, bot: Bot, app: App, folder: Path, max_bytes: int, clock: Clock = _utcnow
    ) -> None:
        self.bot = bot
        self.app = app
        self.folder = folder
        self.max_bytes = max_bytes
        self.clock = clock

    async def fetch_pending(self, limit: int = 20) -> int:
        """Fetch up to `limit` attachments; returns how many were settled."""
        async with self.app.storage.transaction() as uow:
            waiting = await uow.attachments_to_fetch(CHANNEL, limit)
        settled = 0
        for attachment in waiting:
            path: str | None = None
            size: int | None = None
            error: str | None = None
            try:
                remote = await self.bot.get_file(attachment.ref)
                if remote.file_size is not None and remote.file_size > self.max_bytes:
                    error = f"too large ({remote.file_size} bytes)"
                else:
                    suffix = PurePosixPath(remote.file_path or "").suffix or ".bin"
                    self.folder.mkdir(parents=True, exist_ok=True)
                    target = self.folder / f"{attachment.record_id}-{attachment.id}{suffix}"
                    await remote.download_to_drive(target)
                    path, size = str(target), target.stat().st_size
            except (NetworkError, RetryAfter) as exc:
                log.info("attachment %s: %s; trying later", attachment.id, type(exc).__name__)
                break
            except TelegramError as exc:
                error = f"{type(exc).__name__}: {exc.message}"
            async with self.app.storage.transaction() as uow:
                await uow.record_attachment_file(
                    attachment.id, self.clock(), path=path, size=size, error=error
                )
            settled += 1
        return settled

    async def run(self, stopping: asyncio.Event, idle_seconds: float = 30.0) -> None:
        while not stopping.is_set():
            try:
                fetched = await self.fetch_pending()
            except Exception:
                log.exception("fetching attachments failed; trying again later")
                fetched = 0
            if not fetched:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), idle_seconds)


# --- the channel ---------------------------------------------------------------------


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: `danvan run` owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class TelegramChannel:
    """Builds the PTB application for the configured mode and runs it with the sender."""

    def __init__(
        self,
        app: App,
        settings: TelegramSettings,
        token: Secret,
        *,
        webhook_secret: Secret | None = None,
        request: BaseRequest | None = None,
        get_updates_request: BaseRequest | None = None,
        poll_timeout: float = 10.0,
        clock: Clock = _utcnow,
        sender_clock: Clock = _utcnow,
        sender_sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.app = app
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.clock = clock
        self.webhook_secret = webhook_secret
        builder: ApplicationBuilder = ApplicationBuilder().token(token.reveal())  # type: ignore[type-arg]
        if settings.base_url:
            builder = builder.base_url(settings.base_url)
            builder = builder.base_file_url(settings.base_url.replace("/bot", "/file/bot", 1))
        if request is not None:
            builder = builder.request(request)
        if get_updates_request is not None:
            builder = builder.get_updates_request(get_updates_request)
        if settings.mode == "webhook":
            builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = OutboxSender(
            app.storage,
            TelegramSender(self.application.bot, app.renderer),
            app.settings.outbox,
            clock=sender_clock,
            sleep=sender_sleep,
        )
        self.files: FileFetcher | None = None
        if settings.download_files:
            self.files = FileFetcher(
                self.application.bot,
                app,
                app.settings.storage.data_dir / "files" / CHANNEL,
                settings.max_file_mb * 1024 * 1024,
                clock,
            )
        self._me: BotIdentity | None = None
        self.port: int | None = None  # the webhook server's port, once listening

    # --- updates -----------------------------------------------------------------------

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE | None) -> None:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        me = self._me or BotIdentity(self.application.bot.id, self.application.bot.username)
        codes = [c.code for c in self.app.settings.communes]
        inbound = inbound_from_update(update, me, self.clock(), codes)
        if inbound is None:
            return
        await self.app.dispatcher.handle(inbound)
        self.sender.wake()

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "telegram update %s: %s",
            update_id,
            type(context.error).__name__,
            exc_info=context.error,
        )

    async def handle_webhook(self, request: Request) -> Response:
        """Telegram's POST: the secret is checked in constant time before anything else."""
        expected = self.webhook_secret.reveal() if self.webhook_secret else ""
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, KeyError, TypeError):
            return PlainTextResponse("bad update", status_code=400)
        # Handled before answering: if the process dies now, or storage fails (500),
        # Telegram sends it again, and the processed-update mark makes that harmless.
        # (PTB's process_update would swallow the error and let us answer 200.)
        try:
            await self._on_update(update, None)
        except Exception:
            log.exception("telegram update %s not handled; Telegram will retry", update.update_id)
            return PlainTextResponse("retry", status_code=500)
        return Response(status_code=200)

    def webhook_app(self) -> Starlette:
        path = urlsplit(self.settings.webhook_url or "").path or "/telegram"

        async def health(_request: Request) -> Response:
            return PlainTextResponse("ok")

        return Starlette(
            routes=[
                Route(path, self.handle_webhook, methods=["POST"]),
                Route("/healthz", health, methods=["GET"]),
            ]
        )

    # --- lifecycle ---------------------------------------------------------------------

    async def set_commands(self) -> None:
        # The citizens' command menu, as the flows declare it (handlers/flows/*).
        menu = ROUTES.menu(several_communes=len(self.app.settings.communes) > 1)
        commands = [BotCommand(c.name, self.app.renderer.label(c.label)) for c in menu]
        try:
            await self.application.bot.set_my_commands(
                commands, scope=BotCommandScopeAllPrivateChats(), language_code="vi"
            )
            await self.application.bot.set_my_commands(commands)
        except TelegramError as exc:
            log.warning("could not register the bot's commands: %s", type(exc).__name__)

    async def serve(self, stopping: asyncio.Event, ready: asyncio.Event | None = None) -> None:
        """Run until `stopping` is set, then stop taking updates, finish the ones in
        hand, and send what can be sent in a few seconds."""
        sending = asyncio.Event()
        application = self.application
        async with application:
            self._me = BotIdentity(application.bot.id, application.bot.username)
            await self.set_commands()
            sender_task = asyncio.create_task(self.sender.run(sending))
            files_task = (
                asyncio.create_task(self.files.run(sending)) if self.files is not None else None
            )
            server: uvicorn.Server | None = None
            server_task: asyncio.Task[None] | None = None
            try:
                if self.settings.mode == "webhook":
                    server, server_task = await self._start_webhook()
                else:
                    updater = application.updater
                    if updater is None:
                        raise RuntimeError("polling mode needs PTB's updater")
                    await updater.start_polling(
                        timeout=timedelta(seconds=self.poll_timeout),
                        allowed_updates=ALLOWED_UPDATES,
                    )
                await application.start()
                log.info("telegram: serving in %s mode", self.settings.mode)
                if ready is not None:
                    ready.set()
                await stopping.wait()
            finally:
                log.info("telegram: stopping")
                if server is not None and server_task is not None:
                    server.should_exit = True
                    await server_task
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                if application.running:
                    await application.stop()
                sending.set()
                await sender_task
                if files_task is not None:
                    await files_task
                await self.sender.flush(SHUTDOWN_FLUSH_SECONDS)
                await self.sender.release_lease()  # another process may send at once

    async def _start_webhook(self) -> tuple[uvicorn.Server, asyncio.Task[None]]:
        if self.webhook_secret is None:
            raise RuntimeError("webhook mode needs the secret token")
        config = uvicorn.Config(
            self.webhook_app(),
            host=self.settings.listen,
            port=self.settings.port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        server = QuietServer(config)
        server_task = asyncio.create_task(server.serve())
        while not server.started:
            if server_task.done():
                await server_task
                raise RuntimeError("the webhook server stopped at start")
            await asyncio.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        await self.application.bot.set_webhook(
            url=self.settings.webhook_url or "",
            secret_token=self.webhook_secret.reveal(),
            allowed_updates=ALLOWED_UPDATES,
        )
        return server, server_task
