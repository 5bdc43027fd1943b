"""What a scenario file may give a parameter: the checks of lever values, ranges and distributions.

The errors are :class:`ScenarioError`: one line naming the file, the field, what is allowed and what
was given. :mod:`sim.scenario` reads the tables; this module checks each value.
"""
from __future__ import annotations

import math
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .declarations.parameters import BY_NAME, Parameter

DISTRIBUTIONS = ("uniform", "triangular", "fixed")

_SHOWN = reprlib.Repr()
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong, _SHOWN.maxlevel = 160, 60, 60, 3
_SHOWN.maxlist = _SHOWN.maxdict = _SHOWN.maxtuple = 8


class ScenarioError(ValueError):
    """A scenario file that does not follow the schema.

    The message, one line, names the file, the field, what is allowed and what was given (a long or
    deeply nested value abridged).
    """

    def __init__(self, path: str | Path, field_name: str, allowed: str, given: Any):
        self.path, self.field, self.allowed, self.given = str(path), field_name, allowed, given
        super().__init__(f"{path}: field '{field_name}': allowed {allowed}; given {_SHOWN.repr(given)}")


@dataclass(frozen=True)
class Distribution:
    """Distribution of one uncertain parameter (uniform, triangular or fixed)."""

    kind: str
    low: float
    high: float
    mode: float | None = None

    def ppf(self, q: float) -> float:
        """Value at quantile ``q`` in [0, 1] (inverse CDF)."""
        if self.kind == "fixed" or self.high == self.low:
            return self.low
        if self.kind == "uniform":
            return self.low + q * (self.high - self.low)
        width, left = self.high - self.low, self.mode - self.low
        if q < left / width:
            return self.low + math.sqrt(q * width * left)
        return self.high - math.sqrt((1.0 - q) * width * (self.high - self.mode))

    @property
    def centre(self) -> float:
        return self.mode if self.kind == "triangular" else 0.5 * (self.low + self.high)


@dataclass(frozen=True)
class LeverRange:
    """A lever the scenario leaves open: a uniform range ``[low, high]`` or a set of ``choices``.

    A batch samples it with the uncertainties (one quantile column per ranged lever, shared by every
    scenario), so one batch explores policies and futures together.
    """

    low: float | None = None
    high: float | None = None
    choices: tuple[float | str, ...] | None = None
    integer: bool = False

    def ppf(self, q: float) -> float | str:
        """The lever's value at quantile ``q`` in [0, 1): equal-probability choices, or uniform in the range."""
        if self.choices is not None:
            return self.choices[min(int(q * len(self.choices)), len(self.choices) - 1)]
        if self.integer:  # each whole number of the range equally likely
            return float(min(self.low + math.floor(q * (self.high - self.low + 1)), self.high))
        return self.low + q * (self.high - self.low)

    @property
    def nominal(self) -> float | str:
        """The value shown for the lever where one number is needed: the range's centre or the first choice."""
        return self.choices[0] if self.choices is not None else self.ppf(0.5)

    def describe(self) -> list:
        """The range as plain data (for hashes and metadata)."""
        return ["choices", list(self.choices)] if self.choices is not None else ["range", self.low, self.high]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool), an int no larger than a float can hold."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond 1.8e308
        return False


def _range_text(p: Parameter) -> str:
    kind = "a whole number" if p.integer else "a number"
    return f"{kind} in [{p.low:g}, {p.high:g}] {p.units}"


def check_lever(path, name: str, value: Any, p: Parameter | None = None) -> float | str:
    """A lever's value checked against its declaration (``p`` given: ``name`` is the field, e.g. ``x.low``)."""
    p = p or BY_NAME.get(name)
    if p is None or p.role != "lever":
        raise ScenarioError(path, f"levers.{name}", "a lever of sim.declarations.parameters", f"unknown key {name!r}")
    if p.is_choice:
        if value not in p.choices:
            raise ScenarioError(path, f"levers.{name}", f"one of {list(p.choices)}", value)
        return value
    if not is_number(value) or (p.integer and float(value) != int(value)):
        raise ScenarioError(path, f"levers.{name}", _range_text(p), value)
    if not p.low <= value <= p.high:
        raise ScenarioError(path, f"levers.{name}", _range_text(p), value)
    return float(value)


LEVER_FORMS = ("a value, {value = v, from = year}, a range {low = a, high = b} or {choices = [...]}"
               " (a range or choices may have from = year too)")


def check_timed_lever(path, name: str, value: Any, default_year: int | None, start: int | None,
                       end: int | None) -> tuple[float | str, int | None, LeverRange | None]:
    """A lever's value, the year it takes effect and its range (None for a single value).

    ``value`` is ``v``, ``{value = v, from = year}``, ``{low = a, high = b}`` or ``{choices = [...]}``, the
    last two with an optional ``from``. ``start`` or ``end`` None: the scenario's years are in error
    themselves; ``from`` is checked against 1990..2100 only.
    """
    if not isinstance(value, dict):
        return check_lever(path, name, value), default_year, None
    keys = set(value) - {"from"}
    if keys == {"value"} and "from" in value:
        checked, lever_range = check_lever(path, name, value["value"]), None
    elif keys == {"low", "high"}:
        lever_range = check_lever_range(path, name, value["low"], value["high"])
        checked = lever_range.nominal
    elif keys == {"choices"}:
        lever_range = check_lever_choices(path, name, value["choices"])
        checked = lever_range.nominal
    else:
        raise ScenarioError(path, f"levers.{name}", LEVER_FORMS, sorted(value))
    year = value.get("from", default_year)
    if "from" in value and (not is_int(year) or not (start or 1990) <= year <= (end or 2100)):
        raise ScenarioError(path, f"levers.{name}.from", f"a whole year in {start or 1990}..{end or 2100}", year)
    if "from" in value and not BY_NAME[name].timed and start is not None and year != start:
        raise ScenarioError(path, f"levers.{name}.from", f"the start year {start}: {name} shapes the run "
                            "from its first year", year)
    return checked, (None if year is None else int(year)), lever_range


def check_lever_range(path, name: str, low: Any, high: Any) -> LeverRange:
    p = BY_NAME[name]
    if p.is_choice:
        raise ScenarioError(path, f"levers.{name}", f"{{choices = [...]}} of {list(p.choices)} ({name} is a "
                            "choice, not a number)", {"low": low, "high": high})
    low, high = check_lever(path, name + ".low", low, p), check_lever(path, name + ".high", high, p)
    if not low < high:
        raise ScenarioError(path, f"levers.{name}", "low < high (a single value needs no range)",
                            {"low": low, "high": high})
    return LeverRange(low=low, high=high, integer=p.integer)


def check_lever_choices(path, name: str, choices: Any) -> LeverRange:
    p = BY_NAME[name]
    if not isinstance(choices, list) or len(choices) < 2:
        raise ScenarioError(path, f"levers.{name}.choices", "a list of at least two values", choices)
    checked = tuple(check_lever(path, f"{name}.choices", c, p) for c in choices)
    if len(set(checked)) != len(checked):
        raise ScenarioError(path, f"levers.{name}.choices", "distinct values", choices)
    return LeverRange(choices=checked, integer=p.integer)


def check_distribution(path, p: Parameter, value: Any) -> Distribution:
    where = f"uncertainties.{p.name}"
    allowed = (f"a number, {{low, high}} or {{distribution = {list(DISTRIBUTIONS)}, low, [mode,] high}}"
               f" within [{p.low:g}, {p.high:g}] {p.units}")
    if is_number(value):
        if not p.low <= value <= p.high:
            raise ScenarioError(path, where, allowed, value)
        return Distribution("fixed", float(value), float(value))
    if not isinstance(value, dict):
        raise ScenarioError(path, where, allowed, value)
    kind = value.get("distribution", "uniform")
    keys = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "fixed": ("value",)}
    if kind not in DISTRIBUTIONS:
        raise ScenarioError(path, where + ".distribution", f"one of {list(DISTRIBUTIONS)}", kind)
    given_keys = set(value) - {"distribution"}
    if given_keys != set(keys[kind]):
        raise ScenarioError(path, where, f"keys {sorted(keys[kind])} for a {kind} distribution",
                            sorted(given_keys))
    for key in keys[kind]:
        if not is_number(value[key]) or not p.low <= value[key] <= p.high:
            raise ScenarioError(path, f"{where}.{key}", f"a number in [{p.low:g}, {p.high:g}] {p.units}",
                                value[key])
    if kind == "fixed":
        return Distribution("fixed", float(value["value"]), float(value["value"]))
    low, high = float(value["low"]), float(value["high"])
    mode = float(value["mode"]) if kind == "triangular" else None
    if low > high or (mode is not None and not low <= mode <= high):
        raise ScenarioError(path, where, "low <= mode <= high", value)
    return Distribution(kind, low, high, mode)
