"""Retrieval of FAQ entries: a term index for candidates, rapidfuzz for the final score.

Each entry is a bag of terms (words and adjacent word pairs) from its normalised example
questions, title and tags. A query's terms are weighted by inverse document frequency;
only postings of selective terms are walked, so a 5,000-entry base stays within the latency
budget. Candidates are then scored by

    score = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * similarity

where `coverage` is the share of the query's term weight found in the entry and
`similarity` the best rapidfuzz similarity between the query and one of the entry's
normalised questions. Scores lie in [0, 1].
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from rapidfuzz import fuzz, process

from faq.knowledge import FaqEntry
from faq.lexicon import bundled_lexicon
from faq.normalize import normalize

COVERAGE_WEIGHT: Final = 0.6
# Terms present in more than this share of entries do not generate candidates (they still
# count when candidates are scored).
COMMON_SHARE: Final = 0.02
MAX_CANDIDATES: Final = 16
# Words not in the base that are one edit away from a known word count at this weight.
CORRECTION_WEIGHT: Final = 0.5
# Unknown words weigh this share of the rarest term's weight in the coverage denominator.
UNKNOWN_WEIGHT: Final = 0.35
MIN_CORRECTABLE: Final = 4
# Share of a word pair's weight counted against an entry when the pair is not in the base.
PAIR_WEIGHT: Final = 0.5
# Function and question words say how something is asked, not what: they count at this
# share of their weight and never generate candidates on their own.
FUNCTION_WEIGHT: Final = 0.15
FUNCTION_WORDS: Final = bundled_lexicon().words("function_words.retrieval")


def terms_of(words: Sequence[str]) -> list[str]:
    """Words and adjacent word pairs: pairs keep 'khai sinh' apart from 'sinh hoat'."""
    pairs = [f"{left} {right}" for left, right in pairwise(words)]
    return [*words, *pairs]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True, slots=True)
class Hit:
    position: int  # index into the entries the index was built from
    score: float


class FaqIndex:
    """An immutable search structure over a sequence of FAQ entries."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.size = len(entries)
        self._questions: list[list[str]] = []
        self._terms: list[frozenset[str]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for position, entry in enumerate(entries):
            texts = [normalize(q) for q in (*entry.questions, entry.title)]
            texts = [text for text in dict.fromkeys(texts) if text]
            self._questions.append(texts)
            bag: set[str] = set()
            for text in (*texts, *(normalize(tag) for tag in entry.tags)):
                bag.update(terms_of(text.split()))
            self._terms.append(frozenset(bag))
            for term in bag:
                postings[term].append(position)
        total = max(self.size, 1)
        self._idf = {term: math.log(1.0 + total / len(ids)) for term, ids in postings.items()}
        common_limit = max(32, int(total * COMMON_SHARE))
        self._all_postings = {term: tuple(ids) for term, ids in postings.items()}
        self._postings = {
            term: ids for term, ids in self._all_postings.items() if len(ids) <= common_limit
        }
        self._max_idf = math.log(1.0 + total)
        self._unknown_weight = UNKNOWN_WEIGHT * self._max_idf
        # One-deletion neighbourhood of every known word, for typo correction.
        words = {term for term in postings if " " not in term}
        neighbours: dict[str, str] = {}
        for word in sorted(words, key=lambda w: (-len(postings[w]), w)):
            if len(word) >= MIN_CORRECTABLE - 1:
                for variant in _deletions(word):
                    neighbours.setdefault(variant, word)
        self._words = frozenset(words)
        self._neighbours = neighbours

    def _correct(self, word: str) -> str | None:
        """A known word one edit away from an unknown `word`, or None."""
        if len(word) < MIN_CORRECTABLE or word.isdigit():
            return None
        if word in self._neighbours:  # a letter missing
            return self._neighbours[word]
        # Several variants may be known: the most common word wins, whatever the set order
        # (iterating a set of strings depends on the hash seed).
        variants = _deletions(word)
        extra = [variant for variant in variants if variant in self._words]  # a letter too many
        if not extra:  # a letter wrong
            extra = [
                self._neighbours[variant] for variant in variants if variant in self._neighbours
            ]
        if not extra:
            return None
        return min(extra, key=lambda known: (-len(self._all_postings[known]), known))

    def _query_terms(self, normalised: str) -> tuple[dict[str, float], float]:
        """Weighted query terms (corrected where needed) and the total weight."""
        words = normalised.split()
        fixed: list[str] = []
        factors: dict[str, float] = {}
        unknown = 0
        for word in words:
            if word in self._words:
                fixed.append(word)
                continue
            correction = self._correct(word)
            if correction is None:
                fixed.append(word)
                unknown += 1
            else:
                fixed.append(correction)
                factors[correction] = CORRECTION_WEIGHT
        weights: dict[str, float] = {}
        missing = 0.0
        for term in terms_of(fixed):
            factor = _function_factor(term)
            for word in term.split():
                factor *= factors.get(word, 1.0)
            idf = self._idf.get(term)
            if idf is not None:
                weights[term] = idf * factor
            elif " " in term:
                # Two known words that never stand together in the base: weaker evidence
                # than a phrase, so the pair still counts in the denominator.
                left, right = term.split()
                pair = min(self._idf.get(left, 0.0), self._idf.get(right, 0.0))
                missing += PAIR_WEIGHT * pair * factor
        total = sum(weights.values()) + missing + unknown * self._unknown_weight
        return weights, total

    def _candidates(self, weights: dict[str, float]) -> list[int]:
        """Entries sharing selective terms with the query, best partial weight first."""
        partial: dict[int, float] = defaultdict(float)
        common = []
        for term, weight in weights.items():
            if _function_factor(term) < 1.0:
                continue
            postings = self._postings.get(term)
            if postings is None:
                common.append(term)
                continue
            for position in postings:
                partial[position] += weight
        if len(partial) < MAX_CANDIDATES and common:
            # Only frequent words matched (e.g. "dang ky"): walk their postings too.
            for term in common:
                for position in self._all_postings[term]:
                    partial[position] += weights[term]
        return heapq.nlargest(MAX_CANDIDATES, partial, key=partial.__getitem__)

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The best `limit` entries for an already-normalised query, best first."""
        if not query or not self.size:
            return []
        weights, total = self._query_terms(query)
        if not weights or total <= 0:
            return []
        candidates = self._candidates(weights)
        if not candidates:
            return []
        # One rapidfuzz call per scorer over all candidate questions (C loops, not Python).
        choices: list[str] = []
        owners: list[int] = []
        for rank, position in enumerate(candidates):
            choices.extend(self._questions[position])
            owners.extend([rank] * len(self._questions[position]))
        similarity = [0.0] * len(candidates)
        plain = process.extract(query, choices, scorer=fuzz.ratio, limit=None, processor=None)
        by_set = process.extract(
            query, choices, scorer=fuzz.token_set_ratio, limit=None, processor=None
        )
        combined = [0.0] * len(choices)
        for _, score, index in plain:
            combined[index] += 0.5 * score
        for _, score, index in by_set:
            combined[index] += 0.5 * score
        for index, score in enumerate(combined):
            rank = owners[index]
            similarity[rank] = max(similarity[rank], score / 100.0)
        hits = []
        for rank, position in enumerate(candidates):
            bag = self._terms[position]
            coverage = sum(weight for term, weight in weights.items() if term in bag) / total
            score = COVERAGE_WEIGHT * coverage + (1.0 - COVERAGE_WEIGHT) * similarity[rank]
            hits.append(Hit(position, min(1.0, score)))
        hits.sort(key=lambda hit: (-hit.score, hit.position))
        return hits[:limit]


def _function_factor(term: str) -> float:
    """Reduced weight when every word of the term is a function word."""
    return FUNCTION_WEIGHT if all(word in FUNCTION_WORDS for word in term.split()) else 1.0
