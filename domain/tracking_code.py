"""Tracking codes: `CG-2611-7KQ3XD`.

The commune's short code (2–4 letters), the year and month the record was filed (YYMM),
then six Crockford base32 characters: five random, the last a check character.

The check character makes the weighted sum of all the code's symbols zero in GF(32):
`sum(alpha**i * v_i) == 0`, counting positions from the right (the check character has
weight 1) with `alpha` a primitive element. Commune letters count as A=1 … Z=26; digits and
the random part as their Crockford values. Because the weights are distinct and non-zero,
any single wrong character changes the sum, and so does swapping two different neighbours
(the change is `alpha**i * (1 + alpha) * (a + b)`, non-zero for a ≠ b). Swaps that cross a
segment boundary break the letters/digits layout and are refused by the parser.

Input is forgiving: case-insensitive, spaces and hyphens optional, and in the digit and
random parts O reads as 0, I and L as 1 (Crockford's rule), U as V.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_ALIASES = {"O": "0", "I": "1", "L": "1", "U": "V"}
_PRIMITIVE_POLY = 0b100101  # x^5 + x^2 + 1
RANDOM_LENGTH = 5
BODY_LENGTH = RANDOM_LENGTH + 1

_SHAPE = re.compile(r"^([A-Z]{2,4})(\d{4})([0-9A-Z]{6})$")


def _gf_tables() -> tuple[list[int], list[int]]:
    exp = [0] * 62
    log = [0] * 32
    x = 1
    for i in range(31):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & 0b100000:
            x ^= _PRIMITIVE_POLY
    for i in range(31, 62):
        exp[i] = exp[i - 31]
    return exp, log


_EXP, _LOG = _gf_tables()


def _weighted_sum(values: list[int]) -> int:
    """XOR-sum of alpha**i * v_i, i counted from 1 at the rightmost value."""
    total = 0
    for i, v in enumerate(reversed(values), start=1):
        if v:
            total ^= _EXP[(_LOG[v] + i) % 31]
    return total


def _values(commune: str, digits: str, body: str) -> list[int]:
    return [ord(c) - 64 for c in commune] + [_VALUE[c] for c in digits] + [_VALUE[c] for c in body]


def make_code(commune: str, when: datetime, random_part: str | None = None) -> str:
    """A new tracking code for `commune` filed at `when` (local time)."""
    commune = commune.upper()
    if not re.fullmatch(r"[A-Z]{2,4}", commune):
        raise ValueError("commune code must be 2-4 letters")
    if random_part is None:
        random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    if len(random_part) != RANDOM_LENGTH or any(c not in _VALUE for c in random_part):
        raise ValueError("random part must be 5 Crockford base32 characters")
    digits = f"{when:%y%m}"
    check = _weighted_sum(_values(commune, digits, random_part))
    return f"{commune}-{digits}-{random_part}{ALPHABET[check]}"


@dataclass(frozen=True, slots=True)
class ParsedCode:
    commune: str
    year: int
    month: int
    code: str  # canonical form, as stored


class InvalidCode(ValueError):
    """The text is not a valid tracking code (bad shape or failed check)."""


def normalize_code(text: str) -> str:
    """Uppercase, drop spaces/hyphens/dots; apply Crockford aliases after the letters."""
    compact = re.sub(r"[\s\-_.·–—]", "", text).upper()
    match = re.match(r"^[A-Z]{2,4}", compact)
    head = match.group(0) if match else ""
    # The commune letters are followed by digits; an alias like O/I right after them would
    # be swallowed as a letter, so only letters up to the first digit-looking run stay.
    tail = compact[len(head) :]
    return head + "".join(_ALIASES.get(c, c) for c in tail)


def parse_code(text: str) -> ParsedCode:
    """Validate a tracking code typed by a person; raises `InvalidCode`."""
    compact = normalize_code(text)
    match = _SHAPE.match(compact)
    if not match:
        raise InvalidCode(text)
    commune, digits, body = match.groups()
    if any(c not in _VALUE for c in body):
        raise InvalidCode(text)
    month = int(digits[2:])
    if not 1 <= month <= 12:
        raise InvalidCode(text)
    values = _values(commune, digits, body[:-1])
    if _weighted_sum(values) != _VALUE[body[-1]]:
        raise InvalidCode(text)
    return ParsedCode(
        commune=commune,
        year=2000 + int(digits[:2]),
        month=month,
        code=f"{commune}-{digits}-{body}",
    )


def looks_like_code(text: str) -> bool:
    """Whether free text is probably meant as a tracking code (valid or not)."""
    compact = re.sub(r"[\s\-_.]", "", text).upper()
    return bool(re.fullmatch(r"[A-Z]{2,4}[0-9OIL]{4}[0-9A-Z]{5,7}", compact))
