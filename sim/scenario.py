"""Scenario files: TOML schema, loading and validation.

A scenario file has four tables::

    [scenario]       name, description, start_year, end_year, scale, municipality
    [levers]         lever = value | {value, from}      (what the city decides, and from which year)
    [uncertainties]  name = value | {low, high} | {distribution, low, mode, high}
    [outputs]        variables = [...]                  (optional subset of the results)

Every lever and uncertainty is declared once in :mod:`sim.parameters`; that
declaration gives the allowed types and ranges quoted in the errors. Scenario
files are data and never execute code.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .data import load_municipality
from .declarations.parameters import BY_NAME, LEVERS, UNCERTAINTIES, Parameter

DATA_ROOT = Path(__file__).resolve().parents[1] / "calibration" / "data"
"""Folder holding one data folder per municipality."""

SCENARIO_KEYS = {
    "name": "a non-empty string",
    "description": "a string",
    "start_year": "a whole year",
    "end_year": "a whole year after start_year, at most 2100",
    "scale": "a number > 0 (1.0 = the whole municipality)",
    "municipality": "a folder name under calibration/data or a path to one",
    "levers_from": "a whole year: when the scenario's levers take effect (default: the contract's decision year)",
}
DISTRIBUTIONS = ("uniform", "triangular", "fixed")


class ScenarioError(ValueError):
    """A scenario file that does not follow the schema.

    The message names the file, the field, what is allowed and what was given.
    """

    def __init__(self, path: str | Path, field_name: str, allowed: str, given: Any):
        self.path, self.field, self.allowed, self.given = str(path), field_name, allowed, given
        super().__init__(f"{path}: field '{field_name}': allowed {allowed}; given {given!r}")


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
class Scenario:
    """A validated, immutable scenario.

    Attributes
    ----------
    name, description : str
    path : str
        File it was read from ("<string>" when parsed from text).
    text : str
        The file's full text, stored in every result's attributes.
    start_year, end_year : int
    scale : float
        Population scale, 1.0 = the whole municipality.
    municipality : pathlib.Path
        Data folder of the municipality.
    levers : Mapping[str, float | str]
        Every lever, defaults filled in.
    lever_years : Mapping[str, int]
        Year each lever takes effect; before it the lever has its default (the baseline's value).
    levers_from : int or None
        The scenario's default effect year (``[scenario] levers_from``, else the contract's decision year).
    uncertainties : Mapping[str, Distribution]
        Every uncertainty, defaults filled in.
    outputs : tuple of str
        Result variables wanted; empty means all.
    """

    name: str
    description: str
    path: str
    text: str
    start_year: int
    end_year: int
    scale: float
    municipality: Path
    levers: Mapping[str, float | str] = field(repr=False)
    uncertainties: Mapping[str, Distribution] = field(repr=False)
    outputs: tuple[str, ...] = ()
    lever_years: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    levers_from: int | None = None

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    def with_levers(self, **values: float | str | Mapping[str, float]) -> Scenario:
        """A copy with some levers changed (a value, or ``{"value": v, "from": year}``), validated like a file.

        A lever given without ``from`` keeps this scenario's effect year for it.
        """
        levers, years = dict(self.levers), dict(self.lever_years)
        for name, value in values.items():
            default_year = years.get(name, self.start_year if self.levers_from is None else self.levers_from)
            levers[name], years[name] = _check_timed_lever(self.path, name, value, default_year,
                                                           self.start_year, self.end_year)
        return replace(self, levers=MappingProxyType(levers), lever_years=MappingProxyType(years))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A TOML scenario file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        On a missing file, bad TOML, an unknown key, a wrong type or a value
        out of range; the message names file, field, what is allowed and what
        was given.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(path, "(file)", "an existing TOML scenario file", str(path))
    return parse_scenario(path.read_text(encoding="utf-8"), path)


def parse_scenario(text: str, path: str | Path = "<string>") -> Scenario:
    """Validate scenario text; see :func:`load_scenario`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, "(syntax)", "valid TOML", str(error)) from None
    _no_unknown(path, "", doc, ("scenario", "levers", "uncertainties", "outputs"))
    head = _table(path, doc, "scenario")
    _no_unknown(path, "scenario.", head, SCENARIO_KEYS)
    for key in ("name", "start_year", "end_year"):
        if key not in head:
            raise ScenarioError(path, f"scenario.{key}", SCENARIO_KEYS[key], "(missing)")
    name = head["name"]
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(path, "scenario.name", SCENARIO_KEYS["name"], name)
    description = head.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(path, "scenario.description", SCENARIO_KEYS["description"], description)
    start, end = head["start_year"], head["end_year"]
    if not _is_int(start) or not 1990 <= start <= 2100:
        raise ScenarioError(path, "scenario.start_year", "a whole year in 1990..2100", start)
    if not _is_int(end) or not start < end <= 2100:
        raise ScenarioError(path, "scenario.end_year", f"a whole year in {start + 1}..2100", end)
    scale = head.get("scale", 1.0)
    if not _is_number(scale) or not scale > 0:
        raise ScenarioError(path, "scenario.scale", SCENARIO_KEYS["scale"], scale)
    municipality = _municipality(path, head.get("municipality", "eskilstuna"))
    available = load_municipality(municipality).start_years
    if start not in available:
        raise ScenarioError(path, "scenario.start_year",
                            f"a year the data of {municipality.name} can start from: {available}", start)

    levers_from = head.get("levers_from", int(load_municipality(municipality).figures["contract_decision_year"]))
    if not _is_int(levers_from) or not 1990 <= levers_from <= 2100:
        raise ScenarioError(path, "scenario.levers_from", SCENARIO_KEYS["levers_from"], levers_from)
    levers_in = _table(path, doc, "levers", required=False)
    _no_unknown(path, "levers.", levers_in, {p.name: "" for p in LEVERS}, "a lever of sim.declarations.parameters")
    levers = {p.name: p.default for p in LEVERS}
    lever_years = {p.name: int(levers_from) if p.timed else int(start) for p in LEVERS}
    for key, value in levers_in.items():
        levers[key], lever_years[key] = _check_timed_lever(path, key, value, lever_years[key], start, end)

    unc_in = _table(path, doc, "uncertainties", required=False)
    _no_unknown(path, "uncertainties.", unc_in, {p.name: "" for p in UNCERTAINTIES},
                "an uncertainty of sim.declarations.parameters")
    uncertainties = {p.name: Distribution("uniform", *p.default_range) for p in UNCERTAINTIES}
    for key, value in unc_in.items():
        uncertainties[key] = _check_distribution(path, BY_NAME[key], value)

    outputs_in = _table(path, doc, "outputs", required=False)
    _no_unknown(path, "outputs.", outputs_in, {"variables": ""})
    outputs = outputs_in.get("variables", [])
    from .results import VARIABLES  # results imports nothing from here at import time

    if not isinstance(outputs, list) or any(v not in VARIABLES for v in outputs):
        raise ScenarioError(path, "outputs.variables", f"a list of names from {sorted(VARIABLES)}",
                            outputs)
    return Scenario(name=name, description=description, path=str(path), text=text,
                    start_year=int(start), end_year=int(end), scale=float(scale),
                    municipality=municipality, levers=MappingProxyType(levers),
                    uncertainties=MappingProxyType(uncertainties), outputs=tuple(outputs),
                    lever_years=MappingProxyType(lever_years), levers_from=int(levers_from))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _table(path, doc: dict, key: str, required: bool = True) -> dict:
    value = doc.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(path, key, "a table [" + key + "]", "(missing)" if value is None else value)
    return value


def _no_unknown(path, prefix: str, table: dict, known, allowed: str | None = None) -> None:
    for key in table:
        if key not in known:
            raise ScenarioError(path, prefix + key, allowed or "one of " + ", ".join(sorted(known)),
                                f"unknown key {key!r}")


def _municipality(path, value: Any) -> Path:
    if not isinstance(value, str) or not value:
        raise ScenarioError(path, "scenario.municipality", SCENARIO_KEYS["municipality"], value)
    candidates = [DATA_ROOT / value, Path(value)]
    if path != "<string>":
        candidates.insert(1, Path(path).parent / value)
    for candidate in candidates:
        if (candidate / "municipality.toml").is_file():
            return candidate.resolve()
    available = sorted(p.name for p in DATA_ROOT.iterdir() if (p / "municipality.toml").is_file())
    raise ScenarioError(path, "scenario.municipality",
                        f"a data folder with municipality.toml (available: {available})", value)


def _range_text(p: Parameter) -> str:
    kind = "a whole number" if p.integer else "a number"
    return f"{kind} in [{p.low:g}, {p.high:g}] {p.units}"


def _check_lever(path, name: str, value: Any) -> float | str:
    p = BY_NAME.get(name)
    if p is None or p.role != "lever":
        raise ScenarioError(path, f"levers.{name}", "a lever of sim.declarations.parameters", f"unknown key {name!r}")
    if p.is_choice:
        if value not in p.choices:
            raise ScenarioError(path, f"levers.{name}", f"one of {list(p.choices)}", value)
        return value
    if not _is_number(value) or (p.integer and float(value) != int(value)):
        raise ScenarioError(path, f"levers.{name}", _range_text(p), value)
    if not p.low <= value <= p.high:
        raise ScenarioError(path, f"levers.{name}", _range_text(p), value)
    return float(value)


def _check_timed_lever(path, name: str, value: Any, default_year: int, start: int,
                       end: int) -> tuple[float | str, int]:
    """A lever's value and the year it takes effect: ``value`` or ``{value = v, from = year}``."""
    if not isinstance(value, dict):
        return _check_lever(path, name, value), default_year
    if set(value) != {"value", "from"}:
        raise ScenarioError(path, f"levers.{name}", "a value or a table {value = ..., from = year}",
                            sorted(value))
    checked = _check_lever(path, name, value["value"])
    year = value["from"]
    if not _is_int(year) or not start <= year <= end:
        raise ScenarioError(path, f"levers.{name}.from", f"a whole year in {start}..{end}", year)
    if not BY_NAME[name].timed and year != start:
        raise ScenarioError(path, f"levers.{name}.from", f"the start year {start}: {name} shapes the run "
                            "from its first year", year)
    return checked, int(year)


def _check_distribution(path, p: Parameter, value: Any) -> Distribution:
    where = f"uncertainties.{p.name}"
    allowed = (f"a number, {{low, high}} or {{distribution = {list(DISTRIBUTIONS)}, low, [mode,] high}}"
               f" within [{p.low:g}, {p.high:g}] {p.units}")
    if _is_number(value):
        if not p.low <= value <= p.high:
            raise ScenarioError(path, where, allowed, value)
        return Distribution("fixed", float(value), float(value))
    if not isinstance(value, dict):
        raise ScenarioError(path, where, allowed, value)
    kind = value.get("distribution", "uniform")
    keys = {"uniform": {"low", "high"}, "triangular": {"low", "mode", "high"}, "fixed": {"value"}}
    if kind not in DISTRIBUTIONS:
        raise ScenarioError(path, where + ".distribution", f"one of {list(DISTRIBUTIONS)}", kind)
    given_keys = set(value) - {"distribution"}
    if given_keys != keys[kind]:
        raise ScenarioError(path, where, f"keys {sorted(keys[kind])} for a {kind} distribution",
                            sorted(given_keys))
    for key in keys[kind]:
        if not _is_number(value[key]) or not p.low <= value[key] <= p.high:
            raise ScenarioError(path, f"{where}.{key}", f"a number in [{p.low:g}, {p.high:g}] {p.units}",
                                value[key])
    if kind == "fixed":
        return Distribution("fixed", float(value["value"]), float(value["value"]))
    low, high = float(value["low"]), float(value["high"])
    mode = float(value["mode"]) if kind == "triangular" else None
    if low > high or (mode is not None and not low <= mode <= high):
        raise ScenarioError(path, where, "low <= mode <= high", value)
    return Distribution(kind, low, high, mode)
