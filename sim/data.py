"""Loading a municipality's data folder (calibration/data/<name>/).

The folder holds the sourced series (CSV), single figures and assumptions
(``municipality.toml``), technology and prices (``technology.toml``) and the
municipal group's units. Another city is another folder of the same layout.
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .declarations.codes import SECTORS
from .declarations.technology import BY_YEAR, EXPECTED_OPTIONS, LIST_LENGTHS, NAME_LISTS, NUMBER, SCHEMA, WHOLE

SERIES_FILES = {"emissions": "territorial_emissions.csv", "population": "population.csv",
                "dwellings": "dwellings.csv", "new_cars": "new_cars.csv", "cars_in_use": "cars_in_use.csv"}


class DataError(ValueError):
    """A data file that is missing a field or a year the run needs."""

    def __init__(self, path: Path, field_name: str, allowed: str, given: Any):
        super().__init__(f"{path}: field '{field_name}': allowed {allowed}; given {given!r}")


@dataclass(frozen=True)
class CarbonBudget:
    """One version of a fossil CO2 budget (a row of ``carbon_budgets.csv``).

    ``budget_t_co2`` (t CO2) is what may be emitted from 1 January of
    ``start_year`` on, that year included.
    """

    version: str
    budget_t_co2: float
    start_year: int
    source: str


CONSUMPTION_GOALS = ("same_pace", "none")
"""Allowed ``targets.consumption_goal``: per-capita consumption emissions cut at least as much as net
territorial emissions (``same_pace``), or no consumption goal (``none``)."""


@dataclass(frozen=True)
class Targets:
    """A municipality's quantified climate targets (``[targets]`` of ``municipality.toml``).

    Net emissions in ``reduction_year`` at most ``allowed_share`` of those of
    ``base_year``; net emissions below zero in ``climate_positive_year``.
    ``compensation_counts``: climate compensation (purchased, certified
    offsets) may count toward both targets, as the flags
    ``*_with_compensation`` do. ``consumption_goal``: one of
    :data:`CONSUMPTION_GOALS`. ``budget``: the carbon-budget version the
    budget outcomes use.
    """

    base_year: int
    reduction_year: int
    allowed_share: float
    climate_positive_year: int
    source: str
    budget: CarbonBudget
    compensation_counts: bool = True
    consumption_goal: str = "same_pace"


LAND_SHARES = ("forest_share", "drained_peat_forest_share", "drained_peat_farmland_share")
"""Fields of ``[land]`` given per hectare of land, each with ``value``, ``low`` and ``high``."""

HA_PER_KM2 = 100.0


@dataclass(frozen=True)
class Land:
    """The land a municipality's removals are bounded by (``[land]`` of ``municipality.toml``).

    Shares are per hectare of land (national figures scaled to the
    municipality); ``ranges`` holds each share's (low, high) uncertainty range
    and ``sources`` the source key of every field.
    """

    land_area_ha: float
    forest_share: float
    drained_peat_forest_share: float
    drained_peat_farmland_share: float
    ranges: dict[str, tuple[float, float]]
    sources: dict[str, str]

    @property
    def forest_area_ha(self) -> float:
        """Forest land (ha)."""
        return self.land_area_ha * self.forest_share

    @property
    def drained_peat_forest_ha(self) -> float:
        """Drained organic soil on forest land (ha)."""
        return self.land_area_ha * self.drained_peat_forest_share

    @property
    def drained_peat_farmland_ha(self) -> float:
        """Drained organic soil on farmland (ha)."""
        return self.land_area_ha * self.drained_peat_farmland_share

    @property
    def drained_peat_ha(self) -> float:
        """All drained organic soil, the most that can be rewetted (ha)."""
        return self.drained_peat_forest_ha + self.drained_peat_farmland_ha


@dataclass(frozen=True)
class PledgeGoal:
    """The pledge programme's aim (``[pledge_goal]`` of ``municipality.toml``).

    ``organisations`` firms and municipal units with a local climate pledge
    signed in ``year`` or before.
    """

    organisations: float
    year: int
    source: str


@dataclass(frozen=True)
class MunicipalityData:
    """Everything read from one municipality folder.

    Series are dicts keyed by year; ``figures`` maps a figure name to its value;
    ``assumptions`` and ``technology`` are the TOML tables as read.
    """

    name: str
    path: Path
    emissions: dict[int, dict[str, float]]
    population: dict[int, float]
    dwellings: dict[int, dict[str, float]]
    new_cars: dict[int, dict[str, float]]
    cars_in_use: dict[int, dict[str, float]]
    charge_points: dict[int, float]
    figures: dict[str, float]
    assumptions: dict[str, Any]
    technology: dict[str, Any]
    sector_split: dict[str, dict[str, float]]
    co2_share: dict[str, float]
    municipal_units: dict[str, np.ndarray]
    procurement_intensity: dict[str, float]
    carbon_budgets: dict[str, CarbonBudget]
    targets: Targets
    land: Land
    pledge_goal: PledgeGoal

    @property
    def price_year(self) -> int:
        """Year whose SEK every cost figure of the folder is in (figure ``price_year`` of municipality.toml)."""
        if "price_year" not in self.figures:
            raise DataError(self.path / "municipality.toml", "figures.price_year",
                            "the year whose SEK the cost figures are in, e.g. [figures.price_year] value = 2020",
                            "nothing")
        return int(self.figures["price_year"])

    def series_value(self, series: str, year: int, column: str | None = None) -> float:
        """A value of a yearly series, with an error naming the file if the year is missing."""
        table = getattr(self, series)
        if year not in table:
            raise DataError(self.path / SERIES_FILES[series], "year", f"one of {sorted(table)}", year)
        row = table[year]
        return row if column is None else row[column]

    @property
    def start_years(self) -> list[int]:
        """Years for which a start state can be built (dwellings, population, emissions and the car fleet known).

        The fleet on 1 January of a year is the previous 31 December's (``cars_in_use.csv``), or for the first
        year of that series its own count less the year's new plug-in cars (:func:`sim.population.car_fleet`).
        """
        fleet_years = set(self.cars_in_use) | {year + 1 for year in self.cars_in_use}
        return sorted(set(self.dwellings) & set(self.population) & set(self.emissions) & fleet_years)

    def population_at(self, year: int, growth: float) -> float:
        """Inhabitants in ``year``: observed, else grown from the last observed year."""
        if year in self.population:
            return self.population[year]
        last = max(y for y in self.population if y <= year) if min(self.population) <= year else None
        if last is None:
            raise DataError(self.path / "population.csv", "year", f"from {min(self.population)}", year)
        return self.population[last] * (1.0 + growth) ** (year - last)


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise DataError(path, "(file)", "an existing CSV file", str(path))
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(path: Path, field_name: str, text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise DataError(path, field_name, "a number", text) from None


def _yearly(path: Path, key: str = "year") -> dict[int, dict[str, float]]:
    table = {}
    for row in _read_csv(path):
        year = int(_number(path, key, row[key]))
        table[year] = {k: _number(path, k, v) for k, v in row.items() if k != key and v not in ("", None)}
    return table


def _charge_points(path: Path) -> dict[int, float]:
    """Public charge points at the end of each year (``date`` as YYYY-12)."""
    points = {}
    for row in _read_csv(path):
        date = row.get("date", "")
        if len(date) != 7 or date[4] != "-" or not date[:4].isdigit():
            raise DataError(path, "date", "a month as YYYY-MM", date)
        points[int(date[:4])] = _number(path, "public_charge_points", row["public_charge_points"])
    return points


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DataError(path, "(file)", "an existing TOML file", str(path))
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def _check_field(path: Path, field_name: str, kind: str, value: Any) -> None:
    if kind == NUMBER:
        ok = _is_number(value)
    elif kind == WHOLE:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == BY_YEAR:
        years = {k: v for k, v in value.items() if k not in ("source", "note")} if isinstance(value, dict) else {}
        ok = bool(years) and all(k.isdigit() and _is_number(v) for k, v in years.items())
    elif kind in LIST_LENGTHS:
        ok = (isinstance(value, list) and len(value) == LIST_LENGTHS[kind]
              and all(_is_number(v) for v in value))
    elif kind in NAME_LISTS:
        names, length = NAME_LISTS[kind]
        ok = (isinstance(value, list) and all(v in names for v in value)
              and (length is None or len(value) == length))
    else:  # the options, compared with the codes by check_technology
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    if not ok:
        raise DataError(path, field_name, kind, value)


def check_technology(path: Path, technology: dict[str, Any]) -> None:
    """Check ``technology.toml`` against :data:`sim.declarations.technology.SCHEMA`.

    Raises
    ------
    DataError
        Naming the file, the ``table.field`` and what is allowed.
    """
    for table, fields in SCHEMA.items():
        entries = technology.get(table)
        if not isinstance(entries, dict):
            raise DataError(path, table, "a table", entries)
        for name, kind in fields.items():
            if name not in entries:
                raise DataError(path, f"{table}.{name}", kind, "(missing)")
            _check_field(path, f"{table}.{name}", kind, entries[name])
        if table in EXPECTED_OPTIONS and entries["options"] != list(EXPECTED_OPTIONS[table]):
            raise DataError(path, f"{table}.options", fields["options"], entries["options"])
        if "source" not in entries:
            raise DataError(path, f"{table}.source", "a source key or an assumption", "(missing)")
    unknown = sorted(set(technology) - set(SCHEMA))
    if unknown:
        raise DataError(path, unknown[0], f"one of the tables {sorted(SCHEMA)}", unknown[0])


def _carbon_budgets(path: Path) -> dict[str, CarbonBudget]:
    """The versions of the fossil CO2 budget, by version name."""
    budgets = {}
    for row in _read_csv(path):
        if not row.get("version"):
            raise DataError(path, "version", "a version name", row.get("version"))
        start = _number(path, "budget_start_year", row.get("budget_start_year"))
        if start != int(start):
            raise DataError(path, "budget_start_year", "a year (whole number)", row["budget_start_year"])
        budget = _number(path, "budget_t_co2", row.get("budget_t_co2"))
        if budget <= 0:
            raise DataError(path, "budget_t_co2", "a positive number of t CO2", row["budget_t_co2"])
        if not row.get("source"):
            raise DataError(path, "source", "a source key", row.get("source"))
        budgets[row["version"]] = CarbonBudget(row["version"], budget, int(start), row["source"])
    return budgets


def _targets(path: Path, meta: dict[str, Any], budgets: dict[str, CarbonBudget]) -> Targets:
    table = meta.get("targets")
    if not isinstance(table, dict):
        raise DataError(path, "targets", "a table with base_year, reduction_year, allowed_share, "
                        "climate_positive_year, compensation_counts, consumption_goal, budget_version and source",
                        table)
    for name in ("base_year", "reduction_year", "climate_positive_year"):
        if not isinstance(table.get(name), int) or isinstance(table.get(name), bool):
            raise DataError(path, f"targets.{name}", "a year (whole number)", table.get(name, "(missing)"))
    share = table.get("allowed_share")
    if not _is_number(share) or not 0.0 <= share <= 1.0:
        raise DataError(path, "targets.allowed_share", "a number in [0, 1]", share)
    if not isinstance(table.get("compensation_counts"), bool):
        raise DataError(path, "targets.compensation_counts", "true or false",
                        table.get("compensation_counts", "(missing)"))
    if table.get("consumption_goal") not in CONSUMPTION_GOALS:
        raise DataError(path, "targets.consumption_goal", f"one of {list(CONSUMPTION_GOALS)}",
                        table.get("consumption_goal", "(missing)"))
    if table.get("budget_version") not in budgets:
        raise DataError(path, "targets.budget_version", f"a version of carbon_budgets.csv: {sorted(budgets)}",
                        table.get("budget_version", "(missing)"))
    if not isinstance(table.get("source"), str):
        raise DataError(path, "targets.source", "a source key", table.get("source", "(missing)"))
    return Targets(table["base_year"], table["reduction_year"], float(share), table["climate_positive_year"],
                   table["source"], budgets[table["budget_version"]], table["compensation_counts"],
                   table["consumption_goal"])


def _source(path: Path, field_name: str, entry: dict[str, Any]) -> str:
    if not isinstance(entry.get("source"), str) or not entry["source"]:
        raise DataError(path, f"{field_name}.source", "a source key or an assumption", entry.get("source", "(missing)"))
    return entry["source"]


def _land(path: Path, meta: dict[str, Any]) -> Land:
    """The ``[land]`` table, checked: a positive land area and shares in [0, 1] with low <= value <= high."""
    table = meta.get("land")
    if not isinstance(table, dict):
        raise DataError(path, "land", f"a table with land_area and {', '.join(LAND_SHARES)}", table)
    area = table.get("land_area")
    if not isinstance(area, dict) or not _is_number(area.get("value")) or area["value"] <= 0.0:
        raise DataError(path, "land.land_area.value", "a positive number (km2)",
                        area.get("value", "(missing)") if isinstance(area, dict) else "(missing)")
    sources = {"land_area": _source(path, "land.land_area", area)}
    shares, ranges = {}, {}
    for name in LAND_SHARES:
        entry = table.get(name)
        if not isinstance(entry, dict):
            raise DataError(path, f"land.{name}", "a table with value, low, high and source", "(missing)")
        for key in ("value", "low", "high"):
            value = entry.get(key, "(missing)")
            if not _is_number(value) or not 0.0 <= value <= 1.0:
                raise DataError(path, f"land.{name}.{key}", "a share of the land area in [0, 1]", value)
        if not entry["low"] <= entry["value"] <= entry["high"]:
            raise DataError(path, f"land.{name}", "low <= value <= high",
                            (entry["low"], entry["value"], entry["high"]))
        shares[name], ranges[name] = float(entry["value"]), (float(entry["low"]), float(entry["high"]))
        sources[name] = _source(path, f"land.{name}", entry)
    if shares["drained_peat_forest_share"] > shares["forest_share"]:
        raise DataError(path, "land.drained_peat_forest_share", f"at most forest_share ({shares['forest_share']})",
                        shares["drained_peat_forest_share"])
    if shares["forest_share"] + shares["drained_peat_farmland_share"] > 1.0:
        raise DataError(path, "land.drained_peat_farmland_share", "at most 1 - forest_share",
                        shares["drained_peat_farmland_share"])
    return Land(land_area_ha=float(area["value"]) * HA_PER_KM2, ranges=ranges, sources=sources, **shares)
def _pledge_goal(path: Path, meta: dict[str, Any]) -> PledgeGoal:
    table = meta.get("pledge_goal")
    if not isinstance(table, dict):
        raise DataError(path, "pledge_goal", "a table with organisations, year and source", table)
    if not _is_number(table.get("organisations")) or table["organisations"] < 0:
        raise DataError(path, "pledge_goal.organisations", "a number >= 0", table.get("organisations", "(missing)"))
    if not isinstance(table.get("year"), int) or isinstance(table.get("year"), bool):
        raise DataError(path, "pledge_goal.year", "a year (whole number)", table.get("year", "(missing)"))
    if not isinstance(table.get("source"), str):
        raise DataError(path, "pledge_goal.source", "a source key", table.get("source", "(missing)"))
    return PledgeGoal(float(table["organisations"]), table["year"], table["source"])


CONTRACT_CITIES = "contract_cities.csv"
"""File of the data root listing the 23 contract cities (folder, SCB name and code, county, joined)."""


def contract_cities(root: Path) -> list[str]:
    """Folder names of the Climate City Contract municipalities, as listed in ``root/contract_cities.csv``.

    Raises
    ------
    DataError
        When the file is missing or a listed folder does not exist under ``root``.
    """
    path = Path(root) / CONTRACT_CITIES
    folders = [row["folder"] for row in _read_csv(path)]
    for folder in folders:
        if not (Path(root) / folder / "municipality.toml").is_file():
            raise DataError(path, "folder", f"a folder of {root} with a municipality.toml", folder)
    return folders


UNIT_PLAN_COLUMNS = ("plan_year", "plan_reduction_rate")
"""Columns of ``municipal_units.csv`` holding each unit's climate plan: its first year and yearly relative cut."""


@lru_cache(maxsize=64)  # every contract city (23) and test copies
def load_municipality(path: Path) -> MunicipalityData:
    """Read and check a municipality data folder (cached per folder).

    Parameters
    ----------
    path : Path
        Folder with municipality.toml and the CSV series.

    Raises
    ------
    DataError
        When a file or a required field is missing.
    """
    path = Path(path)
    meta = _read_toml(path / "municipality.toml")
    emissions = _yearly(path / "territorial_emissions.csv")
    for year, row in emissions.items():
        for sector in SECTORS:
            if sector not in row:
                raise DataError(path / "territorial_emissions.csv", sector, "a number for every year", year)
    figures = {name: float(entry["value"]) for name, entry in meta.get("figures", {}).items()}
    split: dict[str, dict[str, float]] = {}
    for row in _read_csv(path / "sector_split.csv"):
        split.setdefault(row["sector"], {})[row["component"]] = _number(path / "sector_split.csv", "share",
                                                                       row["share"])
    for sector in SECTORS:
        total = sum(split.get(sector, {}).values())
        if abs(total - 1.0) > 1e-9:
            raise DataError(path / "sector_split.csv", f"share ({sector})", "shares summing to 1", total)
    co2 = {row["sector"]: _number(path / "co2_share.csv", "co2_share", row["co2_share"])
           for row in _read_csv(path / "co2_share.csv")}
    technology = _read_toml(path / "technology.toml")
    check_technology(path / "technology.toml", technology)
    units_rows = _read_csv(path / "municipal_units.csv")
    units = {"name": np.array([r["name"] for r in units_rows]),
             "kind": np.array([r["kind"] for r in units_rows])}
    for column in units_rows[0]:
        if column not in ("name", "kind"):
            units[column] = np.array([_number(path / "municipal_units.csv", column, r[column])
                                      for r in units_rows])
    for column in UNIT_PLAN_COLUMNS:
        if column not in units:
            raise DataError(path / "municipal_units.csv", column, "a number for every unit", "(missing)")
    budgets = _carbon_budgets(path / "carbon_budgets.csv")
    intensity = {r["category"]: _number(path / "procurement_intensity.csv", "kg_co2e_per_sek",
                                        r["kg_co2e_per_sek"])
                 for r in _read_csv(path / "procurement_intensity.csv")}
    return MunicipalityData(
        name=meta.get("name", path.name), path=path, emissions=emissions,
        population={y: r["population"] for y, r in _yearly(path / "population.csv").items()},
        dwellings=_yearly(path / "dwellings.csv"), new_cars=_yearly(path / "new_cars.csv"),
        cars_in_use=_yearly(path / "cars_in_use.csv"),
        charge_points=_charge_points(path / "charge_points.csv"),
        figures=figures, assumptions=meta.get("assumptions", {}),
        technology=technology, sector_split=split, co2_share=co2,
        municipal_units=units, procurement_intensity=intensity, carbon_budgets=budgets,
        targets=_targets(path / "municipality.toml", meta, budgets), land=_land(path / "municipality.toml", meta),
        pledge_goal=_pledge_goal(path / "municipality.toml", meta))
