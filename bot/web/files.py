"""A record's files in the console: reading the copies the channels keep, and keeping the
photos an official uploads with an answer.

A copy is named in `attachment_files.path` either as `db:<id>` (kept in `shared_files`,
any process can read it) or as a path: the channel's own download folder
(`<data_dir>/files`) or the deployment's shared folder (`storage.shared_files_dir`). Only
those places are read (`bot.shared_files.read_copy`); anything else is "no copy". An
upload is kept the same way (`store`), so whichever process serves the console, or sends
the answer, finds it.

What goes to the browser: images (JPEG, PNG, WebP) inline, anything else as a download
(`application/octet-stream`), never rendered in the console's origin; never cached.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from bot.settings import Settings
from bot.shared_files import share_bytes
from handlers.officials.turn import RESULT_PHOTOS_MAX
from storage import UnitOfWork

PHOTO_MAX_BYTES = 10 * 1024 * 1024
# What an uploaded photo must start with: JPEG, PNG, WebP (RIFF….WEBP).
IMAGE_MAGIC = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png", b"RIFF": ".webp"}
INLINE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
INLINE_TYPES[".webp"] = "image/webp"
HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True, slots=True)
class Upload:
    name: str  # a random name with the image's own suffix
    data: bytes


async def read_photos(form: FormData) -> list[Upload]:
    """The form's `photo` files that are images of at most `PHOTO_MAX_BYTES` (at most
    `RESULT_PHOTOS_MAX`); anything else is skipped."""
    kept: list[Upload] = []
    for upload in form.getlist("photo")[:RESULT_PHOTOS_MAX]:
        if not isinstance(upload, UploadFile):
            continue
        data = await upload.read(PHOTO_MAX_BYTES + 1)
        suffix = next((s for magic, s in IMAGE_MAGIC.items() if data.startswith(magic)), None)
        if suffix == ".webp" and data[8:12] != b"WEBP":
            suffix = None
        if suffix is None or len(data) > PHOTO_MAX_BYTES:
            continue
        kept.append(Upload(f"{secrets.token_hex(8)}{suffix}", data))
    return kept


async def store(uow: UnitOfWork, settings: Settings, upload: Upload, now: datetime) -> str:
    """Keep `upload` where every process can read it; how `attachment_files` names it."""
    return await share_bytes(uow, upload.name, upload.data, settings.storage.shared_files_dir, now)


def response(name: str, data: bytes) -> Response:
    suffix = PurePosixPath(name).suffix.lower()
    media = INLINE_TYPES.get(suffix)
    if media is None or not any(data.startswith(m) for m in IMAGE_MAGIC):
        base = PurePosixPath(name).name
        safe = "".join(c for c in base if (c.isascii() and c.isalnum()) or c in ".-_")
        disposition = f'attachment; filename="{safe or "tep"}"'
        return Response(
            data,
            media_type="application/octet-stream",
            headers={**HEADERS, "Content-Disposition": disposition},
        )
    return Response(data, media_type=media, headers=HEADERS)
