"""The README's CLI reference is the help the code prints, for every command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main, reference

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"<!-- cli-reference -->\n```text\n(.*?)```\n<!-- /cli-reference -->", re.S)
REGENERATE = "python -c 'from bot.cli import reference; print(reference(), end=\"\")'"


def test_the_readme_shows_the_help_of_every_command() -> None:
    found = BLOCK.search(README.read_text("utf-8"))
    assert found is not None, "README.md: the <!-- cli-reference --> block is missing"
    assert found.group(1) == reference(), f"README.md: paste the output of {REGENERATE}"


def test_every_command_has_help_and_takes_config_after_its_name() -> None:
    text = reference()
    commands = re.findall(r"^\$ (danvan.*) --help$", text, re.M)
    assert len(commands) == 46
    for command in commands:
        helps = text.split(f"$ {command} --help\n", 1)[1].split("\n$ ", 1)[0]
        assert "--config PATH" in helps, command
        assert re.search(r"^  \S", helps, re.M), f"{command} has no description"


def test_no_command_prints_the_overview(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "Commands:" in capsys.readouterr().out
    assert main(["ask", "x"]) == 2
    assert "Missing option '--json'" in capsys.readouterr().err
