"""Tracking codes: generated codes validate; one wrong or two swapped characters never do."""

from __future__ import annotations

import string
from contextlib import suppress
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.tracking_code import ALPHABET, InvalidCode, make_code, parse_code

communes = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
randoms = st.text(alphabet=ALPHABET, min_size=5, max_size=5)


def _allowed(compact: str, position: int, commune_length: int) -> str:
    if position < commune_length:
        return string.ascii_uppercase
    if position < commune_length + 4:
        return string.digits
    return ALPHABET


@given(communes, moments, randoms)
def test_generated_codes_validate(commune: str, when: datetime, random_part: str) -> None:
    code = make_code(commune, when, random_part)
    parsed = parse_code(code)
    assert parsed.code == code
    assert (parsed.commune, parsed.year, parsed.month) == (commune, when.year, when.month)


@given(communes, moments, randoms, st.data())
def test_any_single_substitution_is_caught(
    commune: str, when: datetime, random_part: str, data: st.DataObject
) -> None:
    compact = make_code(commune, when, random_part).replace("-", "")
    position = data.draw(st.integers(0, len(compact) - 1))
    choices = [c for c in _allowed(compact, position, len(commune)) if c != compact[position]]
    new = data.draw(st.sampled_from(choices))
    with pytest.raises(InvalidCode):
        parse_code(compact[:position] + new + compact[position + 1 :])


@given(communes, moments, randoms, st.data())
def test_any_adjacent_transposition_is_caught(
    commune: str, when: datetime, random_part: str, data: st.DataObject
) -> None:
    compact = make_code(commune, when, random_part).replace("-", "")
    pairs = [i for i in range(len(compact) - 1) if compact[i] != compact[i + 1]]
    i = data.draw(st.sampled_from(pairs))
    swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
    with pytest.raises(InvalidCode):
        parse_code(swapped)


def test_forgiving_input() -> None:
    code = make_code("CG", datetime(2026, 11, 1, tzinfo=UTC), "7KQ10")
    assert code.startswith("CG-2611-7KQ10")
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert parse_code(typed).code == code
    assert parse_code("  " + code.replace("-", "") + " ").code == code


@pytest.mark.parametrize(
    "text", ["", "CG", "CG-2613-7KQ3XD", "CG-26A1-7KQ3XD", "C-2611-7KQ3XD", "CG-2611-7KQ3X", "💥"]
)
def test_malformed_codes(text: str) -> None:
    with pytest.raises(InvalidCode):
        parse_code(text)


@given(st.text(max_size=60))
def test_parse_never_raises_anything_but_invalid_code(text: str) -> None:
    with suppress(InvalidCode):
        parse_code(text)
