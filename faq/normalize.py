"""Normalisation of Vietnamese text as people type it on phones.

Two forms:

* `fold` keeps the words and punctuation, only removes what people leave out anyway: case,
  diacritics and the stroke of đ. Used to compare button labels.
* `normalize` also expands common abbreviations and teencode (ko, dc, đk, sdt, ntn, bn …),
  replaces punctuation with spaces and tidies spacing. Used for matching and classification.

Both are pure (`normalize` remembers its last few texts: one message is normalised by
several steps, and a benchmark's repeated rounds must not be served from memory), never
raise on any `str`, and are idempotent: a normalised text normalises to itself (the
expansions only produce words that are not abbreviations themselves).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

from faq.lexicon import bundled_lexicon

# One token (after folding) -> its expansion: faq/data/lexicons/abbreviations.toml, read once.
ABBREVIATIONS: Final = bundled_lexicon().abbreviations

_NON_WORD = re.compile(r"[\W_]+")
_RUNS = re.compile(r"([^\W\d_])\1{2,}")
_SPACES = re.compile(r"\s+")


def _strip_marks(text: str) -> str:
    """Casefold, drop combining marks and turn đ into d. Never raises."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Casefolding and decomposition can expose new upper-case or combining forms for exotic
    # characters; a second pass makes the result a fixed point.
    again = unicodedata.normalize("NFD", unicodedata.normalize("NFC", bare).casefold())
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in again if not unicodedata.combining(ch))
    )


def fold(text: str) -> str:
    """NFC, casefold, remove diacritics (đ→d) and collapse spaces; punctuation is kept."""
    return _SPACES.sub(" ", _strip_marks(text)).strip()


def _expand(token: str) -> str:
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    # "hongggg" -> "hong"; Vietnamese words never repeat a letter three times.
    token = _RUNS.sub(r"\1", token)
    return ABBREVIATIONS.get(token, token)


@functools.lru_cache(maxsize=32)
def normalize(text: str) -> str:
    """The matching form of a citizen's text: folded, abbreviations expanded, words only.

    >>> normalize("Đăng ký khai sinh ở đâu, cần gì z?")
    'dang ky khai sinh o dau can gi vay'
    >>> normalize("mình ko bik đk tạm trú ntn")
    'minh khong biet dang ky tam tru nhu the nao'
    """
    bare = _strip_marks(text)
    words = _NON_WORD.sub(" ", bare)
    return " ".join(_expand(token) for token in words.split())
