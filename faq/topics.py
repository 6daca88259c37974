"""Topics, the offices of a commune, and the default routing table (DOMAIN.md §2.3).

The data is `faq/data/topics.toml`, read by `faq.lexicon` (a deployment may extend it). The
topic classifier is a weighted keyword match over normalised text: transparent, fast, and
easy for a commune to extend. Keywords are written in normalised form (no diacritics,
abbreviations expanded); a longer phrase wins over the words inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from faq.lexicon import Topic, bundled_lexicon

_BUNDLED: Final = bundled_lexicon()

DEFAULT_OFFICES: Final = tuple(_BUNDLED.offices)
OFFICE_NAMES: Final[Mapping[str, str]] = _BUNDLED.offices

TOPICS: Final[Mapping[str, str]] = _BUNDLED.topic_names
DEFAULT_ROUTING: Final[Mapping[str, str]] = _BUNDLED.routing
# Normalised keyword -> weight, per topic. Weight 3: the phrase alone names the topic;
# 2: strong hint; 1: weak hint that needs company.
TOPIC_KEYWORDS: Final[Mapping[str, Mapping[str, int]]] = MappingProxyType(
    {topic.id: topic.keywords for topic in _BUNDLED.topics.values()}
)


class TopicMatcher:
    """The keyword classifier over one set of topics; immutable once built."""

    def __init__(self, topics: Mapping[str, Topic]) -> None:
        table: dict[str, list[tuple[str, int]]] = {}
        for topic in topics.values():
            for phrase, weight in topic.keywords.items():
                table.setdefault(phrase, []).append((topic.id, weight))
        self._phrases = table
        self._longest = max((len(phrase.split()) for phrase in table), default=0)

    def hits(self, text: str) -> dict[str, tuple[int, int]]:
        """Per topic: (score, position of its first hit) in already-normalised `text`.

        Greedy longest match from left to right, so "giay phep xay dung" counts once, not
        also as "xay dung" and "xay".
        """
        words = text.split()
        hits: dict[str, tuple[int, int]] = {}
        position = 0
        while position < len(words):
            for length in range(min(self._longest, len(words) - position), 0, -1):
                phrase = " ".join(words[position : position + length])
                matches = self._phrases.get(phrase)
                if matches:
                    for topic, weight in matches:
                        score, first = hits.get(topic, (0, position))
                        hits[topic] = (score + weight, first)
                    position += length
                    break
            else:
                position += 1
        return hits

    def scores(self, text: str) -> dict[str, int]:
        """Keyword score of every topic with at least one hit, for already-normalised `text`."""
        return {topic: score for topic, (score, _) in self.hits(text).items()}

    def classify(self, text: str, min_score: int = 2) -> str | None:
        """The best topic for already-normalised `text`, or None when none is clear enough.

        Ties go to the topic mentioned first: people name the subject before the details.
        """
        hits = self.hits(text)
        if not hits:
            return None
        best = min(hits, key=lambda topic: (-hits[topic][0], hits[topic][1]))
        return best if hits[best][0] >= min_score else None


BUNDLED_MATCHER: Final = TopicMatcher(_BUNDLED.topics)


def topic_hits(text: str) -> dict[str, tuple[int, int]]:
    """`TopicMatcher.hits` over the bundled topics."""
    return BUNDLED_MATCHER.hits(text)


def topic_scores(text: str) -> dict[str, int]:
    """`TopicMatcher.scores` over the bundled topics."""
    return BUNDLED_MATCHER.scores(text)


def classify_topic(text: str, min_score: int = 2) -> str | None:
    """`TopicMatcher.classify` over the bundled topics."""
    return BUNDLED_MATCHER.classify(text, min_score)
