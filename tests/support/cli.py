"""The `danvan` command line as a person or a script runs it: a subprocess in a folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `danvan ARGS…` in `cwd` with `stdin`, without the caller's DANVAN_CONFIG."""
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_CONFIG"}
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def run_chat(cwd: Path, lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    """`danvan chat EXTRA…` with these lines typed, one per line."""
    return cli(cwd, "chat", *extra, stdin="\n".join(lines) + "\n")
