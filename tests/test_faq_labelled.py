"""Accuracy floors on the held-out labelled set (regression guard; numbers in the benchmark)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from faq.evaluate import LabelledCase, Scores, baseline_top1, evaluate, load_cases
from faq.knowledge import load_knowledge_base
from faq.normalize import normalize
from faq.topics import DEFAULT_OFFICES, TOPICS
from faq.understand import Intent, Understander

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def held_out() -> list[LabelledCase]:
    return load_cases(DATA / "faq_labelled.toml")


@pytest.fixture(scope="module")
def scores(held_out: list[LabelledCase]) -> Scores:
    kb = load_knowledge_base().active_on(date(2026, 11, 28))
    return evaluate(Understander(kb), held_out)


def test_labelled_set_is_big_varied_and_valid(held_out: list[LabelledCase]) -> None:
    kb = load_knowledge_base()
    assert len(held_out) >= 150
    assert {case.intent for case in held_out} == set(Intent)
    ascii_only = [case for case in held_out if case.text.isascii()]
    assert 0.25 * len(held_out) <= len(ascii_only) <= 0.75 * len(held_out)
    for case in held_out:
        assert case.office in DEFAULT_OFFICES
        assert case.topic is None or case.topic in TOPICS
        assert case.faq_id is None or kb.get(case.faq_id) is not None


def test_labelled_texts_are_not_example_questions(held_out: list[LabelledCase]) -> None:
    kb = load_knowledge_base()
    examples = {normalize(q) for entry in kb.entries for q in entry.questions}
    dev = {normalize(case.text) for case in load_cases(DATA / "faq_dev.toml")}
    for case in held_out:
        assert normalize(case.text) not in examples, case.text
        assert normalize(case.text) not in dev, case.text


def test_accuracy_floors(scores: Scores) -> None:
    report = "\n".join(scores.failures)
    assert scores.top1 >= 0.90, report
    assert scores.routing >= 0.90, report
    assert scores.intent >= 0.95, report
    assert scores.answered_wrong <= 0.05, report


def test_project_beats_naive_baseline(held_out: list[LabelledCase], scores: Scores) -> None:
    assert scores.top1 > baseline_top1(load_knowledge_base(), held_out) + 0.3


def test_vague_questions_get_suggestions(held_out: list[LabelledCase], scores: Scores) -> None:
    vague = [case for case in held_out if case.expect_suggestions]
    assert len(vague) >= 5
    assert all(case.intent is Intent.FAQ and case.faq_id is None for case in vague)
    assert scores.vague_cases == len(vague)
    assert scores.suggested_right >= 0.8, "\n".join(scores.failures)


def test_emergency_cases_are_many_and_recognised(held_out: list[LabelledCase]) -> None:
    understander = Understander(load_knowledge_base().active_on(date(2026, 11, 28)))
    emergencies = [case for case in held_out if case.intent is Intent.EMERGENCY]
    assert len(emergencies) >= 20
    found = [understander.understand(case.text).intent is Intent.EMERGENCY for case in emergencies]
    assert sum(found) >= 0.9 * len(emergencies)
    false_alarms = [
        case.text
        for case in held_out
        if case.intent is not Intent.EMERGENCY
        and understander.understand(case.text).intent is Intent.EMERGENCY
    ]
    assert len(false_alarms) <= 2, false_alarms
