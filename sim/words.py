"""Identifiers, units and quantities in words for readers (reports, the explorer, the investment plan).

Plain string functions, without matplotlib, so that model modules can use them too.
"""
from __future__ import annotations

import re

from .declarations.parameters import BY_NAME, NEVER


def words(name: object) -> str:
    """An identifier in words: ``municipal_group`` -> "municipal group", ``bev`` -> "BEV"."""
    text = str(name)
    if text in _PHRASES:
        return _PHRASES[text]
    return " ".join(_ACRONYMS.get(part, part) for part in re.split(r"_+", text) if part) or text


_PHRASES = {"electricity_district_heating": "electricity and district heating"}
_ACRONYMS = {"bev": "BEV", "phev": "PHEV", "co2": "CO2", "co2e": "CO2e", "lhs": "LHS", "msek": "MSEK",
             "sek": "SEK", "ev": "EV"}


def unit_words(units: str) -> str:
    """A declared unit for readers: "1" (a pure number) -> "-", "1/yr" -> "per yr"."""
    if units in ("1", ""):
        return "-"
    return re.sub(r"^1/", "per ", units)


def quantity_words(value: float, units: str) -> str:
    """A number with its declared unit for readers: ``(2e7, "SEK/yr")`` -> "20,000,000 SEK/yr",
    ``(0.03, "1/yr")`` -> "0.03 per yr", ``(0.5, "1")`` -> "0.5" (a pure number has no unit)."""
    number = f"{value:,.0f}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"
    unit = unit_words(units)
    return number if unit == "-" else f"{number} {unit}"


def lever_value_words(lever: str, value: float | str) -> str:
    """A lever's value in words with its declared unit: "tonnes per krona" for a choice, "never" or "year 2025"
    for a year lever, else :func:`quantity_words` ("20,000,000 SEK/yr")."""
    p = BY_NAME[lever]
    if isinstance(value, str):
        return words(value)
    if p.units == "year":
        return "never" if value >= NEVER else f"year {value:g}"
    return quantity_words(value, p.units)
