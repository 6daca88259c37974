"""The trained model's examples: the labelled training split, the knowledge base, the word
lists, and a commune's accepted corrections.

Sources, each with a weight (how much one example counts in the loss):

* `faq/data/corpus/train*.toml` and `seed.toml` — `[[case]]` tables of the evaluation
  split's schema (text, intent = question|report|emergency|greeting|other, topic, office);
  the evaluation splits (`eval*.toml`) are never read here;
* every example question of the knowledge base: intent "question", the entry's topic;
* the word lists as short texts, at a low weight: a topic's keywords of weight ≥ 2 (for the
  topic head), problem phrases (report), greeting and thanks phrases;
* corrections (`Correction`): an official's transfer (topic: the likeliest topic the
  commune routes to the new office) or a citizen's intent label, at a high weight.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from faq.knowledge import KnowledgeBase
from faq.lexicon import Lexicon
from faq.normalize import normalize

CORPUS_DIR: Final = Path(__file__).parent / "data" / "corpus"
INTENTS: Final = ("question", "report", "emergency", "greeting", "other")
# Older labelled files (tests/data) name two classes differently.
_ALIASES: Final = {"faq": "question", "unknown": "other"}
CORPUS_WEIGHT: Final = 1.0
KB_WEIGHT: Final = 0.7
WORDS_WEIGHT: Final = 0.25
CORRECTION_WEIGHT: Final = 4.0


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str | None  # None: for the topic head only
    topic: str | None  # None: for the intent head only
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Correction:
    """A correction as stored (de-identified text): an office or an intent for a text."""

    text: str
    office: str | None = None
    intent: str | None = None


def corpus_files(folder: Path = CORPUS_DIR) -> list[Path]:
    """The training split's files: never an evaluation split."""
    return sorted(
        path
        for path in folder.glob("*.toml")
        if path.name.startswith(("train", "seed")) and not path.name.startswith("eval")
    )


def read_cases(path: Path, weight: float = CORPUS_WEIGHT) -> list[Example]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    examples = []
    for case in document.get("case", []):
        intent = _ALIASES.get(case["intent"], case["intent"])
        if intent not in INTENTS:
            continue
        topic = case.get("topic") if intent in {"report", "emergency", "question"} else None
        if intent == "emergency":
            topic = "khan_cap"
        examples.append(Example(case["text"], intent, topic, weight))
    return examples


def knowledge_examples(kb: KnowledgeBase) -> list[Example]:
    return [
        Example(question, "question", entry.topic, KB_WEIGHT)
        for entry in kb.entries
        for question in entry.questions
    ]


def lexicon_examples(lexicon: Lexicon) -> list[Example]:
    examples = [
        Example(phrase, None, topic.id, WORDS_WEIGHT)
        for topic in lexicon.topics.values()
        for phrase, weight in topic.keywords.items()
        if weight >= 2
    ]
    # (not the emergency phrases: they decide as rules, and taught to the model their bare
    # words — "chay", "danh" — would make "xe chạy nhanh" an emergency)
    for name, intent in (
        ("problems.phrases", "report"),
        ("greetings.core", "greeting"),
        ("thanks.phrases", "greeting"),
    ):
        examples += [Example(p, intent, None, WORDS_WEIGHT) for p in lexicon.phrases(name)]
    return examples


def correction_examples(
    corrections: Iterable[Correction],
    routing: Mapping[str, str],
    topic_of: Mapping[str, Sequence[str]] | None = None,
) -> list[Example]:
    """Corrections as examples. A routing correction names an office; its topic is the
    first of `topic_of[text]` (topics by the current model's likelihood) that `routing`
    sends to that office, else the first topic so routed."""
    examples = []
    for correction in corrections:
        topic: str | None = None
        if correction.office is not None:
            offered = [t for t, office in routing.items() if office == correction.office]
            ranked = [t for t in (topic_of or {}).get(correction.text, ()) if t in offered]
            topic = next(iter(ranked or offered), None)
        intent = correction.intent or ("report" if topic is not None else None)
        if intent is not None or topic is not None:
            examples.append(Example(correction.text, intent, topic, CORRECTION_WEIGHT))
    return examples


def bundled_examples(
    kb: KnowledgeBase, lexicon: Lexicon, folder: Path = CORPUS_DIR
) -> list[Example]:
    examples = knowledge_examples(kb) + lexicon_examples(lexicon)
    for path in corpus_files(folder):
        examples += read_cases(path)
    return examples


@functools.cache
def training_vocabulary() -> frozenset[str]:
    """The normalised words of the bundled training split (written for the repository:
    no personal data), which a correction's text may keep (`faq.redact`)."""
    return frozenset(
        word
        for path in corpus_files()
        for e in read_cases(path)
        for word in normalize(e.text).split()
    )


def fingerprint(examples: Sequence[Example], *extra: str) -> str:
    """A key for the cache: the examples themselves (texts, labels, weights) and `extra`."""
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode() + b"\0")
    for example in examples:
        line = f"{example.text}\t{example.intent}\t{example.topic}\t{example.weight}\n"
        digest.update(line.encode())
    return digest.hexdigest()[:20]
