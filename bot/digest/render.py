"""The digest's four outputs: the chat message, the report (DOCX and HTML page) and the chart.

All words come from templates in `handlers/templates/` (`digest_*.j2`, overridable with
`bot.templates_dir`). The report template writes simple `part|text|…` lines that the DOCX
builder and the HTML page lay out, so both say exactly the same thing.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from bot.digest.figures import Digest
from domain.communes import CommuneSettings
from handlers.render import template_loader

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TELEGRAM_LIMIT = 4096
# Lines of each list in the chat message; fewer when the message would be too long.
MESSAGE_LIST_LIMITS = (5, 3, 2, 1, 0)


def _so(value: float | None) -> str:
    """A number the Vietnamese way: 1.234 and 12,5."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _phantram(value: float | None) -> str:
    return "—" if value is None else _so(round(value * 100, 1)) + "%"


def _diem(value: float | None) -> str:
    """A percentage already multiplied by 100."""
    return "—" if value is None else _so(value) + "%"


def _diem1(value: float | None) -> str:
    """A mean score with one decimal, the Vietnamese way: 4,5."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _thoigian(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < 1:
        return f"{max(1, round(hours * 60))} phút"
    if hours < 48:
        return _so(round(hours, 1)) + " giờ"
    return _so(round(hours / 24, 1)) + " ngày"


def _ngay(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _ngay_thang_nam(value: date) -> str:
    """Nghị định 30/2020: days below 10 and months below 3 take a leading zero."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def _cell(value: object) -> str:
    return " ".join(str(value).replace("|", "/").split())


def _autoescape(name: str | None) -> bool:
    return name is None or not name.endswith(".txt.j2")


@dataclass(slots=True)
class Block:
    kind: str
    cells: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)


def parse_report(text: str) -> list[Block]:
    """`part|a|b` lines into blocks; `row` lines join the table before them."""
    blocks: list[Block] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        kind, _, rest = line.partition("|")
        cells = tuple(rest.split("|"))
        if kind == "row":
            if not blocks or blocks[-1].kind != "table":
                raise ValueError("a row outside a table in the report template")
            blocks[-1].rows.append(cells)
        else:
            blocks.append(Block(kind.strip(), cells))
    return blocks


class DigestRenderer:
    def __init__(self, override_dir: Path | None = None) -> None:
        self.override_dir = override_dir
        self.env = jinja2.Environment(
            loader=template_loader(override_dir),
            # HTML templates are escaped; the report's `part|text` lines (.txt.j2) are not
            # HTML and are escaped by python-docx (XML) and by the page template instead.
            autoescape=_autoescape,  # noqa: S701
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            so=_so,
            phantram=_phantram,
            diem=_diem,
            diem1=_diem1,
            thoigian=_thoigian,
            ngay=_ngay,
            ngay_thang_nam=_ngay_thang_nam,
            cell=_cell,
        )
        labels: dict[str, str] = {}
        for name in ("labels.j2", "digest_labels.j2"):
            found = getattr(self.env.get_template(name).module, "labels", None)
            if not isinstance(found, Mapping):
                raise jinja2.TemplateError(f"{name} must define `labels` as a mapping")
            labels.update(found)
        self.labels: Mapping[str, str] = labels
        self.env.globals["labels"] = labels

    def kind_labels(self) -> dict[str, str]:
        return {k.removeprefix("kind."): v for k, v in self.labels.items() if k.startswith("kind.")}

    def _render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def message(self, digest: Digest) -> str:
        """The chat message; lists are shortened until it fits Telegram's 4,096 characters."""
        text = ""
        for limit in MESSAGE_LIST_LIMITS:
            text = self._render("digest_message.j2", d=digest, w=digest.current, limit=limit)
            if len(text) <= TELEGRAM_LIMIT:
                return text
        # Last resort: whole lines only, so no HTML tag is cut in half.
        return text[: text.rfind("\n", 0, TELEGRAM_LIMIT - 2)] + "\n…"

    def report(self, digest: Digest, commune: CommuneSettings) -> list[Block]:
        text = self._render(
            "digest_report.txt.j2",
            d=digest,
            w=digest.current,
            p=digest.previous,
            report=commune.digest,
            today=digest.generated_at.astimezone(commune.timezone).date(),
        )
        return parse_report(text)

    def page(self, digest: Digest, blocks: list[Block], chart_png: bytes) -> str:
        parts = {b.kind: b.cells for b in blocks}
        chart = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
        return self._render(
            "digest_page.html.j2",
            w=digest.current,
            blocks=blocks,
            part=parts,
            recipients=[b.cells[0] for b in blocks if b.kind == "recipient"],
            chart=chart,
        )


def _wrapped(name: str, width: int = 26) -> str:
    """An office name on lines of about `width` characters, for the chart's axis."""
    return textwrap.fill(name, width) or name


def chart_title(digest: Digest, labels: Mapping[str, str]) -> str:
    """«Xã Cát Giang — Tuần 49/2026 (30/11–06/12)»."""
    week = digest.current.week
    name = digest.current.commune_name
    title = labels["chart.week"].format(
        number=week.number,
        year=week.year,
        monday=week.monday.strftime("%d/%m"),
        sunday=week.sunday.strftime("%d/%m"),
    )
    return f"{name[:1].upper()}{name[1:]} — {title}"


def chart_png(digest: Digest, labels: Mapping[str, str], today: date | None = None) -> bytes:
    """The chart of `chart_figure` as a PNG."""
    buffer = io.BytesIO()
    chart_figure(digest, labels, today).savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def chart_figure(digest: Digest, labels: Mapping[str, str], today: date | None = None) -> Figure:
    """Received vs closed per office (by name), and the week's daily trend up to `today`
    (days still to come are left out), on a matplotlib Figure (Agg, no display). Counts
    are whole numbers on axes from 0."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as NewFigure
    from matplotlib.ticker import MaxNLocator

    week = digest.current
    offices = [o for o in week.offices if o.received or o.closed] or list(week.offices)
    # why this size: the DOCX shows the chart 165 mm wide; at 8 in the labels print at about
    # 8 pt (at 10 in they were 5 pt, the office names unreadable on paper)
    figure = NewFigure(figsize=(8, 4.4), dpi=140, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(3, 2))
    positions = range(len(offices))
    width = 0.4
    left.barh(
        [p - width / 2 for p in positions],
        [o.received for o in offices],
        height=width,
        label=labels["chart.received"],
        color="#1f5fa8",
    )
    left.barh(
        [p + width / 2 for p in positions],
        [o.closed for o in offices],
        height=width,
        label=labels["chart.closed"],
        color="#e08a1e",
    )
    left.set_yticks(list(positions), [_wrapped(o.name) for o in offices], fontsize=9)
    left.invert_yaxis()
    left.set_title(labels["chart.offices"])
    left.set_xlabel(labels["chart.count"])
    most = max([0, *(o.received for o in offices), *(o.closed for o in offices)])
    left.set_xlim(0, max(most, 4) * 1.15)
    if most == 0:
        left.text(
            0.5, 0.5, labels["chart.empty"], transform=left.transAxes, ha="center", va="center"
        )
    else:
        left.legend(loc="lower right")
    shown = [d for d in week.daily if today is None or d.day <= today]
    days = [d.day.weekday() for d in shown]
    received = [d.received for d in shown]
    closed = [d.closed for d in shown]
    right.plot(days, received, marker="o", color="#1f5fa8", label=labels["chart.received"])
    right.plot(days, closed, marker="s", color="#e08a1e", label=labels["chart.closed"])
    right.set_xlim(-0.5, 6.5)  # the whole week's width, also when only its start is shown
    right.set_xticks(range(7), [labels[f"weekday.{i}"] for i in range(7)])
    right.set_title(labels["chart.trend"])
    right.set_ylim(0, max([*received, *closed, 4]) * 1.25)
    right.legend(loc="upper right")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of records: whole
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    for axes in (left, right):
        axes.grid(axis="x" if axes is left else "y", alpha=0.3)
    figure.suptitle(chart_title(digest, labels))
    return figure
