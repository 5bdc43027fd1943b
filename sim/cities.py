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

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import xarray as xr

from .data import MunicipalityData, load_municipality
from .declarations.parameters import LEVERS
from .scenario import Scenario

CASE_SCENARIO, CASE_MUNICIPALITY = "case_scenario", "case_municipality"
"""Coordinates along a multi-city store's ``scenario`` dimension: each case's scenario and municipality."""


def city_measure(data: MunicipalityData, per_city: str, start_year: int) -> float:
    """The quantity a per-city lever is scaled by (:data:`~sim.declarations.parameters.PER_CITY`)."""
    if per_city == "inhabitants":
        return float(data.series_value("population", start_year))
    if per_city == "drained_peat":
        return float(data.land.drained_peat_ha)
    if per_city == "forest":
        return float(data.land.forest_area_ha)
    raise ValueError(f"per_city: allowed one of inhabitants, drained_peat, forest; given {per_city!r}")


def for_city(scenario: Scenario, city: Path) -> Scenario:
    """The single-city case of ``scenario`` in ``city``: its per-city levers scaled from ``levers_for``.

    The case's levers are for ``city`` (its ``levers_for`` is ``city``), so a case is its own case.
    Scaled values are not checked against the levers' bounds, which are for the scenario file.
    """
    city = Path(city)
    levers = dict(scenario.levers)
    if Path(scenario.levers_for) != city:
        here, there = load_municipality(city), load_municipality(scenario.levers_for)
        for p in LEVERS:
            if p.per_city is not None:
                ratio = (city_measure(here, p.per_city, scenario.start_year)
                         / city_measure(there, p.per_city, scenario.start_year))
                levers[p.name] = float(levers[p.name]) * ratio
    return replace(scenario, municipality=city, municipalities=(city,), levers_for=city,
                   levers=MappingProxyType(levers))


def cases(scenarios: tuple[Scenario, ...]) -> tuple[tuple[Scenario, ...], tuple[str, ...], tuple[str, ...]]:
    """Every (scenario, municipality) case, scenario-major: the cases and each one's scenario and city names."""
    out, names, cities = [], [], []
    for scenario in scenarios:
        for city in scenario.municipalities:
            out.append(for_city(scenario, city))
            names.append(scenario.name)
            cities.append(Path(city).name)
    return tuple(out), tuple(names), tuple(cities)


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
