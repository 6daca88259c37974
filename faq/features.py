"""Features of a message for the trained model (`faq.model`): hashed n-grams, two forms.

* the FOLDED form (`faq.normalize.normalize`: no diacritics, abbreviations expanded): word
  unigrams and bigrams, and character n-grams of 2 to 5 letters inside each word padded
  with spaces (so "ngap" gives " n", "ng", …, "ap ", and typos or missing letters still
  share most grams);
* the MARKED form (NFC, lower case, diacritics kept): word unigrams and bigrams, so
  *cưới* and *cuối*, *bão* and *báo* stay apart for those who type the marks — only for
  a text with marks: one typed without them says nothing of which word was meant, and
  its bare words taken as marked ones would teach that "chay" is "cháy".

and three signals of the bundled phrase rules (`faq.intent`): the text asks something,
names a problem, asks to file. Every feature is a string hashed by CRC-32 into `BUCKETS`
buckets; the model keeps only the buckets seen in training. `VERSION` is part of the
model's cache key: change it whenever the features change.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections import Counter
from typing import Final

from faq.intent import BUNDLED_RULES
from faq.normalize import normalize

VERSION: Final = "f3"
BUCKETS: Final = 1 << 22
CHAR_SIZES: Final = (2, 3, 4, 5)
_NON_WORD = re.compile(r"[\W_]+")


def marked_words(text: str) -> list[str]:
    """The words as typed: NFC, casefolded, diacritics kept, punctuation dropped."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text).casefold()).split()


def _rule_signals(text: str) -> list[str]:
    """The bundled phrase rules' verdicts as features: the model learns how far to trust
    «asks something», «names a problem», «wants to file»."""
    analysed = BUNDLED_RULES.analyse(text)
    signals = []
    if BUNDLED_RULES.question(analysed):
        signals.append("r question")
    if analysed.masked & BUNDLED_RULES.problem_phrases:
        signals.append("r problem")
    if BUNDLED_RULES.wants_to_file(analysed):
        signals.append("r file")
    return signals


def _strings(text: str) -> list[str]:
    folded = normalize(text).split()
    if not folded:
        return []
    marked = marked_words(text)
    out = [f"w {word}" for word in folded] + _rule_signals(text)
    out += [f"b {a} {b}" for a, b in itertools.pairwise(folded)]
    for word in folded:
        padded = f" {word} "
        for size in CHAR_SIZES:
            out += [f"c{padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    if (
        any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))
        or "đ" in text.casefold()
    ):
        # (marks typed: the marked words say which word it is; a text typed without
        # marks has none to tell, and its folded features are all it has)
        out += [f"m {word}" for word in marked]
        out += [f"n {a} {b}" for a, b in itertools.pairwise(marked)]
    return out


def _has_marks(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "đ" in decomposed or any(unicodedata.combining(c) for c in decomposed)


def word_keys(text: str) -> list[int]:
    """The buckets of the folded words alone (`Model.known_share`)."""
    return [zlib.crc32(f"w {word}".encode()) % BUCKETS for word in normalize(text).split()]


def hashed(text: str) -> Counter[int]:
    """Bucket -> count for one message (an empty Counter for a text without words)."""
    return Counter(zlib.crc32(s.encode()) % BUCKETS for s in _strings(text))
