"""Redaction for the unanswered-question log: what the log may keep of a citizen's question.

The log feeds the digest (which questions the knowledge base lacks), so it keeps only words
the knowledge base or the routing keywords already use, and common function words; names,
e-mail addresses and long numbers never reach it. The word lists are
`faq/data/lexicons/function_words.toml` and `names.toml` (bundled only).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Sequence
from typing import Final

from faq.index import FUNCTION_WORDS
from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.lexicon import Lexicon, bundled_lexicon
from faq.normalize import normalize

_BUNDLED: Final = bundled_lexicon()

REDACTED: Final = "…"
LONG_NUMBER: Final = 6  # digits: phone, căn cước, account numbers
_TAG = re.compile(r"<[^>]*>")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digit groups split by spaces, dots or dashes ("0912 345 678", "0912.345.678") are one number.
_DIGIT_GROUPS = re.compile(r"(?<!\d)\d+(?:[ .\-]\d+)+(?!\d)")
# Vietnamese number plates: the province's two digits, the series (one or two capitals,
# perhaps a digit), then 4 or 5 digits ("29A-123.45", "29A 12345", "29-B1 123.45",
# "51LD-12345", "30E-1234"), however spaced.
_PLATE = re.compile(r"(?<![\w.])\d{2}[ \-]?[A-Z]{1,2}\d?[ \-.]?\d{3}\.?\d{1,2}(?![\w])")
# Words kept in the log even when the knowledge base never uses them: how people ask.
LOG_FUNCTION_WORDS: Final = FUNCTION_WORDS | _BUNDLED.words("function_words.log")
# Vietnamese surnames that are no ordinary word: they and the given names after them go.
SURNAMES: Final = _BUNDLED.words("names.surnames")
# Lead-ins after which a name follows: "tên tôi là …", "họ tên …".
NAME_LEAD_INS: Final = _BUNDLED.words("names.lead_ins")
GIVEN_NAMES_MAX: Final = 3
# In published, capitalised text: every common surname, and the words of address.
WRITTEN_SURNAMES: Final = _BUNDLED.words("names.written_surnames")
HONORIFICS: Final = _BUNDLED.words("names.honorifics") | _BUNDLED.words("names.plain_honorifics")
_ENDS_CLAUSE: Final = tuple(",.;:!?")
# Given names can look like function words ("Thị", "Minh"): they do not end a name.
_NAME_STOPS: Final = LOG_FUNCTION_WORDS - _BUNDLED.words("names.given_names")


def log_vocabulary(kb: KnowledgeBase, lexicon: Lexicon | None = None) -> frozenset[str]:
    """Words the log may keep: the knowledge base's words and the routing keywords'."""
    topics = (lexicon or _BUNDLED).topics.values()
    routing = {word for topic in topics for phrase in topic.keywords for word in phrase.split()}
    return kb.vocabulary() | routing


@functools.cache
def _bundled_vocabulary() -> frozenset[str]:
    return log_vocabulary(load_knowledge_base())


def _name_positions(words: Sequence[str]) -> set[int]:
    """Positions of words that are most likely a person's name."""
    names: set[int] = set()
    for position, word in enumerate(words):
        pair = " ".join(words[max(0, position - 1) : position + 1])
        starts = word in SURNAMES
        if starts:
            names.add(position)
        if starts or pair in NAME_LEAD_INS:
            following = position + 1
            if following < len(words) and words[following] == "la":
                following += 1
            for after in range(following, min(len(words), following + GIVEN_NAMES_MAX)):
                if words[after] in _NAME_STOPS:
                    break
                names.add(after)
    return names


def redact_for_log(text: str, vocabulary: Collection[str] | None = None) -> str:
    """`text` as the unanswered-question log may keep it: normalised; e-mail addresses and
    numbers of 6+ digits (also written in groups, "0912 345 678") removed; names removed;
    every word that is neither in `vocabulary` (the knowledge base's words, see
    `Understander.vocabulary`) nor a common function word replaced by "…", consecutive
    ones collapsed. Without `vocabulary`, the bundled knowledge base's words are used.
    """
    known = _bundled_vocabulary() if vocabulary is None else vocabulary
    cleaned = _EMAIL.sub(" ", text)
    cleaned = _DIGIT_GROUPS.sub(lambda match: re.sub(r"[ .\-]", "", match.group()), cleaned)
    words = normalize(cleaned).split()
    names = _name_positions(words)
    kept: list[str] = []
    for position, word in enumerate(words):
        keep = (
            position not in names
            and not (word.isdigit() and len(word) >= LONG_NUMBER)
            and (word in known or word in LOG_FUNCTION_WORDS)
        )
        if keep:
            kept.append(word)
        elif not kept or kept[-1] != REDACTED:
            kept.append(REDACTED)
    return " ".join(kept)


def _led_in_names(words: Sequence[str]) -> set[int]:
    """Positions of the words after a lead-in («tên tôi là …»), however they are typed
    (a lower-case surname alone is no sign: «ngõ 7» folds like Ngô)."""
    names: set[int] = set()
    for position in range(1, len(words)):
        if f"{words[position - 1]} {words[position]}" not in NAME_LEAD_INS:
            continue
        following = position + 1
        if following < len(words) and words[following] == "la":
            following += 1
        for after in range(following, min(len(words), following + GIVEN_NAMES_MAX)):
            if words[after] in _NAME_STOPS:
                break
            names.add(after)
    return names


def redact_for_training(text: str, vocabulary: Collection[str]) -> str:
    """`text` as a stored correction may keep it (`danvan faq train`): `mask_personal`
    first (e-mail addresses, long numbers, capitalised names), then every word typed as
    the citizen typed it (diacritics kept, for the model's marked features) when its
    normalised form is in `vocabulary` or a function word and it is not a name after a
    lead-in, else "…" (consecutive ones collapsed)."""
    tokens = [token.strip(",.;:!?()\"'") for token in mask_personal(text).split()]
    tokens = [token for token in tokens if token]
    folded = [normalize(token) for token in tokens]
    names = _led_in_names([word.split()[0] if word else "" for word in folded])
    kept: list[str] = []
    for position, (token, words) in enumerate(zip(tokens, folded, strict=True)):
        keep = (
            position not in names
            and bool(words)
            and all(
                (w in vocabulary or w in LOG_FUNCTION_WORDS)
                and not (w.isdigit() and len(w) >= LONG_NUMBER)
                for w in words.split()
            )
        )
        if keep:
            kept.append(token.lower())
        elif not kept or kept[-1] != REDACTED:
            kept.append(REDACTED)
    return " ".join(kept)


def mask_personal(text: str) -> str:
    """`text` as it may be published (an official's answer on Open311, the public page):
    the same words, diacritics and punctuation, with e-mail addresses, numbers of 6+ digits
    and personal names each replaced by "…". Written text capitalises names, so a name is a
    capitalised surname (or the words after a lead-in such as «tên tôi là») and the
    capitalised words after it: «ngõ 7» stays, though it folds like the surname Ngô.
    A common surname that is also a word («Lê», «Đỗ», «Mai») starts a name only when a
    capitalised word follows, and capitalised words after a word of address («ông Dũng»,
    «chị Lan») are a name. Number plates ("29A-123.45", "29A 12345") go too. Place names
    that look like names («Hà Nội», «đường Lê Lợi») are masked as well: erring that way
    costs a word, the other way a person."""
    cleaned = _PLATE.sub(REDACTED, _EMAIL.sub(REDACTED, text))
    cleaned = _DIGIT_GROUPS.sub(lambda match: re.sub(r"[ .\-]", "", match.group()), cleaned)
    tokens = cleaned.split()
    folded = [normalize(_TAG.sub("", token)) for token in tokens]
    names = _capitalised_names(tokens, folded)
    out: list[str] = []
    for position, token in enumerate(tokens):
        digits = sum(c.isdigit() for c in token)
        if position in names or digits >= LONG_NUMBER:
            tail = token[-1] if token[-1] in ",.;:!?" else ""
            if out and out[-1].rstrip(",.;:!?") == REDACTED:
                out[-1] = REDACTED + tail
            else:
                out.append(REDACTED + tail)
        else:
            out.append(token)
    return " ".join(out)


def _capitalised_names(tokens: Sequence[str], folded: Sequence[str]) -> set[int]:
    names: set[int] = set()
    for position, word in enumerate(folded):
        pair = " ".join(folded[max(0, position - 1) : position + 1])
        token = tokens[position]
        open_clause = not token.endswith(_ENDS_CLAUSE)
        followed = open_clause and position + 1 < len(tokens) and _word(tokens[position + 1])
        starts = _capital(token) and (word in SURNAMES or (word in WRITTEN_SURNAMES and followed))
        if starts:
            names.add(position)
        addressed = followed and _marked(token) in HONORIFICS
        if starts or addressed or pair in NAME_LEAD_INS:
            for after in range(position + 1, min(len(tokens), position + 1 + GIVEN_NAMES_MAX)):
                if not _capital(tokens[after]):
                    break
                names.add(after)
                if tokens[after].endswith(_ENDS_CLAUSE):  # «ông Dũng, Thôn 3»
                    break
    return names


def _marked(token: str) -> str:
    """The token as a marked word: lower case, diacritics kept, no tags or punctuation."""
    return unicodedata.normalize("NFC", _TAG.sub("", token)).lower().strip(",.;:!?()\"'«»")


def _word(token: str) -> bool:
    """Whether the token is a capitalised word: its first character a capital letter."""
    bare = _TAG.sub("", token)
    return bool(bare) and bare[0].isalpha() and bare[0].isupper()


def _capital(token: str) -> bool:
    """Whether the token's first letter is a capital ("<b>Trần" is)."""
    return next((c.isupper() for c in _TAG.sub("", token) if c.isalpha()), False)
