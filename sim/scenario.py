"""Scenario files: TOML schema, loading and validation.

A scenario file has four tables::

    [scenario]       name, description, start_year, end_year, scale, municipality
    [levers]         lever = value | {value, from}      (what the city decides, and from which year)
                     lever = {low, high} | {choices}    (a policy range, sampled along run like an uncertainty;
                                                         either may have a ``from`` year too)
    [uncertainties]  name = value | {low, high} | {distribution, low, mode, high}
    [outputs]        variables = [...]                  (optional subset of the results)
                     pledge_counterfactual = true|false (optional; false skips the second run)

Every lever and uncertainty is declared once in :mod:`sim.parameters`; that
declaration gives the allowed types and ranges quoted in the errors. Scenario
files are data and never execute code.
"""
from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .contract_cities import ALL_CONTRACT_CITIES, NotAMunicipality, find_municipalities
from .data import MunicipalityData, load_municipality
from .declarations.parameters import BY_NAME, LEVERS, UNCERTAINTIES
from .scenario_values import (
    Distribution,
    LeverRange,
    ScenarioError,
    check_distribution,
    check_timed_lever,
    is_int,
    is_number,
)
from .validation import ArgumentError, check_scale, check_scale_for

SCENARIO_KEYS = {
    "name": "a non-empty string",
    "description": "a string",
    "start_year": "a whole year",
    "end_year": "a whole year after start_year, at most 2100",
    "scale": "a number > 0 (1.0 = the whole municipality)",
    "municipality": (f"a folder name under calibration/data or a path to one, a list of them, or "
                     f"'{ALL_CONTRACT_CITIES}'"),
    "levers_for": ("the municipality the per-city levers are written for (default: the one municipality "
                   "named, else eskilstuna)"),
    "levers_from": "a whole year: when the scenario's levers take effect (default: the contract's decision year)",
}
TABLES = ("scenario", "levers", "uncertainties", "outputs")
LEVER_NAMES = tuple(p.name for p in LEVERS)
UNCERTAINTY_NAMES = tuple(p.name for p in UNCERTAINTIES)


MAX_SCENARIO_BYTES = 1_000_000
"""Largest scenario file read, bytes. Assumption: a scenario is a few kB (the shipped ones under 3 kB); its
text is kept in every result and sent with every task, so a file of megabytes is a mistake, not a scenario."""

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
        Data folder of the (first) municipality.
    levers : Mapping[str, float | str]
        Every lever, defaults filled in.
    lever_ranges : Mapping[str, LeverRange]
        Levers given as a range or a set of choices (sampled per run); their entry in ``levers`` is
        the range's nominal value.
    lever_years : Mapping[str, int]
        Year each lever takes effect; before it the lever has its default (the baseline's value).
    levers_from : int or None
        The scenario's default effect year (``[scenario] levers_from``, else the contract's decision year).
    uncertainties : Mapping[str, Distribution]
        Every uncertainty, defaults filled in.
    outputs : tuple of str
        Result variables wanted; empty means all.
    pledge_counterfactual : bool
        Whether each run is made a second time without the pledge effect, for
        ``delivered_reduction`` (:mod:`sim.counterfactual`); without it that
        variable is NaN.
    municipalities : tuple of pathlib.Path
        Data folders of every municipality named (``municipality`` first); empty means ``(municipality,)``.
    levers_for : pathlib.Path or None
        The municipality whose size the per-city levers are given for (:mod:`sim.cities`); None: ``municipality``.
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
    pledge_counterfactual: bool = True
    lever_ranges: Mapping[str, LeverRange] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    municipalities: tuple[Path, ...] = ()
    levers_for: Path | None = None

    def __post_init__(self):
        if not self.municipalities:
            object.__setattr__(self, "municipalities", (self.municipality,))
        if self.levers_for is None:
            object.__setattr__(self, "levers_for", self.municipality)

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    def with_levers(self, **values: float | str | Mapping[str, Any]) -> Scenario:
        """A copy with some levers changed, validated like a file.

        Each value is what a file's ``[levers]`` table takes: a value, ``{"value": v, "from": year}``,
        a range ``{"low": a, "high": b}`` or ``{"choices": [...]}`` (each with an optional ``from``).
        A lever given without ``from`` keeps this scenario's effect year for it; a lever given a
        value loses its range.
        """
        levers, years, ranges = dict(self.levers), dict(self.lever_years), dict(self.lever_ranges)
        for name, value in values.items():
            default_year = years.get(name, self.start_year if self.levers_from is None else self.levers_from)
            levers[name], years[name], lever_range = check_timed_lever(self.path, name, value, default_year,
                                                                        self.start_year, self.end_year)
            ranges.pop(name, None)
            if lever_range is not None:
                ranges[name] = lever_range
        return replace(self, levers=MappingProxyType(levers), lever_years=MappingProxyType(years),
                       lever_ranges=MappingProxyType(ranges))

    def with_municipalities(self, value: str | list[str], levers_for: str | None = None) -> Scenario:
        """A copy run in other municipalities (a name, a list or ``"all_contract_cities"``), checked like a file.

        The per-city levers stay written for this scenario's ``levers_for`` unless ``levers_for`` names another.
        """
        folders = _municipalities(self.path, value)
        written_for = (self.levers_for if levers_for is None
                       else _municipalities(self.path, levers_for, "scenario.levers_for")[0])
        for folder in folders:
            data = load_municipality(folder)
            _check_scale(self.path, self.scale, data)
            if self.start_year not in data.start_years:
                raise ScenarioError(self.path, "scenario.start_year",
                                    f"a year the data of {folder.name} can start from: {data.start_years}",
                                    self.start_year)
        return replace(self, municipality=folders[0], municipalities=folders, levers_for=written_for)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A TOML scenario file, UTF-8, at most :data:`MAX_SCENARIO_BYTES`.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        The file's first error: a missing, unreadable, too large or non-UTF-8 file (with the byte
        offset), bad TOML, an unknown key, a wrong type or a value out of range; the message names file,
        field, what is allowed and what was given. :func:`check_scenario` lists every error.
    """
    path = Path(path)
    return parse_scenario(_read(path), path)


def parse_scenario(text: str, path: str | Path = "<string>") -> Scenario:
    """Validate scenario text; see :func:`load_scenario`. Raises the first error (in file order)."""
    scenario, errors = _parse(text, path)
    if errors:
        raise errors[0]
    return scenario


def check_scenario(path: str | Path) -> list[ScenarioError]:
    """Every error of a scenario file, table by table; empty when the file is a valid scenario.

    A file that cannot be read or parsed as TOML has that one error; otherwise each field is checked on
    its own, and an unknown key comes with the closest known names.
    """
    try:
        text = _read(Path(path))
    except ScenarioError as error:
        return [error]
    return _parse(text, path)[1]


def _read(path: Path) -> str:
    """The text of a scenario file, or a ScenarioError: missing, unreadable, too large, not UTF-8."""
    try:
        if not path.is_file():
            raise ScenarioError(path, "(file)", "an existing TOML scenario file", str(path))
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(path, "(file)", f"a file of at most {MAX_SCENARIO_BYTES:,} bytes",
                                f"{size:,} bytes")
        data = path.read_bytes()[:MAX_SCENARIO_BYTES + 1]  # it may have grown since stat
    except OSError as error:
        raise ScenarioError(path, "(file)", "a readable TOML scenario file", error.strerror or str(error)) from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(path, "(file)", f"a file of at most {MAX_SCENARIO_BYTES:,} bytes", "a larger file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ScenarioError(path, "(encoding)", "UTF-8 text (TOML files are UTF-8)",
                            f"byte 0x{data[error.start]:02x} at offset {error.start} (line {line})") from None


def _parse(text: str, path: str | Path) -> tuple[Scenario | None, list[ScenarioError]]:
    """The scenario (None if any error) and every error found, table by table in the schema's order."""
    if len(text) > MAX_SCENARIO_BYTES:
        return None, [ScenarioError(path, "(file)", f"a text of at most {MAX_SCENARIO_BYTES:,} characters",
                                    f"{len(text):,} characters")]
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [ScenarioError(path, "(syntax)", "valid TOML", str(error))]
    except RecursionError:
        return None, [ScenarioError(path, "(syntax)", "TOML nested a few levels deep (a scenario needs three)",
                                    "arrays or tables nested too deep to read")]
    except ValueError as error:  # an integer of more than sys.get_int_max_str_digits() digits
        return None, [ScenarioError(path, "(syntax)", "numbers of at most 4300 digits", str(error))]
    errors: list[ScenarioError] = []

    def check(function, *args, fallback=None):
        """``function(*args)``, or ``fallback`` with the error kept."""
        try:
            return function(*args)
        except ScenarioError as error:
            errors.append(error)
            return fallback

    errors += _unknown_keys(path, "", doc, TABLES)
    head = check(_table, path, doc, "scenario", fallback={})
    errors += _unknown_keys(path, "scenario.", head, SCENARIO_KEYS)
    if isinstance(doc.get("scenario"), dict):  # (a missing table is one error, not three)
        for key in ("name", "start_year", "end_year"):
            if key not in head:
                errors.append(ScenarioError(path, f"scenario.{key}", SCENARIO_KEYS[key], "(missing)"))
    name = head.get("name", "")
    if "name" in head and (not isinstance(name, str) or not name.strip()):
        errors.append(ScenarioError(path, "scenario.name", SCENARIO_KEYS["name"], name))
    description = head.get("description", "")
    if not isinstance(description, str):
        errors.append(ScenarioError(path, "scenario.description", SCENARIO_KEYS["description"], description))
    start, end = head.get("start_year"), head.get("end_year")
    if start is not None and (not is_int(start) or not 1990 <= start <= 2100):
        errors.append(ScenarioError(path, "scenario.start_year", "a whole year in 1990..2100", start))
        start = None
    if end is not None:
        first = 1991 if start is None else start + 1
        if not is_int(end) or not first <= end <= 2100:
            errors.append(ScenarioError(path, "scenario.end_year", f"a whole year in {first}..2100", end))
            end = None
    municipalities = check(_municipalities, path, head.get("municipality", "eskilstuna"), fallback=())
    municipality = municipalities[0] if municipalities else None
    default_for = str(municipality) if len(municipalities) == 1 else "eskilstuna"
    levers_for = check(_municipalities, path, head.get("levers_for", default_for), "scenario.levers_for",
                       fallback=(None,))[0]
    data = None if municipality is None else load_municipality(municipality)
    scale = head.get("scale", 1.0)
    if not municipalities:
        check(_check_scale, path, scale, None)
    for folder in municipalities:  # every city's data must allow the scale and the start year
        if check(_check_scale, path, scale, load_municipality(folder), fallback=False) is False:
            break
    for folder in municipalities:
        years = load_municipality(folder).start_years
        if start is not None and start not in years:
            errors.append(ScenarioError(path, "scenario.start_year",
                                        f"a year the data of {folder.name} can start from: {years}", start))
            start = None
    decision_year = None if data is None else int(data.figures["contract_decision_year"])
    levers_from = head.get("levers_from", decision_year)
    if levers_from is not None and (not is_int(levers_from) or not 1990 <= levers_from <= 2100):
        errors.append(ScenarioError(path, "scenario.levers_from", SCENARIO_KEYS["levers_from"], levers_from))
        levers_from = None

    levers_in = check(_table, path, doc, "levers", False, fallback={})
    errors += _unknown_keys(path, "levers.", levers_in, LEVER_NAMES, "a lever of sim.declarations.parameters",
                            elsewhere=("uncertainties", UNCERTAINTY_NAMES))
    levers = {p.name: p.default for p in LEVERS}
    lever_years = {p.name: levers_from if p.timed else start for p in LEVERS}
    lever_ranges = {}
    for key, value in levers_in.items():
        if key in LEVER_NAMES:
            checked = check(check_timed_lever, path, key, value, lever_years[key], start, end)
            if checked is not None:
                levers[key], lever_years[key], lever_range = checked
                if lever_range is not None:
                    lever_ranges[key] = lever_range

    unc_in = check(_table, path, doc, "uncertainties", False, fallback={})
    errors += _unknown_keys(path, "uncertainties.", unc_in, UNCERTAINTY_NAMES,
                            "an uncertainty of sim.declarations.parameters", elsewhere=("levers", LEVER_NAMES))
    uncertainties = {p.name: Distribution("uniform", *p.default_range) for p in UNCERTAINTIES}
    for key, value in unc_in.items():
        if key in UNCERTAINTY_NAMES:
            uncertainties[key] = check(check_distribution, path, BY_NAME[key], value)

    outputs_in = check(_table, path, doc, "outputs", False, fallback={})
    errors += _unknown_keys(path, "outputs.", outputs_in, ("variables", "pledge_counterfactual"))
    pledge_counterfactual = outputs_in.get("pledge_counterfactual", True)
    if not isinstance(pledge_counterfactual, bool):
        errors.append(ScenarioError(path, "outputs.pledge_counterfactual", "true or false", pledge_counterfactual))
    outputs = outputs_in.get("variables", [])
    from .results import VARIABLES  # results imports nothing from here at import time

    if not isinstance(outputs, list) or not all(isinstance(v, str) and v in VARIABLES for v in outputs):
        errors.append(ScenarioError(path, "outputs.variables", f"a list of names from {sorted(VARIABLES)}",
                                    outputs))
    if errors:
        return None, errors
    return Scenario(name=name, description=description, path=str(path), text=text,
                    start_year=int(start), end_year=int(end), scale=float(scale),
                    municipality=municipality, levers=MappingProxyType(levers),
                    uncertainties=MappingProxyType(uncertainties), outputs=tuple(outputs),
                    lever_years=MappingProxyType(lever_years), levers_from=int(levers_from),
                    pledge_counterfactual=pledge_counterfactual, lever_ranges=MappingProxyType(lever_ranges),
                    municipalities=municipalities, levers_for=levers_for), []


def _check_scale(path, scale: Any, data: MunicipalityData | None) -> None:
    """A scale > 0, at most MAX_SCALE, and not below the data's smallest scale (:mod:`sim.validation`)."""
    if not is_number(scale) or not scale > 0:
        raise ScenarioError(path, "scenario.scale", SCENARIO_KEYS["scale"], scale)
    try:
        check_scale(scale)
        if data is not None:
            check_scale_for(data, scale)
    except ArgumentError as error:
        raise ScenarioError(path, "scenario.scale", error.allowed, scale) from None


def _table(path, doc: dict, key: str, required: bool = True) -> dict:
    value = doc.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(path, key, "a table [" + key + "]", "(missing)" if value is None else value)
    return value


RETIRED = {
    "biochar_start_year": "a lever with its own year: biochar_capacity = {value = ..., from = year}",
    "offsets_start_year": "a lever with its own year: offsets_per_year = {value = ..., from = year}",
}
"""Levers that were removed, and what replaces them (named in the error of a file that still uses one)."""


def _unknown_keys(path, prefix: str, table: dict, known, allowed: str | None = None,
                  elsewhere: tuple[str, tuple[str, ...]] | None = None) -> list[ScenarioError]:
    """An error for each key of ``table`` not in ``known``, with the closest known names as suggestions.

    ``elsewhere`` = (table, names): a key that belongs to that other table is told so.
    """
    errors = []
    for key in table:
        if key in known:
            continue
        rule = allowed or "one of " + ", ".join(sorted(known))
        if key in RETIRED:
            rule = f"{key} no longer exists; use {RETIRED[key]}"
        elif elsewhere is not None and key in elsewhere[1]:
            rule += f" ({key} belongs in [{elsewhere[0]}])"
        else:
            close = difflib.get_close_matches(key, list(known), n=3)
            if close:
                rule += " (did you mean " + " or ".join(repr(name) for name in close) + "?)"
        errors.append(ScenarioError(path, prefix + key, rule, f"unknown key {key!r}"))
    return errors


def _municipalities(path, value: Any, field_name: str = "scenario.municipality") -> tuple[Path, ...]:
    """The data folders of ``[scenario] municipality`` (or ``levers_for``): :func:`sim.contract_cities.find`."""
    try:
        return find_municipalities(value, None if path == "<string>" else Path(path).parent,
                                   single=field_name != "scenario.municipality")
    except NotAMunicipality as error:
        raise ScenarioError(path, field_name, error.allowed or SCENARIO_KEYS[field_name[9:]], error.given) from None


