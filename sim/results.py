"""Engine arrays to a self-describing xarray Dataset, and summaries against the targets."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from .data import Targets
from .declarations.outcomes import COORDS, OUTCOMES
from .declarations.parameters import BY_NAME

VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    name: (o.dims, o.units, o.long_name) for name, o in OUTCOMES.items()}
"""(dimensions, units, long_name) of each outcome: a view of :data:`sim.declarations.outcomes.OUTCOMES`."""


def variables_table() -> str:
    """Markdown table of the output variables (name, dimensions, units, meaning), as in the README."""
    rows = ["| variable | dimensions | units | meaning |", "|---|---|---|---|"]
    rows += [f"| `{name}` | {', '.join(dims) or '(scalar)'} | {units} | {long_name} |"
             for name, (dims, units, long_name) in VARIABLES.items()]
    return "\n".join(rows)


def to_dataset(records: Mapping[str, np.ndarray], years: np.ndarray, values: Mapping[str, float | str],
               attrs: Mapping[str, object], targets: Targets, outputs: tuple[str, ...] = (),
               lever_years: Mapping[str, int] | None = None) -> xr.Dataset:
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
    targets : Targets
        The municipality's targets, which define the target flags.
    outputs : tuple of str
        Variables to keep; empty keeps all.
    lever_years : mapping, optional
        Year each lever takes effect, stored as the lever variable's ``from_year`` attribute.
    """
    data_vars = {}
    for name, (dims, units, long_name) in VARIABLES.items():
        data_vars[name] = xr.Variable(dims, records[name], {"units": units, "long_name": long_name})
    ds = xr.Dataset(data_vars, coords={"year": ("year", years, {"long_name": "calendar year",
                                                                  "units": "1"}),
                                       **{k: (k, list(v), {"long_name": k.replace("_", " ")})
                                          for k, v in COORDS.items()}})
    _add_targets(ds, targets)
    if outputs:
        ds = ds[list(outputs)]
    lever_years = lever_years or {}
    parameters = {name: xr.Variable((), value, {"units": BY_NAME[name].units, "long_name": BY_NAME[name].meaning,
                                                "role": BY_NAME[name].role}
                                    | ({"from_year": int(lever_years[name])} if name in lever_years else {}))
                  for name, value in values.items()}
    ds = ds.assign(parameters)
    ds.attrs.update(attrs)
    return ds


def _add_targets(ds: xr.Dataset, targets: Targets) -> None:
    """The target flags and the relative cut, as the municipality's targets define them."""
    net = ds["net_emissions"]
    years = ds["year"].values

    def at(year: int) -> float:
        return float(net.sel(year=year)) if year in years else np.nan

    base = at(targets.base_year)
    ds["reduction_vs_2020"].values[:] = 1.0 - net.values / base
    reduction_year = at(targets.reduction_year)
    ds["target_2030_met"].values[()] = (float(reduction_year <= targets.allowed_share * base)
                                        if not np.isnan(reduction_year) else np.nan)
    positive = at(targets.climate_positive_year)
    ds["climate_positive_2045"].values[()] = float(positive < 0.0) if not np.isnan(positive) else np.nan


def empty_records(n_years: int) -> dict[str, np.ndarray]:
    """Preallocated arrays (NaN) for every variable of one run."""
    out = {}
    for name, (dims, _, _) in VARIABLES.items():
        shape = tuple(n_years if d == "year" else len(COORDS[d]) for d in dims)
        out[name] = np.full(shape, np.nan)
    return out
