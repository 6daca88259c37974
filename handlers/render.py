"""User-facing text: autoescaped jinja2 templates, bundled and overridable.

Templates live in `handlers/templates/`; a deployment may put files of the same name in
the directory `bot.templates_dir` names, and those win. Autoescape is always on, so
anything a person typed is escaped for Telegram HTML; literal tags in a template are kept.
`labels.j2` holds the short texts (buttons, names of kinds and statuses).

Knowledge-base answers are templates held as data in deployment folders; they render in a
`SandboxedEnvironment` (no attribute access to internals), with the same filters and labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox


def _ngay(value: datetime) -> str:
    return value.strftime("%d/%m/%Y")


def _gio(value: datetime) -> str:
    return value.strftime("%H:%M %d/%m/%Y")


def template_loader(override_dir: Path | None) -> jinja2.BaseLoader:
    """The deployment's templates first (if any), then the bundled ones."""
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(jinja2.PackageLoader("handlers", "templates"))
    return jinja2.ChoiceLoader(loaders)


class Renderer:
    def __init__(self, override_dir: Path | None = None) -> None:
        # Templates are read once: no stat of the file per render (`auto_reload`, 6 % of an
        # update's time); a changed override directory takes effect at the next start.
        self.env = jinja2.Environment(
            loader=template_loader(override_dir),
            auto_reload=False,
            cache_size=-1,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["ngay"] = _ngay
        self.env.filters["gio"] = _gio
        labels = getattr(self.env.get_template("labels.j2").module, "labels", None)
        if not isinstance(labels, Mapping):
            raise jinja2.TemplateError("labels.j2 must define `labels` as a mapping")
        self.labels: Mapping[str, str] = labels
        self.env.globals["labels"] = labels
        self._data_env = jinja2.sandbox.SandboxedEnvironment(
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._data_env.filters.update(self.env.filters)
        self._data_env.globals["labels"] = labels
        self._compiled: dict[str, jinja2.Template] = {}

    def render(self, name: str, /, **context: Any) -> str:
        """Render `name.j2`; the result is Telegram HTML with surrounding blank lines trimmed."""
        return self.env.get_template(f"{name}.j2").render(**context).strip()

    def render_string(self, source: str, /, **context: Any) -> str:
        """Render a template held as data (a knowledge-base answer)."""
        template = self._compiled.get(source)
        if template is None:  # the knowledge base is finite: each answer compiled once
            template = self._compiled[source] = self._data_env.from_string(source)
        return template.render(**context).strip()

    def label(self, key: str) -> str:
        try:
            return self.labels[key]
        except KeyError:
            raise KeyError(f"labels.j2 has no label {key!r}") from None
