"""Cleaning what people type, and checking names and phone numbers. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

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


_REGION = "VN"
# Numbers people give as their own contact: fixed lines and mobiles (not 1900/1800
# lines, short codes or shared-cost numbers).
_PERSONAL_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)


def valid_phone(text: str) -> str | None:
    """A Vietnamese phone number normalised to its national digits (0912345678,
    02438251234), or None; found inside a sentence too ("sdt cua toi la 0912 345 678").

    Validity is libphonenumber's (`phonenumbers`, region VN): landlines with their area
    code are valid, retired prefixes (the 11-digit 012x mobiles renumbered in 2018,
    0123456789) are not."""
    for match in phonenumbers.PhoneNumberMatcher(text, _REGION):
        number = match.number
        if (
            phonenumbers.region_code_for_number(number) == _REGION
            and phonenumbers.number_type(number) in _PERSONAL_TYPES
        ):
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            return re.sub(r"\D", "", national)
    return None


@lru_cache(maxsize=2048)
def label_form(label: str) -> str:
    """`match_form` of a button's or a control's label, remembered: labels come from the
    templates and the commune's settings (a few hundred), and every reply's buttons are
    put in this form. Never a person's text (that is not to be kept in memory)."""
    return match_form(label)


def match_form(text: str) -> str:
    """Lowercase, without diacritics (đ → d), words only, single spaces: the form in which
    a typed label is matched to a button's label, and a typed commune name to its name.

    (Not `faq.normalize.fold`, which keeps punctuation: that one prepares text for
    understanding; this one compares short labels and names.)"""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^\w]+", " ", stripped).strip()
