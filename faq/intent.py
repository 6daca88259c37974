"""The intent rules: is a text an emergency, a greeting, thanks, a question, a report, and
which kind of record it names. Pure and synchronous.

The words are data (`faq/data/lexicons/*.toml`, see `faq.lexicon`); `IntentRules` holds one
lexicon's lists as sets. The module-level functions use the bundled lexicon; the
`Understander` uses the rules of the lexicon it was built with.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from domain.records import RecordKind
from faq.lexicon import Lexicon, bundled_lexicon
from faq.normalize import normalize

# Record kinds a text may name, most serious first: the first one named wins.
KIND_ORDER: Final = (RecordKind.TO_CAO, RecordKind.KHIEU_NAI, RecordKind.KIEN_NGHI)
DEFAULT_KIND: Final = RecordKind.PHAN_ANH
# A text is looked up in runs of at most this many words (lexicon phrases are no longer).
GRAM_WORDS: Final = 4


def _grams(normalised: str, longest: int = GRAM_WORDS) -> frozenset[str]:
    """Every run of 1 to `longest` consecutive words: lexicon lookups become set operations."""
    words = normalised.split()
    return frozenset(
        " ".join(words[start : start + size])
        for size in range(1, longest + 1)
        for start in range(len(words) - size + 1)
    )


def _raw_words(raw: str) -> list[str]:
    words = unicodedata.normalize("NFC", raw).casefold().split()
    return [word.strip(".,!?;:()\"'…") for word in words]


def _pairs(phrases: frozenset[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(phrase.split()) for phrase in phrases)


@dataclass(frozen=True, slots=True)
class Text:
    """A message analysed once: raw, normalised, and its word runs (plain and masked)."""

    raw: str
    normalised: str
    grams: frozenset[str]
    masked: frozenset[str]


class IntentRules:
    """The lexicon's lists as sets, and the rules that use them."""

    def __init__(self, lexicon: Lexicon) -> None:
        words = lexicon.words
        self.emergency_phrases = words("emergency.phrases")
        self.emergency_words_with_marks = words("emergency.words_with_marks")
        self.emergency_marked_pairs = _pairs(words("emergency.marked_pairs"))
        self.fire_context = words("emergency.fire_context")
        self.lighting_words = words("emergency.lighting")
        self.not_emergency_next = lexicon.by_word("not_emergency.next")
        self.not_emergency_before = lexicon.by_word("not_emergency.before")
        self.not_emergency_marked = _pairs(words("not_emergency.marked_pairs"))
        self.not_emergency_after = words("not_emergency.after_marked")
        self.greeting_words = words("greetings.words")
        self.greeting_core = words("greetings.core")
        self.thanks_phrases = words("thanks.phrases")
        self.problem_phrases = words("problems.phrases")
        self.filing_verbs = words("filing.verbs")
        self.wish_words = words("filing.wishes")
        self.question_phrases = words("questions.phrases")
        self.not_question = words("questions.not_question")
        self.masked_phrases = words("masked.phrases")
        self.kind_phrases = tuple(
            (kind, lexicon.phrases(f"kinds.{kind.value}")) for kind in KIND_ORDER
        )

    def analyse(self, text: str) -> Text:
        normalised = normalize(text)
        return Text(text, normalised, _grams(normalised), _grams(self._masked(normalised)))

    def _masked(self, normalised: str) -> str:
        """Phrases with another meaning ("sổ hồng", "xe máy") taken out of the text."""
        padded = f" {normalised} "
        for phrase in self.masked_phrases:
            padded = padded.replace(f" {phrase} ", " _ ")
        return padded.strip()

    def _emergency_phrase(self, text: Text, raw_words: Sequence[str]) -> bool:
        """An emergency phrase, unless the word after it or the marks say otherwise."""
        if not text.grams & self.emergency_phrases:
            return False
        # Pairs typed with marks that are something else ("bí danh", "đám người"), folded.
        aliases = [
            normalize(" ".join(pair))
            for pair in pairwise(raw_words)
            if pair in self.not_emergency_marked
        ]
        words = text.normalised.split()
        for start in range(len(words)):
            for size in range(1, GRAM_WORDS + 1):
                phrase = " ".join(words[start : start + size])
                if start + size > len(words) or phrase not in self.emergency_phrases:
                    continue
                first, last = words[start], words[start + size - 1]
                before = words[start - 1] if start else ""
                if before in self.not_emergency_before.get(first, ()):
                    continue
                after = words[start + size] if start + size < len(words) else ""
                if after in self.not_emergency_next.get(last, ()):
                    continue
                if any(alias in phrase for alias in aliases):
                    continue
                return True
        return False

    def emergency(self, text: Text) -> bool:
        raw_words = _raw_words(text.raw)
        if self._emergency_phrase(text, raw_words):
            return True
        if any(pair in self.emergency_marked_pairs for pair in pairwise(raw_words)):
            return True
        if text.grams & self.lighting_words:
            return False  # "đèn cháy bóng": a broken light, not a fire
        # Diacritics-sensitive words: look at the casefolded original, word by word.
        words = raw_words
        for position, word in enumerate(words):
            if word in self.emergency_words_with_marks:
                before = normalize(words[position - 1]) if position else ""
                after = normalize(words[position + 1]) if position + 1 < len(words) else ""
                if after in self.not_emergency_next.get(normalize(word), ()):
                    continue
                if before not in self.not_emergency_after:
                    return True
        return "chay" in text.grams and bool(text.grams & self.fire_context)

    def question(self, text: Text) -> bool:
        if "?" in text.raw:
            return True
        found = text.masked & self.question_phrases
        if not found:
            return False
        if found <= {"may"} and text.masked & self.problem_phrases:
            return False  # "xe máy ngã mấy lần rồi": máy / mấy lần, not "how many?"
        return not (found <= {"ai"} and text.grams & self.not_question)

    def greeting(self, text: Text) -> bool:
        words = text.normalised.split()
        core = text.grams & self.greeting_core
        return bool(words and core) and all(w in self.greeting_words for w in words)

    def thanks(self, text: Text) -> bool:
        return bool(text.grams & self.thanks_phrases)

    def report(self, text: Text) -> bool:
        words = text.normalised.split()
        asks_co_khong = len(words) >= 3 and words[-1] in {"khong", "chua"} and "co" in words[:-1]
        if self.question(text) or asks_co_khong:
            return False
        if text.masked & self.problem_phrases:
            return True
        return bool(text.grams & self.filing_verbs and text.grams & self.wish_words)

    def wants_to_file(self, text: Text) -> bool:
        """An explicit wish to file («tôi muốn tố cáo …», «em muốn phản ánh …»), not asked
        as a question: as certain as a command."""
        if self.question(text):
            return False
        return bool(text.grams & self.filing_verbs and text.grams & self.wish_words)

    def requested_kind(self, text: str) -> RecordKind:
        """The record kind `text` names (tố cáo, khiếu nại, kiến nghị), else phản ánh; the
        most serious kind named wins ("khiếu nại, tố cáo" is a tố cáo)."""
        padded = f" {normalize(text)} "
        for kind, phrases in self.kind_phrases:
            if any(f" {phrase} " in padded for phrase in phrases):
                return kind
        return DEFAULT_KIND


BUNDLED_RULES: Final = IntentRules(bundled_lexicon())

# The bundled lists, by the names they had as Python constants.
EMERGENCY_PHRASES: Final = BUNDLED_RULES.emergency_phrases
PROBLEM_PHRASES: Final = BUNDLED_RULES.problem_phrases
QUESTION_PHRASES: Final = BUNDLED_RULES.question_phrases
MASKED: Final = BUNDLED_RULES.masked_phrases


def _rules(lexicon: Lexicon | None) -> IntentRules:
    return BUNDLED_RULES if lexicon is None else IntentRules(lexicon)


def is_emergency(text: str, lexicon: Lexicon | None = None) -> bool:
    """Emergency wording, with or without diacritics."""
    rules = _rules(lexicon)
    return rules.emergency(rules.analyse(text))


def is_question(text: str, lexicon: Lexicon | None = None) -> bool:
    """The text asks something (question words, "?", "thủ tục", "giấy tờ" …)."""
    rules = _rules(lexicon)
    return rules.question(rules.analyse(text))


def is_greeting(text: str, lexicon: Lexicon | None = None) -> bool:
    """Only greetings, thanks or acknowledgements."""
    rules = _rules(lexicon)
    return rules.greeting(rules.analyse(text))


def is_thanks(text: str, lexicon: Lexicon | None = None) -> bool:
    """The text thanks someone (cảm ơn, cám ơn, cam on, thanks, tks …).

    Pure; the core asks it of a GREETING text to answer thanks with "xin cảm ơn" rather
    than "xin chào"."""
    rules = _rules(lexicon)
    return rules.thanks(rules.analyse(text))


def reports_problem(text: str, lexicon: Lexicon | None = None) -> bool:
    """A problem is described (or a filing is asked for) and nothing is asked."""
    rules = _rules(lexicon)
    return rules.report(rules.analyse(text))


def requested_kind(text: str, lexicon: Lexicon | None = None) -> RecordKind:
    """The kind of record a free-text report asks for: phản ánh unless one is named."""
    return _rules(lexicon).requested_kind(text)
