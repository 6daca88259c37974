"""The training splits of issue 11's labelled corpus (faq/data/corpus/train*.toml) are valid.

Every case uses the eval splits' schema, names offices of the default commune, topics of
topics.toml and FAQ entries of the bundled knowledge base, and no text appears twice, in the
training splits or shared with an evaluation split (compared folded: lower case, without
diacritics, punctuation or repeated spaces), so nothing held out leaks into training.
Part B (train_b.toml) is optional: the checks run on whatever training files exist.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from faq.knowledge import load_knowledge_base
from faq.topics import TOPICS

CORPUS = Path(__file__).parent.parent / "faq" / "data" / "corpus"
TRAIN = sorted(CORPUS.glob("train*.toml"))
EVAL = sorted(CORPUS.glob("eval*.toml"))

INTENTS = {"question", "report", "emergency", "greeting", "other"}
KINDS = {"phan_anh", "kien_nghi", "khieu_nai", "to_cao"}
EMERGENCY_TOPIC = "khan_cap"
ROUTED = {"report", "emergency"}
KEYS = {
    "question": {"text", "intent", "faq_id"},
    "report": {"text", "intent", "office", "topic", "also", "kind"},
    "emergency": {"text", "intent", "office", "topic", "also", "kind"},
    "greeting": {"text", "intent"},
    "other": {"text", "intent"},
}


def _cases(path: Path) -> list[dict[str, Any]]:
    cases = tomllib.loads(path.read_text(encoding="utf-8")).get("case", [])
    assert isinstance(cases, list), f"{path.name}: [[case]] must be an array of tables"
    return cases


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


@pytest.fixture(scope="module")
def offices(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    folder = tmp_path_factory.mktemp("config")
    default = resources.files("bot").joinpath("default_config.toml").read_text("utf-8")
    (folder / "config.toml").write_text(default, "utf-8")
    settings = load_settings(folder / "config.toml", {})
    commune = settings.commune(settings.bot.default_commune)
    assert commune is not None
    return {office.code for office in commune.offices}


def test_part_a_exists_and_is_the_size_asked() -> None:
    assert CORPUS / "train_a.toml" in TRAIN
    cases = _cases(CORPUS / "train_a.toml")
    reports = Counter(c["office"] for c in cases if c["intent"] == "report")
    for office in ("VP", "KT", "VHXH", "CA"):
        assert reports[office] >= 100, (office, reports[office])
    assert sum(c["intent"] == "emergency" for c in cases) >= 100
    ascii_only = sum(c["text"].isascii() for c in cases)
    assert 0.25 * len(cases) <= ascii_only <= 0.6 * len(cases)


@pytest.mark.parametrize("path", TRAIN, ids=lambda p: p.name)
def test_every_case_follows_the_schema(path: Path, offices: set[str]) -> None:
    kb = load_knowledge_base()
    cases = _cases(path)
    assert cases, f"{path.name}: no cases"
    for number, case in enumerate(cases, 1):
        where = f"{path.name} case {number} ({case.get('text', '')[:40]!r})"
        intent = case.get("intent")
        assert intent in INTENTS, where
        assert set(case) <= KEYS[intent], (where, set(case) - KEYS[intent])
        assert isinstance(case.get("text"), str), where
        assert case["text"].strip(), where
        if intent in ROUTED:
            assert case.get("office") in offices, where
            assert case.get("topic") in TOPICS, where
            if "also" in case:
                also = case["also"]
                assert isinstance(also, list), where
                assert also, f"{where}: an empty `also` says nothing"
                assert set(also) <= offices, where
                assert case["office"] not in also, where
            assert case.get("kind", "phan_anh") in KINDS, where
        if intent == "emergency":
            assert case["topic"] == EMERGENCY_TOPIC, where
        if "faq_id" in case:
            assert kb.get(case["faq_id"]) is not None, where


def test_texts_are_unique_across_training_and_evaluation_splits() -> None:
    # The eval splits may share a text between them ("?"); a training text may share none.
    held_out = {_fold(case["text"]) for path in EVAL for case in _cases(path)}
    seen: set[str] = set()
    clashes = []
    for path in TRAIN:
        for case in _cases(path):
            key = _fold(case["text"])
            if key in seen or key in held_out:
                clashes.append((path.name, case["text"], "eval" if key in held_out else "train"))
            seen.add(key)
    assert not clashes
