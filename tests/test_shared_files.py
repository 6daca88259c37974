"""Copies of citizens' photos that any process can read (bot/shared_files.py): kept in the
database by default or in the configured shared folder, and read back by attachment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.shared_files import DB_PREFIX, attachment_bytes, share
from tests.contract.support import new_record

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PHOTO = b"\xff\xd8\xff\xe0 a photo of a broken street light"


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


async def keep_copy(app: App, scratch: Path, shared_dir: Path | None) -> int:
    """A record with one photo whose downloaded copy is kept as the fetcher keeps it."""
    download = scratch / "cot-den.jpg"
    download.write_bytes(PHOTO)
    async with app.storage.transaction() as uow:
        record = await uow.records.insert("CG-2612-PHOTO1", new_record())
        await uow.attachments.add(record.id, "photo", "large-id", NOW)
        (attachment,) = await uow.attachments.list_for(record.id)
        path = await share(uow, download, shared_dir, NOW)
        file_id = int(path.removeprefix(DB_PREFIX)) if path.startswith(DB_PREFIX) else None
        await uow.attachments.save_file(
            attachment.id, NOW, path=path, size=len(PHOTO), file_id=file_id
        )
    download.unlink()  # the scratch copy goes; what is kept does not depend on it
    return attachment.id


async def test_a_copy_kept_in_the_database_outlives_the_files_purge(
    app: App, tmp_path: Path
) -> None:
    attachment = await keep_copy(app, tmp_path, None)
    settings = app.settings.storage
    assert await attachment_bytes(app.storage, settings, attachment) == ("cot-den.jpg", PHOTO)
    async with app.storage.transaction() as uow:
        await uow.files.purge(NOW + timedelta(days=400))  # the digests' old files go
    assert await attachment_bytes(app.storage, settings, attachment) == ("cot-den.jpg", PHOTO)


async def test_a_copy_in_the_shared_folder_is_read_from_there(app: App, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    attachment = await keep_copy(app, tmp_path, shared)
    settings = replace(app.settings.storage, shared_files_dir=shared)
    assert await attachment_bytes(app.storage, settings, attachment) == ("cot-den.jpg", PHOTO)
    # a path outside the data folder's files and the shared folder is never read
    assert await attachment_bytes(app.storage, app.settings.storage, attachment) is None
    (kept,) = list(shared.rglob("cot-den.jpg"))
    kept.unlink()  # the folder lost it: no copy, and no crash
    assert await attachment_bytes(app.storage, settings, attachment) is None


async def test_no_copy_yet_is_none(app: App) -> None:
    async with app.storage.transaction() as uow:
        record = await uow.records.insert("CG-2612-PHOTO2", new_record())
        await uow.attachments.add(record.id, "photo", "large-id", NOW)
        (attachment,) = await uow.attachments.list_for(record.id)
    assert await attachment_bytes(app.storage, app.settings.storage, attachment.id) is None
