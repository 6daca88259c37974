"""Checks of the word lists for `danvan faq check`: every phrase is written in the form it is
looked up in, and none is listed twice.

A phrase that is not in that form never matches and nothing says so: "toi thui" in a
normalised list is dead, since "thui" normalises to "thoi". A list is looked up in the form
its `faq.lexicon.Form` names: normalised phrases of at most `GRAM_WORDS` words, single
normalised words, word pairs, or words as typed with their diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from faq.intent import GRAM_WORDS
from faq.lexicon import SCHEMA, Form, Lexicon, Phrase
from faq.normalize import fold, normalize

_TOKEN = re.compile(r"[^\W_]+")
_WORDS = {Form.WORD: 1, Form.PAIR: 2, Form.MARKED_WORD: 1, Form.MARKED_PAIR: 2}


def _normalised(text: str) -> Iterator[str]:
    if normalize(text) != text:
        yield f"normalises to '{normalize(text)}' (texts are matched normalised): it never matches"


def _as_typed(text: str) -> Iterator[str]:
    """A word with marks is compared with the citizen's words as typed: NFC, lower case."""
    words = text.split(" ")
    if unicodedata.normalize("NFC", text).casefold() != text or not all(
        _TOKEN.fullmatch(word) for word in words
    ):
        yield "write lower-case words with their diacritics (NFC), letters only"
    elif all(fold(word) == word for word in words):
        yield "has no diacritics: it belongs in a list of normalised phrases"


def form_problems(form: Form, text: str) -> list[str]:
    """What is wrong with `text` as a phrase of a list of this form ([] = nothing)."""
    marked = form in {Form.MARKED_WORD, Form.MARKED_PAIR}
    problems = list(_as_typed(text) if marked else _normalised(text))
    count = len(text.split())
    expected = _WORDS.get(form)
    if expected is not None and count != expected:
        problems.append(f"has {count} word(s); this list is looked up {expected} at a time")
    elif form is Form.PHRASE and count > GRAM_WORDS:
        problems.append(
            f"has {count} words; a text is looked up {GRAM_WORDS} words at a time, "
            "so it never matches"
        )
    return problems


def _lists(lexicon: Lexicon) -> Iterator[str]:
    for name, phrases in lexicon.lists.items():
        file, _, key = name.partition(".")
        base, _, word = key.partition(".")
        spec = SCHEMA[file][base]
        if word:
            for problem in form_problems(Form.WORD, word):
                origins = sorted({phrase.origin for phrase in phrases})
                yield f"{', '.join(origins)}: {base}.{word}: the key {problem}"
        seen: dict[str, Phrase] = {}
        for phrase in phrases:
            where = f"{phrase.origin}: {key}: '{phrase.text}'"
            first = seen.setdefault(phrase.text, phrase)
            if first is not phrase:
                also = "" if first.origin == phrase.origin else f" (also in {first.origin})"
                yield f"{where} is listed twice{also}"
            for problem in form_problems(spec.form, phrase.text):
                yield f"{where} {problem}"


def _abbreviations(lexicon: Lexicon) -> Iterator[str]:
    origin = lexicon.abbreviation_origin
    for token, expansion in lexicon.abbreviations.items():
        if fold(token) != token or not _TOKEN.fullmatch(token):
            yield f"{origin}: expansions: '{token}' must be one folded token (no marks, no spaces)"
        if normalize(expansion) != expansion:
            yield (
                f"{origin}: expansions.{token}: '{expansion}' normalises to "
                f"'{normalize(expansion)}': an expansion must not be an abbreviation itself"
            )


def _topics(lexicon: Lexicon) -> Iterator[str]:
    owners: dict[str, tuple[str, int]] = {}
    for topic in lexicon.topics.values():
        if not topic.keywords:
            yield f"topics.{topic.id}: no keywords"
        for phrase, weight in topic.keywords.items():
            where = f"{topic.origins[phrase]}: topics.{topic.id}: keyword '{phrase}'"
            for problem in form_problems(Form.TEXT, phrase):
                yield f"{where} {problem}"
            other = owners.setdefault(phrase, (topic.id, weight))
            # The same phrase with the same weight under two topics adds the same score to
            # both, so it never tells them apart; with different weights it leans one way.
            if other != (topic.id, weight) and other[1] == weight:
                yield f"{where} is also a keyword of {other[0]} with the same weight {weight}"


def check_lexicon(lexicon: Lexicon) -> list[str]:
    """Human-readable problems of the word lists; an empty list means they are fine."""
    return [*_lists(lexicon), *_abbreviations(lexicon), *_topics(lexicon)]
