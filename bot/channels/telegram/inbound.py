"""Updates in: every `Update` the core may see becomes one neutral `Inbound`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram import Message, Update
from telegram.constants import ChatType

from domain.messages import Attachment, Inbound, Location
from domain.surveys import SurveyLink

CHANNEL = "telegram"


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
            pressed_message=str(message.message_id),
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
    # Voice messages and videos (a round video note too) are attached as clips.
    for kind, clip in (("voice", msg.voice), ("video", msg.video), ("video", msg.video_note)):
        if clip is not None:
            mime = getattr(clip, "mime_type", None)
            # (the wire form: PTB 22 warns when its `duration` property is read)
            seconds = clip.to_dict().get("duration")
            duration = int(seconds) if isinstance(seconds, int | float) else None
            attachments.append(Attachment(kind, clip.file_id, clip.file_size, mime, duration))
    location = None
    if msg.location is not None:
        location = Location(msg.location.latitude, msg.location.longitude)
    phone = None
    if msg.contact is not None and msg.contact.user_id == msg.from_user.id:
        phone = msg.contact.phone_number  # only the person's own number counts
    # A sticker arrives with nothing the core reads: it says "not supported".
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
    survey = SurveyLink.parse(arg)  # a desk's poster in a bot of several communes
    if survey is not None and survey.commune_code in codes:
        return survey.commune_code
    return arg if arg in codes else None
