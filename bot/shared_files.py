"""Files one process makes and another sends or shows: the weekly digest's chart and
report, and the copies of citizens' photos and documents (`attachment_bytes`).

Several processes on several machines share one database, and any of them may be the
outbox's sender (`bot/outbox.py`), so a path on the machine that made the file means
nothing to the one that sends it. `share` therefore stores the file in the database
(`shared_files`, the default) and names it `db:<id>` in the outbox row's `extra`, or
copies it into `storage.shared_files_dir`, a folder every process mounts, and names that
copy's path. Before a part goes to the channel, `local_copy` turns a `db:` name into a
private temporary file, which is deleted once the part is sent.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.settings import StorageSettings
from domain.messages import Reply
from storage import Storage, UnitOfWork

DB_PREFIX = "db:"


class FileGone(Exception):
    """A stored file named by an outbox row is no longer in the database."""


async def share(uow: UnitOfWork, path: Path, shared_dir: Path | None, now: datetime) -> str:
    """How the outbox row names `path` so that any process can send it."""
    if shared_dir is not None:
        target = shared_dir / uuid.uuid4().hex[:12] / path.name
        await asyncio.to_thread(_copy, path, target)
        return str(target.resolve())
    data = await asyncio.to_thread(path.read_bytes)
    return await share_bytes(uow, path.name, data, None, now)


async def share_bytes(
    uow: UnitOfWork, name: str, data: bytes, shared_dir: Path | None, now: datetime
) -> str:
    """`share` for content in hand (an upload): kept as `name`; how a row names it."""
    if shared_dir is None:
        return f"{DB_PREFIX}{await uow.files.put(name, data, now)}"
    target = shared_dir / uuid.uuid4().hex[:12] / name
    await asyncio.to_thread(_write, target, data)
    return str(target.resolve())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


async def local_copy(storage: Storage, part: Reply) -> tuple[Reply, list[Path]]:
    """`part` with its stored files written to private temporary files, and the folders
    to delete after sending (`discard`). Raises `FileGone` for a file no longer stored."""
    extra = dict(part.extra)
    folders: list[Path] = []
    for kind, value in part.extra.items():
        if not value.startswith(DB_PREFIX):
            continue
        file_id = int(value.removeprefix(DB_PREFIX))
        async with storage.transaction() as uow:
            stored = await uow.files.get(file_id)
        if stored is None:
            discard(folders)
            raise FileGone(f"{kind}: stored file {file_id} is gone")
        name, data = stored
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="danvan-file-"))
        folders.append(folder)
        target = folder / Path(name).name
        await asyncio.to_thread(target.write_bytes, data)
        extra[kind] = str(target)
    return (replace(part, extra=extra) if folders else part), folders


def discard(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def stored_file_id(name: str) -> int | None:
    """The `shared_files` id a copy's name gives (`db:<id>`), or None for a path."""
    return int(name.removeprefix(DB_PREFIX)) if name.startswith(DB_PREFIX) else None


async def read_copy(
    uow: UnitOfWork, settings: StorageSettings, named: str
) -> tuple[str, bytes] | None:
    """(file name, content) of a copy named `named` (`db:<id>`, or a path), if it is in
    the database or inside the data folder's `files` or the shared folder; anything else,
    or a copy gone, is None (a row never makes the server read an arbitrary path)."""
    if named.startswith(DB_PREFIX):
        number = named.removeprefix(DB_PREFIX)
        return await uow.files.get(int(number)) if number.isdigit() else None
    roots = [settings.data_dir / "files"]
    if settings.shared_files_dir is not None:
        roots.append(settings.shared_files_dir)
    return await asyncio.to_thread(_read_inside, Path(named), roots)


def _read_inside(path: Path, roots: list[Path]) -> tuple[str, bytes] | None:
    target = path.resolve()
    inside = any(root.resolve() in target.parents for root in roots)
    if not inside or not target.is_file():
        return None
    return target.name, target.read_bytes()


async def attachment_bytes(
    storage: Storage, settings: StorageSettings, attachment_id: int
) -> tuple[str, bytes] | None:
    """(file name, content) of an attachment's kept copy, from whichever process made it;
    None when there is no copy (not fetched, refused as too large, or gone)."""
    async with storage.transaction() as uow:
        path, _error = await uow.attachments.get_file(attachment_id)
        return await read_copy(uow, settings, path) if path is not None else None
