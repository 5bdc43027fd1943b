"""Engine arrays to a self-describing xarray Dataset, and summaries against the targets."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from . import budget
from .data import Targets
from .declarations.outcomes import COORDS, OUTCOMES
from .declarations.parameters import BY_NAME

VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    name: (o.dims, o.units, o.long_name) for name, o in OUTCOMES.items()}
"""(dimensions, units, long_name) of each outcome: a view of :data:`sim.declarations.outcomes.OUTCOMES`."""


DERIVED: tuple[str, ...] = ("reduction_vs_2020", "budget_pathway", "budget_required_cut", "on_budget_pathway")
"""Yearly outcomes computed from the recorded series after the run (by :func:`to_dataset`), not by the engine."""


def variables_table() -> str:
    """Markdown table of the output variables (name, dimensions, units, meaning), as in the README."""
    rows = ["| variable | dimensions | units | meaning |", "|---|---|---|---|"]
    rows += [f"| `{name}` | {', '.join(dims) or '(scalar)'} | {units} | {long_name} |"
             for name, (dims, units, long_name) in VARIABLES.items()]
    return "\n".join(rows)


def to_dataset(records: Mapping[str, np.ndarray], years: np.ndarray, values: Mapping[str, float | str],
               attrs: Mapping[str, object], targets: Targets, outputs: tuple[str, ...] = (),
               lever_years: Mapping[str, int] | None = None, price_year: int | None = None) -> xr.Dataset:
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
    price_year : int, optional
        Year whose SEK every cost figure is in (the data folder's ``price_year`` figure): the
        ``price_year`` attribute of the run and of every variable in SEK.
    """
    data_vars = {}
    for name, (dims, units, long_name) in VARIABLES.items():
        priced = {"price_year": price_year} if price_year is not None and "SEK" in units else {}
        data_vars[name] = xr.Variable(dims, records[name], {"units": units, "long_name": long_name} | priced)
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
    ds.attrs.update(target_attributes(targets))
    ds.attrs.update(attrs)
    if price_year is not None:
        ds.attrs["price_year"] = price_year
    return ds


def target_attributes(targets: Targets) -> dict[str, object]:
    """The targets' definitions as Dataset attributes (read by the summaries and the report)."""
    carbon = targets.budget
    return {"target_base_year": targets.base_year, "target_reduction_year": targets.reduction_year,
            "target_allowed_share": targets.allowed_share,
            "target_climate_positive_year": targets.climate_positive_year,
            "target_compensation_counts": int(targets.compensation_counts),
            "target_consumption_goal": targets.consumption_goal, "target_source": targets.source,
            "carbon_budget": carbon.budget_t_co2, "carbon_budget_units": "t CO2",
            "carbon_budget_start_year": carbon.start_year, "carbon_budget_version": carbon.version,
            "carbon_budget_source": carbon.source}


def _add_targets(ds: xr.Dataset, targets: Targets) -> None:
    """The target flags, the relative cut and the budget outcomes, as the municipality's targets define them.

    With N the net emissions (``net_emissions``), y_b, y_r, y_p the base,
    reduction and climate-positive years and s the allowed share:

    - ``target_2030_met``: N(y_r) <= s N(y_b);
    - ``climate_positive_2045``: N(y_p) < 0;
    - ``*_with_compensation``: the same with ``net_emissions_with_offsets`` in
      y_r and y_p (the base stays N(y_b)) when ``targets.compensation_counts``;
      otherwise equal to the flags without compensation;
    - ``consumption_target_met`` (goal ``same_pace``): with C the consumption
      emissions per inhabitant, 1 - C(y_r)/C(y_b) >= 1 - N(y_r)/N(y_b), the
      relative cut of consumption at least that of net territorial emissions;
      NaN under goal ``none`` or when N(y_b) <= 0;
    - the budget outcomes of :mod:`sim.budget`; ``within_budget`` is 1 when
      the budget is not exhausted by the last year.

    A flag whose years are not all in the run is NaN. (Reads and writes ``ds.variables``:
    building a DataArray per access cost most of the time.)
    """
    years = ds.variables["year"].values
    index = {int(y): k for k, y in enumerate(years)}
    recorded = {name: ds.variables[name].values for name in ("net_emissions", "net_emissions_with_offsets",
                                                 "consumption_emissions_per_capita")}

    def at(name: str, year: int) -> float:
        return float(recorded[name][index[year]]) if year in index else np.nan

    def flag(condition: bool, *operands: float) -> float:
        return np.nan if np.isnan(operands).any() else float(condition)

    base = at("net_emissions", targets.base_year)
    ds.variables["reduction_vs_2020"].values[:] = 1.0 - recorded["net_emissions"] / base
    compensated = "net_emissions_with_offsets" if targets.compensation_counts else "net_emissions"
    for suffix, series in (("", "net_emissions"), ("_with_compensation", compensated)):
        reduction, positive = at(series, targets.reduction_year), at(series, targets.climate_positive_year)
        ds.variables["target_2030_met" + suffix].values[()] = flag(reduction <= targets.allowed_share * base, reduction, base)
        ds.variables["climate_positive_2045" + suffix].values[()] = flag(positive < 0.0, positive)
    consumption = [at("consumption_emissions_per_capita", y) for y in (targets.base_year, targets.reduction_year)]
    territorial_cut = 1.0 - at("net_emissions", targets.reduction_year) / base if base > 0.0 else np.nan
    consumption_cut = 1.0 - consumption[1] / consumption[0]
    ds.variables["consumption_target_met"].values[()] = (
        flag(consumption_cut >= territorial_cut, consumption_cut, territorial_cut)
        if targets.consumption_goal == "same_pace" else np.nan)
    fossil = ds.variables["fossil_co2"].values
    pathway = budget.budget_pathway(fossil, years, targets.budget)
    ds.variables["budget_pathway"].values[:] = pathway
    ds.variables["budget_required_cut"].values[:] = budget.required_cut(fossil, years, targets.budget)
    with np.errstate(invalid="ignore"):
        ds.variables["on_budget_pathway"].values[:] = np.where(np.isnan(pathway), np.nan, fossil <= pathway)
    exhausted = budget.exhausted_year(fossil, years, targets.budget)
    ds.variables["budget_exhausted_year"].values[()] = exhausted
    ds.variables["within_budget"].values[()] = (float(np.isnan(exhausted))
                                      if years[0] <= targets.budget.start_year <= years[-1] else np.nan)


def empty_records(n_years: int) -> dict[str, np.ndarray]:
    """Preallocated arrays (NaN) for every variable of one run."""
    out = {}
    for name, (dims, _, _) in VARIABLES.items():
        shape = tuple(n_years if d == "year" else len(COORDS[d]) for d in dims)
        out[name] = np.full(shape, np.nan)
    return out
