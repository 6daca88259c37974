"""The knowledge base: FAQ entries loaded from TOML files that commune staff can edit.

A file holds `[[entry]]` tables; see `faq/data/*.toml` for the fields (`topics.toml` there
is the topics table of faq.lexicon, not entries). Several paths may be
loaded in order: an entry in a later path replaces the entry with the same id from an earlier
one, so a commune keeps its own directory beside the bundled answers.

Answers are jinja2 templates rendered by the core with autoescape; they may use only the
commune variables in `COMMUNE_VARIABLES`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any, Final

import jinja2
import jinja2.meta
import jinja2.nodes
from rapidfuzz import fuzz

from domain.communes import TRIAGE_OFFICE
from faq.lexicon import TOPICS_FILE
from faq.normalize import normalize
from faq.topics import DEFAULT_OFFICES, TOPICS

DATA_DIR: Final = Path(__file__).parent / "data"
COMMUNE_VARIABLES: Final = frozenset(
    {"name", "address", "working_hours", "hotline", "reception_schedule", "website"}
)
# Example questions of two entries that are this similar (rapidfuzz ratio, 0–100) collide.
COLLISION_RATIO: Final = 97.0

_REQUIRED = ("id", "title", "questions", "answer", "office")
_KNOWN_FIELDS = frozenset(
    {
        "id",
        "title",
        "questions",
        "answer",
        "legal_basis",
        "source",
        "office",
        "tags",
        "topic",
        "effective_from",
        "effective_until",
        "follow_ups",
    }
)


class KnowledgeBaseError(Exception):
    """A knowledge-base file cannot be read: bad TOML, a missing or mistyped field."""


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    legal_basis: str = ""
    source: str = ""
    office: str = TRIAGE_OFFICE
    tags: tuple[str, ...] = ()
    topic: str | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    follow_ups: tuple[str, ...] = ()

    def in_force_on(self, day: date) -> bool:
        """True when `day` lies in [effective_from, effective_until)."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_until is None or day < self.effective_until


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    entries: tuple[FaqEntry, ...]
    _by_id: Mapping[str, FaqEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Later entries with the same id win in lookups; check_knowledge_base reports them.
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def get(self, entry_id: str) -> FaqEntry | None:
        return self._by_id.get(entry_id)

    def active_on(self, day: date) -> KnowledgeBase:
        """The entries in force on `day` (both regimes around 01/7/2026 stay in the files)."""
        return KnowledgeBase(tuple(entry for entry in self.entries if entry.in_force_on(day)))

    def __len__(self) -> int:
        return len(self.entries)

    def vocabulary(self) -> frozenset[str]:
        """Every normalised word of the entries' example questions, titles and tags."""
        words: set[str] = set()
        for entry in self.entries:
            for text in (*entry.questions, entry.title, *entry.tags):
                words.update(normalize(text).split())
        return frozenset(words)


def _str_tuple(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise TypeError(f"{what} must be a list of strings")
    if not all(isinstance(item, str) for item in value):
        raise TypeError(f"{what} must be a list of strings")
    return tuple(value)


def _opt_date(value: Any, what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"{what} must be a date such as 2026-07-01")


def _string(table: Mapping[str, Any], key: str, *, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    return value


def _entry_from_table(table: Mapping[str, Any]) -> FaqEntry:
    missing = [key for key in _REQUIRED if key not in table]
    if missing:
        raise KeyError(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(table) - _KNOWN_FIELDS)
    if unknown:
        raise KeyError(f"unknown field(s): {', '.join(unknown)}")
    topic = table.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise TypeError("topic must be a string")
    return FaqEntry(
        id=_string(table, "id"),
        title=_string(table, "title"),
        questions=_str_tuple(table["questions"], "questions"),
        answer=_string(table, "answer"),
        legal_basis=_string(table, "legal_basis", default=""),
        source=_string(table, "source", default=""),
        office=_string(table, "office"),
        tags=_str_tuple(table.get("tags", []), "tags"),
        topic=topic,
        effective_from=_opt_date(table.get("effective_from"), "effective_from"),
        effective_until=_opt_date(table.get("effective_until"), "effective_until"),
        follow_ups=_str_tuple(table.get("follow_ups", []), "follow_ups"),
    )


def parse_entries(text: str, origin: str) -> list[FaqEntry]:
    """Entries of one TOML document; `origin` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KnowledgeBaseError(f"{origin}: invalid TOML: {error}") from error
    unknown = sorted(set(document) - {"entry"})
    if unknown:
        raise KnowledgeBaseError(
            f"{origin}: unknown top-level key(s) {', '.join(unknown)}: entries are [[entry]] tables"
        )
    tables = document.get("entry", [])
    if not isinstance(tables, list):
        raise KnowledgeBaseError(f"{origin}: 'entry' must be an array of tables ([[entry]])")
    entries = []
    for position, table in enumerate(tables, start=1):
        label = table.get("id", f"#{position}") if isinstance(table, dict) else f"#{position}"
        try:
            entries.append(_entry_from_table(table))
        except (KeyError, TypeError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            raise KnowledgeBaseError(f"{origin}: entry {label}: {message}") from error
    return entries


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        # topics.toml beside the entries is the topics table (faq.lexicon), not entries.
        return sorted(file for file in path.glob("*.toml") if file.name != TOPICS_FILE)
    if path.is_file():
        return [path]
    raise KnowledgeBaseError(f"{path}: no such file or directory")


def load_deployment_knowledge(knowledge_dirs: Sequence[Path]) -> KnowledgeBase:
    """The bundled answers with a deployment's folders on top (`bot.knowledge_dirs`):
    their entries add to the bundled ones and override them by id."""
    return load_knowledge_base([DATA_DIR, *knowledge_dirs])


def load_knowledge_base(paths: Sequence[Path] = ()) -> KnowledgeBase:
    """Load the bundled answers (no paths) or the given files/directories, later ones winning."""
    sources = list(paths) or [DATA_DIR]
    merged: dict[str, FaqEntry] = {}
    for source in sources:
        for file in _files(Path(source)):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise KnowledgeBaseError(f"{file}: cannot read: {error}") from error
            seen_here: set[str] = set()
            for entry in parse_entries(text, str(file)):
                if entry.id in seen_here:
                    raise KnowledgeBaseError(f"{file}: entry {entry.id}: duplicate id in file")
                seen_here.add(entry.id)
                merged.pop(entry.id, None)  # an override moves to the end, like a new entry
                merged[entry.id] = entry
    return KnowledgeBase(tuple(merged.values()))


def _template_problems(entry: FaqEntry, environment: jinja2.Environment) -> list[str]:
    try:
        tree = environment.parse(entry.answer)
    except jinja2.TemplateSyntaxError as error:
        return [f"{entry.id}: answer is not a valid template: {error.message}"]
    problems = []
    names = jinja2.meta.find_undeclared_variables(tree)
    for name in sorted(names - {"commune"}):
        problems.append(f"{entry.id}: answer uses unknown variable '{name}'")
    for attribute in tree.find_all(jinja2.nodes.Getattr):
        if (
            isinstance(attribute.node, jinja2.nodes.Name)
            and attribute.node.name == "commune"
            and attribute.attr not in COMMUNE_VARIABLES
        ):
            problems.append(f"{entry.id}: answer uses unknown variable 'commune.{attribute.attr}'")
    for item in tree.find_all(jinja2.nodes.Getitem):
        if isinstance(item.node, jinja2.nodes.Name) and item.node.name == "commune":
            problems.append(f"{entry.id}: write commune.<name>, not commune[...]")
    return problems


def _overlap(left: FaqEntry, right: FaqEntry) -> bool:
    """Whether two entries are ever in force on the same day (else they may share questions)."""
    start = max(left.effective_from or date.min, right.effective_from or date.min)
    end = min(left.effective_until or date.max, right.effective_until or date.max)
    return start < end


def _collisions(entries: Sequence[FaqEntry]) -> list[str]:
    problems = []
    questions: list[tuple[str, str, FaqEntry]] = []
    seen: dict[str, list[FaqEntry]] = {}
    for entry in entries:
        for question in entry.questions:
            key = normalize(question)
            for other in seen.get(key, []):
                if other.id != entry.id and _overlap(other, entry):
                    problems.append(
                        f"{entry.id}: question '{question}' is the same as a question of {other.id}"
                    )
            if entry not in seen.setdefault(key, []):
                seen[key].append(entry)
                questions.append((key, question, entry))
    # Near-identical questions of different entries; quadratic but over a few hundred short
    # strings, and it runs in `danvan faq check`, not per message.
    for (left, _, left_entry), (right, question, right_entry) in combinations(questions, 2):
        if (
            left != right
            and left_entry.id != right_entry.id
            and _overlap(left_entry, right_entry)
            and fuzz.ratio(left, right) >= COLLISION_RATIO
        ):
            problems.append(
                f"{right_entry.id}: question '{question}' is nearly the same as "
                f"'{left}' of {left_entry.id}"
            )
    return problems


def check_knowledge_base(
    kb: KnowledgeBase, office_codes: Collection[str] = DEFAULT_OFFICES
) -> list[str]:
    """Human-readable problems of a knowledge base; an empty list means it is fine."""
    problems: list[str] = []
    environment = jinja2.Environment(autoescape=True)
    seen: set[str] = set()
    ids = {entry.id for entry in kb.entries}
    for entry in kb.entries:
        if not entry.id.strip():
            problems.append(f"entry '{entry.title}': empty id")
        if entry.id in seen:
            problems.append(f"{entry.id}: duplicate id")
        seen.add(entry.id)
        if not entry.title.strip():
            problems.append(f"{entry.id}: empty title")
        if not entry.answer.strip():
            problems.append(f"{entry.id}: empty answer")
        if not entry.questions:
            problems.append(f"{entry.id}: no example questions")
        if not entry.legal_basis.strip() and not entry.source.strip():
            problems.append(f"{entry.id}: needs a legal_basis or a source")
        if entry.office not in office_codes:
            problems.append(f"{entry.id}: unknown office '{entry.office}'")
        if entry.topic is not None and entry.topic not in TOPICS:
            problems.append(f"{entry.id}: unknown topic '{entry.topic}'")
        if (
            entry.effective_from is not None
            and entry.effective_until is not None
            and entry.effective_until <= entry.effective_from
        ):
            problems.append(f"{entry.id}: effective_until is not after effective_from")
        for follow_up in entry.follow_ups:
            if follow_up not in ids:
                problems.append(f"{entry.id}: follow-up '{follow_up}' does not exist")
            elif follow_up == entry.id:
                problems.append(f"{entry.id}: lists itself as a follow-up")
        problems.extend(_template_problems(entry, environment))
    problems.extend(_collisions(kb.entries))
    return problems
