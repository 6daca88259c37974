"""The Zalo Bot Platform channel (a pilot, or an officials' bot): a small httpx client
(`client.py`, not the `python-zalo-bot` package), updates into `Inbound` (`inbound.py`),
the outbox's sender (`sender.py`: plain text up to 2,000 characters, numbered menus
instead of buttons, images by URL), and the channel in polling or webhook mode
(`channel.py`)."""

from bot.channels.zalo_bot.channel import PATH, SECRET_HEADER, ZaloBotChannel
from bot.channels.zalo_bot.client import ZaloBotClient, ZaloBotError
from bot.channels.zalo_bot.inbound import CHANNEL, BadUpdate, inbound_from_update
from bot.channels.zalo_bot.sender import ZaloBotSender, split_characters

__all__ = [
    "CHANNEL",
    "PATH",
    "SECRET_HEADER",
    "BadUpdate",
    "ZaloBotChannel",
    "ZaloBotClient",
    "ZaloBotError",
    "ZaloBotSender",
    "inbound_from_update",
    "split_characters",
]
