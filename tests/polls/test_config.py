"""`households` per thôn in a commune's table: optional, a thôn of the commune, at least 1."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, load_settings, parse_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def with_households(households: Any) -> dict[str, Any]:
    data = tomllib.loads(EXAMPLE.read_text("utf-8"))
    data["communes"][0]["households"] = households
    return data


def test_households_are_read_and_optional() -> None:
    commune = load_settings(EXAMPLE).communes[0]
    assert commune.households == {"Thôn 1": 180, "Thôn 2": 210, "Thôn 3": 150, "Thôn 4": 195}
    data = with_households({})
    del data["communes"][0]["households"]
    assert (
        parse_settings(data, EXAMPLE.parent).communes[0].households == {}
    )  # older configs load as before


@pytest.mark.parametrize(
    ("households", "message"),
    [
        ({"Thôn 9": 10}, r"communes\[0\]\.households: 'Thôn 9' is not one of the hamlets"),
        ({"Thôn 1": 0}, r"households\.Thôn 1: the number of households must be at least 1"),
        ({"Thôn 1": "nhiều"}, r"communes\[0\]\.households"),
    ],
)
def test_bad_households_name_the_key(households: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_settings(with_households(households), EXAMPLE.parent)
