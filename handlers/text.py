"""Cleaning what people type, and checking names and phone numbers. Pure functions."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and bidirectional controls: invisible, never meaningful in a
# petition, and a known way to disguise text. Removed before anything else looks at it.
_INVISIBLE = dict.fromkeys(
    [
        *(0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x061C, 0x200E, 0x200F),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)


def clean_text(raw: str) -> str:
    """NFC, no control or invisible characters (newlines and tabs kept), trimmed lines."""
    text = unicodedata.normalize("NFC", raw).translate(_INVISIBLE)
    text = "".join(
        ch
        for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    text = text.replace("\t", " ")
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def has_words(text: str) -> bool:
    """Whether the text has at least one letter or digit (emoji alone do not count)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


NAME_MAX = 80


def valid_name(text: str) -> str | None:
    """A person's name as typed (letters, spaces, a few marks), or None."""
    name = one_line(text)
    if not 2 <= len(name) <= NAME_MAX:
        return None
    if not all(unicodedata.category(ch)[0] == "L" or ch in " .'-" for ch in name):
        return None
    if sum(unicodedata.category(ch)[0] == "L" for ch in name) < 2:
        return None
    return name


_PHONE_IN_TEXT = re.compile(r"(?:\+?84|0)(?:[\s.\-]?\d){9}(?!\d)")


def valid_phone(text: str) -> str | None:
    """A Vietnamese phone number normalised to 0XXXXXXXXX, or None; found inside a
    sentence too ("sdt cua toi la 0912 345 678")."""
    found = _normalised_phone(text)
    if found is None:
        match = _PHONE_IN_TEXT.search(text)
        found = _normalised_phone(match.group(0)) if match else None
    return found


def _normalised_phone(text: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return digits
    return None


def match_form(text: str) -> str:
    """Lowercase, without diacritics (đ → d), words only, single spaces: the form in which
    a typed label is matched to a button's label, and a typed commune name to its name.

    (Not `faq.normalize.fold`, which keeps punctuation: that one prepares text for
    understanding; this one compares short labels and names.)"""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^\w]+", " ", stripped).strip()
