"""The factors and outcomes of the analyses (sensitivity, scenario discovery, optimisation).

A *factor* is a lever or an uncertainty an analysis varies, with the range it varies over; a
*design* gives every run of a batch a value of each factor (``sim.run_batch(design=...)``). The
analyses work in the unit hypercube of quantiles and turn a quantile into a value here:

- an uncertainty: its scenario distribution's inverse CDF (uniform or triangular);
- a lever the scenario gives as a range (``{low, high}`` or ``{choices}``): that range;
- any other lever: its declared range in :mod:`sim.declarations.parameters` (uniform), except a
  year lever, which varies over the scenario's own years (the declared 2015-2100 would put most of
  the mass on "not used within the horizon"), and a choice lever, whose choices are equally likely.

The outcomes are one number per run, read from a batch's Dataset (:func:`outcome_values`). Costs are
appraised as in the investment plan (:mod:`sim.plan`): net spending (``costs`` plus
``energy_expenditure``, so energy and fuel savings count) discounted at the real
``appraisal_discount_rate`` to the year the levers take effect and summed to :data:`APPRAISAL_END`.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

from .declarations.analysis import ANALYSIS_OUTCOMES
from .declarations.parameters import BY_NAME, LEVERS, UNCERTAINTIES
from .scenario import Scenario

__all__ = ["ANALYSIS_OUTCOMES", "APPRAISAL_END", "APPRAISAL_LEVERS", "COST_TERMS", "Factor", "appraisal_base_year", "factors_of",
           "net_spending", "outcome_values", "present_cost", "present_value"]

APPRAISAL_END = 2045
"""Last year of the cost appraisal: the climate-positive target year."""

APPRAISAL_LEVERS = ("appraisal_discount_rate",)
"""Levers of the analysis, not of the city: never attributed, searched or varied by default (the rate's default,
3.5 %/yr real, is the Swedish transport appraisal's, SOURCES.md key asek_7)."""

COST_TERMS = ("costs", "energy_expenditure")
"""Engine outputs (year, payer) SEK/yr summed into net spending: spending, and energy bills (savings)."""


@dataclasses.dataclass(frozen=True)
class Factor:
    """One lever or uncertainty varied by an analysis.

    Attributes
    ----------
    name : str
    role : {"lever", "uncertainty"}
    low, high : float
        Range of a numeric factor (an uncertainty's distribution's support).
    choices : tuple, optional
        Values of a categorical lever, equally likely.
    integer : bool
        Whether the value is a whole number (a year).
    distribution : object, optional
        An uncertainty's scenario distribution (has ``ppf``).
    units : str
    """

    name: str
    role: str
    low: float
    high: float
    units: str
    choices: tuple | None = None
    integer: bool = False
    distribution: object | None = None

    def value(self, q: float) -> float | str:
        """The factor's value at quantile ``q`` in [0, 1]."""
        if self.choices is not None:
            return self.choices[min(int(q * len(self.choices)), len(self.choices) - 1)]
        if self.distribution is not None:
            return float(self.distribution.ppf(float(q)))
        if self.integer:  # each whole number equally likely
            return float(min(self.low + math.floor(q * (self.high - self.low + 1)), self.high))
        return self.low + float(q) * (self.high - self.low)

    def values(self, q: np.ndarray) -> np.ndarray:
        """:meth:`value` of every quantile of ``q`` (strings for a choice lever)."""
        out = [self.value(x) for x in np.asarray(q, dtype=float)]
        return np.array(out) if self.choices is not None else np.array(out, dtype=float)

    def describe(self) -> str:
        """The range in words, for the ``range`` attribute of results."""
        if self.choices is not None:
            return "one of " + ", ".join(map(str, self.choices))
        if self.distribution is not None:
            d = self.distribution
            mode = f", mode {d.mode:g}" if getattr(d, "mode", None) is not None else ""
            return f"{d.kind} [{d.low:g}, {d.high:g}]{mode} {self.units}"
        return f"uniform{' whole' if self.integer else ''} [{self.low:g}, {self.high:g}] {self.units}"


def lever_factor(scenario: Scenario, name: str) -> Factor:
    """The range a lever varies over (module docstring): the scenario's range, else the declared one."""
    p = BY_NAME[name]
    given = scenario.lever_ranges.get(name)
    if given is not None:
        if given.choices is not None:
            return Factor(name, "lever", 0.0, 0.0, p.units, choices=tuple(given.choices))
        return Factor(name, "lever", float(given.low), float(given.high), p.units, integer=bool(given.integer))
    if p.is_choice:
        return Factor(name, "lever", 0.0, 0.0, p.units, choices=p.choices)
    if p.units == "year":
        return Factor(name, "lever", float(scenario.start_year), float(scenario.end_year), p.units, integer=True)
    return Factor(name, "lever", float(p.low), float(p.high), p.units, integer=p.integer)


def factors_of(scenario: Scenario, names: Sequence[str] | None = None) -> list[Factor]:
    """The factors ``names`` of a scenario (default every lever but :data:`APPRAISAL_LEVERS`, which only
    weighs costs, and every uncertainty that is not fixed).

    Raises
    ------
    ValueError
        For a name that is neither a lever nor an uncertainty, or a fixed uncertainty (no range).
    """
    if names is None:
        names = [p.name for p in LEVERS if p.name not in APPRAISAL_LEVERS] + [p.name for p in UNCERTAINTIES
                                            if scenario.uncertainties[p.name].high > scenario.uncertainties[p.name].low]
    factors = []
    for name in names:
        p = BY_NAME.get(name)
        if p is None:
            raise ValueError(f"factors: allowed names of levers or uncertainties of sim.declarations.parameters; "
                             f"given {name!r}")
        if p.role == "lever":
            factors.append(lever_factor(scenario, name))
            continue
        d = scenario.uncertainties[name]
        if not d.high > d.low:
            raise ValueError(f"factors: {name!r} is fixed at {d.low:g} in scenario {scenario.name!r}: allowed an "
                             "uncertainty with a range")
        factors.append(Factor(name, "uncertainty", d.low, d.high, p.units, distribution=d))
    if len({f.name for f in factors}) != len(factors):
        raise ValueError(f"factors: allowed distinct names; given {list(names)}")
    return factors


def appraisal_base_year(scenario: Scenario) -> int:
    """The year costs are discounted to: the scenario's ``levers_from``, else its start year."""
    return int(scenario.levers_from if scenario.levers_from is not None else scenario.start_year)


def present_value(flow: xr.DataArray, rate: float | xr.DataArray, base_year: int) -> xr.DataArray:
    """``flow`` (SEK/yr along ``year``) discounted by ``(1 + rate) ** -(year - base_year)`` and summed over
    the years up to :data:`APPRAISAL_END`; ``rate`` (1/yr, real) a number or a DataArray (e.g. along run)."""
    factor = (1.0 + rate) ** -(flow["year"] - base_year).astype(float)
    return (flow * factor).sel(year=slice(None, APPRAISAL_END)).sum("year")


def net_spending(ds: xr.Dataset) -> xr.DataArray:
    """``costs + energy_expenditure`` (SEK/yr by payer): spending net of the energy and fuel it saves.

    Raises
    ------
    ValueError
        If the batch lacks either (a scenario whose ``[outputs]`` left them out).
    """
    missing = [name for name in COST_TERMS if name not in ds]
    if missing:
        raise ValueError(f"batch: allowed a batch with the outputs {' and '.join(COST_TERMS)} (net cost); "
                         f"missing {', '.join(missing)}")
    return sum(ds[name] for name in COST_TERMS)


def _target_year(ds: xr.Dataset, key: str) -> int | xr.DataArray:
    """A target year as the data define it: the batch's attribute, or its variable when the batch's municipalities
    have different targets (one year per case)."""
    if key in ds.data_vars:
        return ds[key].astype(int)
    if key in ds.attrs:
        return int(ds.attrs[key])
    raise ValueError(f"outcomes: allowed a batch Dataset with its targets ({key!r} attribute or variable); given one "
                     "without")


def present_cost(ds: xr.Dataset, rate: float | xr.DataArray, base_year: int) -> xr.DataArray:
    """Present value (SEK of the price year) of a batch's net spending over every payer (:func:`net_spending`,
    :func:`present_value`)."""
    return present_value(net_spending(ds).sum("payer"), rate, base_year)


def outcome_values(ds: xr.Dataset, names: Sequence[str], base_year: int | None = None) -> dict[str, xr.DataArray]:
    """Each outcome of :data:`ANALYSIS_OUTCOMES` named in ``names``, one value per run of a batch.

    The net emissions of the reduction and climate-positive years are read in the years the municipality's
    ``[targets]`` give (each city's own in a batch over municipalities). ``cost`` is the present net cost at
    each run's ``appraisal_discount_rate`` to ``base_year`` (default the batch's first year;
    :func:`appraisal_base_year` of the scenario run).
    """
    unknown = [n for n in names if n not in ANALYSIS_OUTCOMES]
    if unknown:
        raise ValueError(f"outcomes: allowed {list(ANALYSIS_OUTCOMES)}; given {unknown}")
    base_year = int(ds["year"].values[0]) if base_year is None else base_year
    net = ds["net_emissions"]
    found = {"net_emissions_2030": lambda: net.sel(year=_target_year(ds, "target_reduction_year")),
             "net_emissions_2045": lambda: net.sel(year=_target_year(ds, "target_climate_positive_year")),
             "target_2030_met": lambda: ds["target_2030_met"].astype(float),
             "climate_positive_2045": lambda: ds["climate_positive_2045"].astype(float),
             "cost": lambda: present_cost(ds, ds["appraisal_discount_rate"], base_year)}
    return {name: found[name]() for name in names}
