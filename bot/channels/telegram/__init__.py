"""The Telegram channel: python-telegram-bot as a transport, nothing more.

Inbound (`inbound.py`): one handler turns every `Update` into the neutral `Inbound` (text
and commands, button presses, photos as file ids of the largest size, documents, a
location, the citizen's own shared contact, the id of the message replied to) and hands it
to the dispatcher, which is idempotent by (channel, update id). Button presses are always
answered so the client stops its spinner. In group chats (the offices' chats) only
commands, replies to the bot's messages and button presses reach the core; chatter is
ignored without a trace.

Outbound (`sender.py`): `TelegramSender` is the outbox's view of the Bot API: a reply
becomes one or more `sendMessage` calls in HTML parse mode (split by `split.py` at paragraph
boundaries under 4,096 UTF-16 units, never inside a tag or an entity, each part valid HTML),
with its buttons as an inline keyboard on the last part. A reply
that asks for the phone's location or phone-number control gets a one-time reply keyboard
instead, whose other buttons send their label as text (the core treats a typed label as a
press). Bot API errors are sorted into retry-later (429), transient (5xx, network,
timeouts) and permanent (blocked, chat not found, refused) for the outbox.

`files.py` copies filed records' attachments; `webhook.py` is the Starlette app Telegram
posts to; `polling.py` is the getUpdates loop that confirms an update only once handled (so
a kill -9 loses none); `channel.py` builds the PTB application for the configured mode and
runs it.

No conversation state, persistence or job queue of PTB's is used: state lives in storage.
The token is never logged (httpx's request log, which carries it, is silenced in the CLI).
"""

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.files import FileFetcher
from bot.channels.telegram.inbound import CHANNEL, BotIdentity, inbound_from_update
from bot.channels.telegram.sender import MAX_TEXT_UNITS, TelegramSender, split_text
from bot.channels.telegram.webhook import SECRET_HEADER, QuietServer

__all__ = [
    "CHANNEL",
    "MAX_TEXT_UNITS",
    "SECRET_HEADER",
    "BotIdentity",
    "FileFetcher",
    "QuietServer",
    "TelegramChannel",
    "TelegramSender",
    "inbound_from_update",
    "split_text",
]
