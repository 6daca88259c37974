"""The `danvan` command: one click group, each command declared once beside what it does.

`tools` (chat, config check, ask, faq check, outbox status, broadcast), `serve` (run),
`digest`, `officials` (official …, jobs …), `open311` (key …). `main` returns the exit
status instead of exiting, so tests call it in-process; `python -m bot.cli` and the `danvan`
script use it.
The README's CLI reference is `reference()`'s output, checked by tests/test_cli_reference.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

import click

from bot.cli import data, dialogue, digest, officials, open311, polls, serve, tools, zalo
from bot.cli.common import config_option


@click.group(invoke_without_command=True)
@config_option
@click.pass_context
def danvan(ctx: click.Context) -> int:
    """danvan: citizens talk to their commune's People's Committee."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
    return 0


for command in (
    tools.chat,
    tools.config,
    tools.ask,
    tools.faq,
    digest.digest,
    serve.run,
    tools.outbox,
    tools.broadcast,
    officials.official,
    officials.jobs,
    *data.COMMANDS,
    zalo.zalo,
    dialogue.dialogue,
    dialogue.qr,
    open311.open311,
    polls.poll,
):
    danvan.add_command(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `danvan` with `argv` (default: the process's arguments); the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        status = danvan.main(args, prog_name="danvan", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 130
    return status if isinstance(status, int) else 0


def reference(width: int = 100) -> str:
    """The help of every command, as the README's CLI reference shows it."""
    return "\n".join(_helps(danvan, "danvan", None, width)).rstrip() + "\n"


def _helps(
    command: click.Command, name: str, parent: click.Context | None, width: int
) -> Iterator[str]:
    ctx = click.Context(command, info_name=name, parent=parent, terminal_width=width)
    ctx.max_content_width = width
    yield f"$ {ctx.command_path} --help"
    yield command.get_help(ctx)
    yield ""
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is not None:
                yield from _helps(sub, sub_name, ctx, width)
