"""Engine arrays to a self-describing xarray Dataset, and summaries against the targets."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import xarray as xr

from .data import SECTORS
from .parameters import BY_NAME
from .population import FUELS, HEATING

SINKS = ("biochar", "peatland_rewetting", "forestry", "purchased_offsets")
SCOPES = ("scope1", "scope2", "scope3")
ACTOR_KINDS = ("household", "firm", "municipal_unit")
PAYERS = ("households", "firms", "municipal_group")
ENERGY_STEPS = (0, 1, 2, 3, 4)

COORDS = {"sector": SECTORS, "sink": SINKS, "scope": SCOPES, "fuel": FUELS, "system": HEATING,
          "step": ENERGY_STEPS, "actor_kind": ACTOR_KINDS, "payer": PAYERS}

VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # name: (dimensions, units, long_name)
    "emissions": (("year", "sector"), "t CO2e/yr", "territorial greenhouse-gas emissions by sector"),
    "removals": (("year", "sink"), "t CO2e/yr", "removals and offsets by sink"),
    "net_emissions": (("year",), "t CO2e/yr",
                      "territorial emissions minus removals (biochar, rewetting, forestry); offsets kept apart"),
    "net_emissions_with_offsets": (("year",), "t CO2e/yr", "net emissions minus purchased offsets"),
    "consumption_emissions_per_capita": (("year",), "t CO2e/yr", "consumption-based emissions per inhabitant"),
    "municipal_group_emissions": (("year", "scope"), "t CO2e/yr",
                                  "municipal group emissions by GHG-protocol scope"),
    "car_fleet": (("year", "fuel"), "1", "household cars in use on 1 January by fuel"),
    "new_cars": (("year", "fuel"), "1/yr", "cars bought by households by fuel"),
    "heating_systems": (("year", "system"), "1", "household heating systems on 1 January by kind"),
    "firm_energy_step": (("year", "step"), "1", "firms by energy-efficiency step (Energitrappan) on 1 January"),
    "heat_recovery_connections": (("year",), "1", "firms delivering surplus heat to district heating on 1 January"),
    "pledges": (("year", "actor_kind"), "1", "actors with a local climate pledge signed before the year"),
    "pledged_reduction": (("year",), "t CO2e/yr", "reduction pledged organisations committed to"),
    "delivered_reduction": (("year",), "t CO2e/yr",
                            "reduction pledged organisations delivered against their emissions at signing"),
    "grant_spend": (("year",), "SEK/yr", "climate grants paid out"),
    "grant_abatement": (("year",), "t CO2e/yr",
                        "additional abatement of grant projects funded before the year, free riders excluded"),
    "costs": (("year", "payer"), "SEK/yr", "transition investment and lever spending by payer"),
    "fossil_co2": (("year",), "t CO2/yr", "territorial fossil CO2"),
    "cumulative_co2": (("year",), "t CO2", "fossil CO2 emitted since the carbon budget's start year, inclusive (0 before it)"),
    "reduction_vs_2020": (("year",), "1", "relative cut of net emissions against 2020"),
    "target_2030_met": ((), "1", "net emissions in 2030 at most 20 % of 2020 (1 yes, 0 no)"),
    "climate_positive_2045": ((), "1", "net emissions in 2045 below zero (1 yes, 0 no)"),
    "within_budget": ((), "1", "cumulative fossil CO2 at the last year within the carbon budget (1 yes, 0 no; NaN if the run starts after the budget)"),
}


def variables_table() -> str:
    """Markdown table of the output variables (name, dimensions, units, meaning), as in the README."""
    rows = ["| variable | dimensions | units | meaning |", "|---|---|---|---|"]
    rows += [f"| `{name}` | {', '.join(dims) or '(scalar)'} | {units} | {long_name} |"
             for name, (dims, units, long_name) in VARIABLES.items()]
    return "\n".join(rows)


def to_dataset(records: Mapping[str, np.ndarray], years: np.ndarray, values: Mapping[str, float | str],
               attrs: Mapping[str, object], outputs: tuple[str, ...] = ()) -> xr.Dataset:
    """Assemble one run's Dataset.

    Parameters
    ----------
    records : mapping
        Yearly arrays by variable name, shaped as :data:`VARIABLES` says.
    years : int array
    values : mapping
        Lever and uncertainty values, stored as scalar variables with units.
    attrs : mapping
        Dataset attributes (scenario text, seed, version, ...).
    outputs : tuple of str
        Variables to keep; empty keeps all.
    """
    data_vars = {}
    for name, (dims, units, long_name) in VARIABLES.items():
        data_vars[name] = xr.Variable(dims, records[name], {"units": units, "long_name": long_name})
    ds = xr.Dataset(data_vars, coords={"year": ("year", years, {"long_name": "calendar year",
                                                                  "units": "1"}),
                                       **{k: (k, list(v), {"long_name": k.replace("_", " ")})
                                          for k, v in COORDS.items()}})
    _add_targets(ds)
    if outputs:
        ds = ds[list(outputs)]
    parameters = {name: xr.Variable((), value, {"units": BY_NAME[name].units, "long_name": BY_NAME[name].meaning,
                                                "role": BY_NAME[name].role})
                  for name, value in values.items()}
    ds = ds.assign(parameters)
    ds.attrs.update(attrs)
    return ds


def _add_targets(ds: xr.Dataset) -> None:
    net = ds["net_emissions"]
    years = ds["year"].values
    base = float(net.sel(year=2020)) if 2020 in years else np.nan
    ds["reduction_vs_2020"].values[:] = 1.0 - net.values / base
    ds["target_2030_met"].values[()] = float(float(net.sel(year=2030)) <= 0.2 * base) if 2030 in years else np.nan
    ds["climate_positive_2045"].values[()] = float(float(net.sel(year=2045)) < 0.0) if 2045 in years else np.nan


def empty_records(n_years: int) -> dict[str, np.ndarray]:
    """Preallocated arrays (NaN) for every variable of one run."""
    out = {}
    for name, (dims, _, _) in VARIABLES.items():
        shape = tuple(n_years if d == "year" else len(COORDS[d]) for d in dims)
        out[name] = np.full(shape, np.nan)
    return out
