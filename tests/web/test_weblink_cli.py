"""`danvan official weblink ID`: a one-time console link from the shell, stored hashed."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tests.support.cli import cli, run_chat


def test_weblink_prints_a_link_and_keeps_only_its_hash(tmp_path: Path) -> None:
    invite = cli(tmp_path, "official", "invite", "--office", "KT", "--role", "member")
    code = invite.stdout.split("invite code: ")[1].split()[0]
    run_chat(tmp_path, [f"/thamgia {code} Chị Lan"], "--user", "lan")
    listed = cli(tmp_path, "official", "list").stdout
    lan_id = next(line.split("\t")[0] for line in listed.splitlines() if "console:lan" in line)

    made = cli(tmp_path, "official", "weblink", lan_id)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("one-time link for Chị Lan (valid 10 minutes, once):\n")
    url = made.stdout.splitlines()[1]
    assert url.startswith("http://127.0.0.1:8080/console/login/")
    token = url.rsplit("/", 1)[1]
    with sqlite3.connect(tmp_path / "data" / "danvan.sqlite3") as conn:
        rows = conn.execute("SELECT token_hash, official_id, used_at FROM web_links").fetchall()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), int(lan_id), None)]
    assert token not in (tmp_path / "data" / "danvan.sqlite3").read_bytes().decode("latin-1")

    unknown = cli(tmp_path, "official", "weblink", "999")
    assert unknown.returncode == 2
    assert "official 999: no active official with this id" in unknown.stderr
