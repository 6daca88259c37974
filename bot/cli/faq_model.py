"""`danvan faq corrections` and `danvan faq train`: the corrections loop (issue 11).

`corrections` lists what officials and citizens corrected (de-identified text, kind,
label, what the bot had said, status) and accepts or rejects citizens' labels by id.
`train --commune CG` folds that commune's accepted corrections into its own model (saved
in the data folder, used from the next start), then prints the model's figures on the
evaluation split (`faq/data/corpus/eval.toml`, or `--cases`), never trained on.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.app import open_storage
from bot.cli.common import commune_or_none, config_option, run_async, settings_command
from bot.models import accepted_corrections, commune_model_path, train_commune
from bot.settings import Settings
from faq.corpus import CORPUS_DIR
from faq.evaluate import per_class, read_split
from faq.knowledge import load_deployment_knowledge
from faq.lexicon import load_lexicon
from faq.understand import Understander

COMMUNE_HELP = "The commune's short code (default: bot.default_commune)."
EVAL_SPLIT = CORPUS_DIR / "eval.toml"


@click.command("corrections")
@click.option("--commune", help=COMMUNE_HELP)
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected"]))
@click.option("--accept", "accept", multiple=True, type=int, help="Accept the correction ID.")
@click.option("--reject", "reject", multiple=True, type=int, help="Reject the correction ID.")
@config_option
@settings_command(log="stderr")
def corrections(
    settings: Settings,
    commune: str | None,
    status: str | None,
    accept: tuple[int, ...],
    reject: tuple[int, ...],
) -> int:
    """List the corrections of the bot's understanding; accept or reject them."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2

    async def work() -> int:
        storage = await open_storage(settings.storage)
        try:
            async with storage.transaction() as uow:
                if accept:
                    print(f"accepted: {await uow.corrections.set_status(list(accept), 'accepted')}")
                if reject:
                    print(f"rejected: {await uow.corrections.set_status(list(reject), 'rejected')}")
                rows = await uow.corrections.list_for(chosen.code, status)
        finally:
            await storage.close()
        for row in rows:
            said = f" (was {row.previous})" if row.previous else ""
            label = f"{row.kind:7} → {row.label}{said} [{row.source}]"
            print(f"#{row.id} {row.status:8} {label} {row.text}")
        print(f"{len(rows)} correction(s) for {chosen.code}")
        return 0

    return run_async(work())


@click.command("train")
@click.option("--commune", help=COMMUNE_HELP)
@click.option(
    "--cases",
    type=click.Path(path_type=Path, exists=True),
    default=EVAL_SPLIT,
    help="The labelled split to print figures on (default: the evaluation split).",
)
@config_option
@settings_command(log="stderr")
def train(settings: Settings, commune: str | None, cases: Path) -> int:
    """Fold a commune's accepted corrections into its model; print the evaluation split."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2

    async def work() -> int:
        storage = await open_storage(settings.storage)
        try:
            async with storage.transaction() as uow:
                folded = await accepted_corrections(uow, chosen)
        finally:
            await storage.close()
        dirs = settings.bot.knowledge_dirs
        kb, lexicon = load_deployment_knowledge(dirs), load_lexicon(dirs)
        model = train_commune(settings, chosen, kb, lexicon, folded)
        path = commune_model_path(settings, chosen.code)
        print(f"{chosen.code}: {len(folded)} accepted correction(s) folded in; model {path}")
        routing = {**lexicon.routing, **chosen.routing}
        figures = per_class(
            Understander(kb, routing, lexicon=lexicon, model=model), read_split(cases)
        )
        keys = (
            *("cases", "intent", "report_recall", "report_precision", "emergency_recall"),
            *("false_emergency_rate", "routing", "routing_by_office", "faq_top1"),
        )
        print(f"on {cases.name}: " + json.dumps({k: figures[k] for k in keys}, ensure_ascii=False))
        return 0

    return run_async(work())
