"""Several municipalities in one scenario: one case per city, levers scaled to it, results along ``municipality``.

A scenario that names several municipalities (``[scenario] municipality = ["malmo", "lund"]`` or
``"all_contract_cities"``) runs as one single-city case per municipality (:func:`for_city`), each with
the scenario's run seeds and sample, so common random numbers hold across scenarios and cities. A
lever of absolute size (declared with :attr:`~sim.declarations.parameters.Parameter.per_city`: SEK,
charge points, km, ha, t) is given for the municipality ``levers_for`` and scaled to each city by the
ratio of the city's quantity (inhabitants in the start year, drained organic soil, forest land) to that
municipality's; shares, years, choices and per-unit amounts are taken as they are.

A batch keeps its cases along one dimension in its store (``scenario``, labelled ``name/city``, with
the coordinates ``case_scenario`` and ``case_municipality``); the Dataset it returns has the dimensions
``scenario`` and ``municipality`` (:func:`by_municipality`). A batch whose scenarios all run in one
municipality has no ``municipality`` dimension, as before.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import xarray as xr

from .data import MunicipalityData, load_municipality
from .declarations.parameters import BY_NAME, LEVERS
from .scenario import Scenario

CASE_SCENARIO, CASE_MUNICIPALITY = "case_scenario", "case_municipality"
"""Coordinates along a multi-city store's ``scenario`` dimension: each case's scenario and municipality."""

PER_CASE_TARGETS = {"target_base_year": ("year", "base year of the municipality's reduction target"),
                    "target_reduction_year": ("year", "year of the municipality's reduction target"),
                    "target_allowed_share": ("1", "net emissions allowed in the reduction year, share of the base "
                                                  "year's"),
                    "target_climate_positive_year": ("year", "year the municipality aims to be climate positive"),
                    "target_source": (None, "source key of the municipality's targets (calibration/data/SOURCES.md)")}
"""Target attributes kept per scenario (as variables: units, long_name; the source key is text, without units)
when the batch's municipalities define different targets."""


def city_measure(data: MunicipalityData, per_city: str, start_year: int) -> float:
    """The quantity a per-city lever is scaled by (:data:`~sim.declarations.parameters.PER_CITY`)."""
    if per_city == "inhabitants":
        return float(data.series_value("population", start_year))
    if per_city == "drained_peat":
        return float(data.land.drained_peat_ha)
    if per_city == "forest":
        return float(data.land.forest_area_ha)
    raise ValueError(f"per_city: allowed one of inhabitants, drained_peat, forest; given {per_city!r}")


def lever_ratio(scenario: Scenario, city: Path, per_city: str) -> float:
    """What a per-city lever of ``scenario`` is multiplied by in ``city``: the city's measure over ``levers_for``'s."""
    if Path(scenario.levers_for) == Path(city):
        return 1.0
    return (city_measure(load_municipality(Path(city)), per_city, scenario.start_year)
            / city_measure(load_municipality(scenario.levers_for), per_city, scenario.start_year))


def for_city(scenario: Scenario, city: Path) -> Scenario:
    """The single-city case of ``scenario`` in ``city``: its per-city levers (and their ranges) scaled from
    ``levers_for``.

    The case's levers are for ``city`` (its ``levers_for`` is ``city``), so a case is its own case.
    Scaled values are not checked against the levers' bounds, which are for the scenario file.
    """
    city = Path(city)
    levers, ranges = dict(scenario.levers), dict(scenario.lever_ranges)
    for p in LEVERS:
        ratio = 1.0 if p.per_city is None else lever_ratio(scenario, city, p.per_city)
        if ratio != 1.0:
            levers[p.name] = float(levers[p.name]) * ratio
            if p.name in ranges:
                given = ranges[p.name]
                ranges[p.name] = (replace(given, low=given.low * ratio, high=given.high * ratio)
                                  if given.choices is None else
                                  replace(given, choices=tuple(float(c) * ratio for c in given.choices)))
    return replace(scenario, municipality=city, municipalities=(city,), levers_for=city,
                   levers=MappingProxyType(levers), lever_ranges=MappingProxyType(ranges))


def city_params(scenario: Scenario, city: Path, params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``params`` of :func:`sim.simulate` for ``city``: values of per-city levers scaled like the scenario's."""
    if params is None:
        return None
    out = dict(params)
    for name, value in params.items():
        p = BY_NAME.get(name)
        if p is not None and p.per_city is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value) * lever_ratio(scenario, city, p.per_city)
    return out


def cases(scenarios: tuple[Scenario, ...]) -> tuple[tuple[Scenario, ...], tuple[str, ...], tuple[str, ...]]:
    """Every (scenario, municipality) case, scenario-major: the cases and each one's scenario and city names."""
    out, names, cities = [], [], []
    for scenario in scenarios:
        for city in scenario.municipalities:
            out.append(for_city(scenario, city))
            names.append(scenario.name)
            cities.append(Path(city).name)
    return tuple(out), tuple(names), tuple(cities)


def case_variables(scenarios: tuple[Scenario, ...], targets: list[dict], case_scenarios: tuple[str, ...] | bool,
                   case_municipalities: tuple[str, ...]) -> tuple[dict, dict]:
    """A batch template's coordinates and variables of its cases (along ``scenario``).

    Always the start-year inhabitants of each case's city; each case's targets (:data:`PER_CASE_TARGETS`) when
    the cases' targets differ (``targets``: :func:`sim.results.target_attributes` of each); the coordinates
    :data:`CASE_SCENARIO` and :data:`CASE_MUNICIPALITY` when ``case_scenarios`` is given (several cities).
    """
    coords, data = {}, {}
    if case_scenarios:
        coords[CASE_SCENARIO] = ("scenario", np.array(case_scenarios), {"long_name": "the case's scenario"})
        coords[CASE_MUNICIPALITY] = ("scenario", np.array(case_municipalities),
                                     {"long_name": "the case's municipality (data folder)"})
    if any(t != targets[0] for t in targets):  # the net-emission band (sim.summary), the comparison of cities
        for key, (units, long_name) in PER_CASE_TARGETS.items():
            data[key] = (("scenario",), np.array([t[key] for t in targets]),
                         {"long_name": long_name} | ({} if units is None else {"units": units}))
    inhabitants = [load_municipality(s.municipality).series_value("population", s.start_year) for s in scenarios]
    data["inhabitants"] = (("scenario",), np.array(inhabitants, dtype=float),
                           {"units": "1", "long_name": "inhabitants of the municipality in the start year"})
    return coords, data


def case_label(scenario: str, city: str) -> str:
    """A case's name along a multi-city store's ``scenario`` dimension (city folder names hold no ``/``)."""
    return f"{scenario}/{city}"


def by_municipality(ds: xr.Dataset) -> xr.Dataset:
    """A batch Dataset with its cases along ``scenario`` turned into dimensions ``scenario`` and ``municipality``.

    Scenarios and municipalities keep the order in which they were first named; a combination not run
    (a scenario that does not name that city) is NaN. A Dataset without cases is returned as it is.
    """
    if CASE_MUNICIPALITY not in ds.coords:
        return ds
    names = list(dict.fromkeys(str(x) for x in ds[CASE_SCENARIO].values))
    cities = list(dict.fromkeys(str(x) for x in ds[CASE_MUNICIPALITY].values))
    out = (ds.drop_vars("scenario").set_index(scenario=[CASE_SCENARIO, CASE_MUNICIPALITY]).unstack("scenario")
           .rename({CASE_SCENARIO: "scenario", CASE_MUNICIPALITY: "municipality"})
           .reindex(scenario=names, municipality=cities).transpose("scenario", "municipality", ...))
    out["scenario"].attrs.update(long_name="scenario name")
    out["municipality"].attrs.update(long_name="municipality (data folder under calibration/data)")
    return out


def flat_cases(ds: xr.Dataset) -> xr.Dataset:
    """A Dataset with a ``municipality`` dimension back to one ``scenario`` entry per case run (``name/city``).

    For what reads one scenario at a time (the summary table, the HTML report). A Dataset without
    ``municipality`` is returned as it is.
    """
    if "municipality" not in ds.dims:
        return ds
    stacked = ds.stack(case=("scenario", "municipality"))
    pairs = list(stacked.indexes["case"])
    labels = np.array([case_label(str(s), str(m)) for s, m in pairs])
    stacked = (stacked.drop_vars(["case", "scenario", "municipality"])
               .assign_coords(case=labels, **{CASE_SCENARIO: ("case", [str(s) for s, _ in pairs]),
                                              CASE_MUNICIPALITY: ("case", [str(m) for _, m in pairs])})
               .rename(case="scenario").transpose("scenario", ...))
    ran = [isinstance(h, str) for h in stacked["scenario_hash"].values]  # NaN: a combination not run
    return stacked.isel(scenario=np.flatnonzero(ran))
