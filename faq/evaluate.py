"""Scoring faq.understand against labelled citizen messages (tests and benchmarks).

A labelled file holds `[[case]]` tables: text, intent, optional faq_id, optional topic,
office. A vague question that should get "Có phải anh/chị hỏi…" rather than one answer has
intent "faq", no faq_id, `expect_suggestions = true` and optionally `suggestions`: entry
ids that must all be among the suggestions offered. See tests/data/faq_labelled.toml (held
out) and tests/data/faq_dev.toml (tuning).
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import process

from faq.knowledge import KnowledgeBase
from faq.understand import Intent, Understander


@dataclass(frozen=True, slots=True)
class LabelledCase:
    text: str
    intent: Intent
    faq_id: str | None
    topic: str | None
    office: str
    expect_suggestions: bool = False
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scores:
    cases: int
    faq_cases: int
    top1: float  # the matcher's first-ranked entry is right (answered or first suggestion)
    top3: float  # the right entry is among the three best
    answered_right: float  # answered directly with the right entry
    answered_wrong: float  # answered directly with a wrong entry (the harmful case)
    intent: float
    routing: float
    topic: float
    vague_cases: int = 0
    # vague cases given suggestions (with the expected entries) and no single answer
    suggested_right: float = 0.0
    failures: tuple[str, ...] = field(default=())


def load_cases(path: Path) -> list[LabelledCase]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    cases = []
    for table in document.get("case", []):
        cases.append(
            LabelledCase(
                text=table["text"],
                intent=Intent(table["intent"]),
                faq_id=table.get("faq_id"),
                topic=table.get("topic"),
                office=table["office"],
                expect_suggestions=bool(table.get("expect_suggestions", False)),
                suggestions=tuple(table.get("suggestions", ())),
            )
        )
    return cases


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def evaluate(understander: Understander, cases: Sequence[LabelledCase]) -> Scores:
    faq_cases = [case for case in cases if case.faq_id is not None]
    vague_cases = [case for case in cases if case.expect_suggestions]
    top1 = top3 = right = wrong = intent = routing = topic = suggested = 0
    failures = []
    for case in cases:
        result = understander.understand(case.text)
        ranked = [entry_id for entry_id, _ in understander.candidates(case.text, limit=3)]
        intent += result.intent == case.intent
        routing += result.office == case.office
        topic += result.topic == case.topic
        problems = []
        if result.intent != case.intent:
            problems.append(f"intent {result.intent.value}≠{case.intent.value}")
        if result.office != case.office:
            problems.append(f"office {result.office}≠{case.office}")
        if case.faq_id is not None:
            top1 += bool(ranked) and ranked[0] == case.faq_id
            top3 += case.faq_id in ranked
            right += result.faq_id == case.faq_id
            if result.faq_id != case.faq_id:
                problems.append(f"faq {result.faq_id or ranked[:1]}≠{case.faq_id}")
        if case.expect_suggestions:
            offered = set(result.suggestions)
            good = result.faq_id is None and bool(offered) and set(case.suggestions) <= offered
            suggested += good
            if not good:
                shown = result.faq_id or ",".join(result.suggestions) or "nothing"
                problems.append(f"offered {shown}, expected suggestions {case.suggestions}")
        if result.faq_id is not None and result.faq_id != case.faq_id:
            wrong += 1
        if problems:
            failures.append(f"{case.text!r}: {', '.join(problems)} ({result.confidence:.2f})")
    total, n_faq = len(cases), len(faq_cases)
    return Scores(
        cases=total,
        faq_cases=n_faq,
        top1=_share(top1, n_faq),
        top3=_share(top3, n_faq),
        answered_right=_share(right, n_faq),
        answered_wrong=_share(wrong, total),
        intent=_share(intent, total),
        routing=_share(routing, total),
        topic=_share(topic, total),
        vague_cases=len(vague_cases),
        suggested_right=_share(suggested, len(vague_cases)),
        failures=tuple(failures),
    )


def baseline_top1(kb: KnowledgeBase, cases: Sequence[LabelledCase]) -> float:
    """Naive baseline: rapidfuzz extractOne over the raw example questions."""
    choices: list[str] = []
    owners: list[str] = []
    for entry in kb.entries:
        for question in entry.questions:
            choices.append(question)
            owners.append(entry.id)
    faq_cases = [case for case in cases if case.faq_id is not None]
    hits = 0
    for case in faq_cases:
        best = process.extractOne(case.text, choices)
        hits += best is not None and owners[best[2]] == case.faq_id
    return _share(hits, len(faq_cases))


# The split's classes as the rules name them.
AS_RULES = {
    "question": Intent.FAQ,
    "report": Intent.REPORT,
    "emergency": Intent.EMERGENCY,
    "greeting": Intent.GREETING,
    "other": Intent.UNKNOWN,
}
GOALS = {
    "intent": 0.95,
    "report_recall": 0.90,
    "routing": 0.90,
    "routing_each_office": 0.80,
    "emergency_recall": 1.0,
    "false_emergency_rate_max": 0.02,
    "faq_top1": 0.90,
}


def read_split(path: Path) -> list[dict[str, Any]]:
    """A labelled split's `[[case]]` tables; older files' "faq" and "unknown" are read as
    the corpus's "question" and "other"."""
    cases: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8"))["case"]
    for case in cases:
        case["intent"] = {"faq": "question", "unknown": "other"}.get(case["intent"], case["intent"])
    return cases


def _rounded(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def per_class(understander: Understander, cases: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Issue 11's measures on a split (`read_split`): intent accuracy, report recall and
    precision, emergency recall, the false-emergency rate, routing per office (a report
    routed to its office or one its `also` accepts), FAQ top-1, the confusion matrix."""
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    right = reports_found = said_report = said_report_right = 0
    emergencies_found = false_emergencies = top1 = faq_cases = 0
    shown_numbers = numbers_in_vain = 0  # the hotline numbers, as an emergency or a hint
    routed: Counter[str] = Counter()
    of_office: Counter[str] = Counter()
    for case in cases:
        expected = AS_RULES[case["intent"]]
        result = understander.understand(case["text"])
        confusion[case["intent"]][result.intent.value] += 1
        right += result.intent == expected
        if result.intent == Intent.REPORT:
            said_report += 1
            said_report_right += expected == Intent.REPORT
        if expected == Intent.REPORT:
            reports_found += result.intent == Intent.REPORT
            office = case["office"]
            of_office[office] += 1
            routed[office] += result.office in {office, *case.get("also", ())}
        numbers = result.intent == Intent.EMERGENCY or result.maybe_emergency
        if expected == Intent.EMERGENCY:
            emergencies_found += result.intent == Intent.EMERGENCY
            shown_numbers += numbers
        else:
            false_emergencies += result.intent == Intent.EMERGENCY
            numbers_in_vain += numbers
        if expected == Intent.FAQ and case.get("faq_id"):
            faq_cases += 1
            ranked = understander.candidates(case["text"], limit=1)
            top1 += bool(ranked) and ranked[0][0] == case["faq_id"]
    count = Counter(case["intent"] for case in cases)
    reports, emergencies = count["report"], count["emergency"]
    return {
        "system": "rules only" if understander.model is None else "model",
        "cases": len(cases),
        "make_up": dict(count),
        "intent": _rounded(right, len(cases)),
        "report_recall": _rounded(reports_found, reports),
        "report_precision": _rounded(said_report_right, said_report),
        "emergency_recall": _rounded(emergencies_found, emergencies),
        "false_emergency_rate": _rounded(false_emergencies, len(cases) - emergencies),
        # emergencies that got the hotline numbers (answered as one, or a report with the
        # numbers first), and the other messages that got them too
        "emergency_numbers_recall": _rounded(shown_numbers, emergencies),
        "numbers_to_non_emergencies": _rounded(numbers_in_vain, len(cases) - emergencies),
        "routing": _rounded(sum(routed.values()), reports),
        "routing_by_office": {o: _rounded(routed[o], n) for o, n in sorted(of_office.items())},
        "faq_top1": _rounded(top1, faq_cases),
        "confusion": {k: dict(v) for k, v in sorted(confusion.items())},
        "goals": GOALS,
    }
