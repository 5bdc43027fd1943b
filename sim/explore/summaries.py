"""What the explorer shows in numbers: the targets' probabilities with their intervals, cost by payer, the change."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..summary import FLAGS, target_labels
from .compute import BASELINE, EXPLORED

Z_95 = 1.959963984540054
"""Standard normal quantile of 0.975: two-sided 95 % intervals."""


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927), NaN for no trial.

    Unlike the normal approximation it stays within [0, 1] and is not empty at 0 or ``trials``
    successes: with a handful of runs the explorer's probabilities are often 0 or 1.

    Parameters
    ----------
    successes, trials : int
    z : float
        Standard normal quantile of the interval's level (default 95 %).

    Returns
    -------
    (low, high) : tuple of float
    """
    if trials == 0:
        return math.nan, math.nan
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Probability:
    """The share of runs that meet a target, and its 95 % Wilson interval."""

    met: int
    runs: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.met / self.runs if self.runs else math.nan


def probability(flags: np.ndarray) -> Probability:
    """The probability of a per-run 0/1 flag over the runs where it is defined (NaN runs left out)."""
    defined = flags[~np.isnan(flags)]
    met = int(np.count_nonzero(defined == 1.0))
    return Probability(met, defined.size, *wilson_interval(met, defined.size))


def target_names(ds: xr.Dataset) -> dict[str, str]:
    """Summary name (:data:`sim.summary.FLAGS`) -> the target in words, years and share from the Dataset."""
    label = target_labels(ds)
    positive = label["positive_year"]
    return {"prob_target_2030": f"{label['reduction']} (reduction target)",
            "prob_target_2030_with_compensation": f"{label['reduction']}, offsets counted",
            "prob_climate_positive_2045": f"climate positive by {positive}",
            "prob_climate_positive_2045_with_compensation": f"climate positive by {positive}, offsets counted",
            "prob_within_budget": "fossil CO2 within the carbon budget",
            "prob_consumption_target": "consumption goal",
            "prob_pledge_goal": "pledge goal"}


def target_probabilities(ds: xr.Dataset) -> list[tuple[str, Probability, Probability]]:
    """Each target in words with its probability in the baseline and in the explored setting."""
    return [(words, probability(ds[FLAGS[name]].sel(scenario=BASELINE).values),
             probability(ds[FLAGS[name]].sel(scenario=EXPLORED).values))
            for name, words in target_names(ds).items() if FLAGS[name] in ds]


def total_cost_by_payer(ds: xr.Dataset) -> xr.DataArray:
    """Cost summed over the years, MSEK, per scenario, payer and run."""
    total = ds["costs"].sum("year", min_count=1) / 1e6
    return total.assign_attrs(units="MSEK", long_name="transition investment and lever spending over the horizon")


def _cumulative_net(ds: xr.Dataset) -> xr.DataArray:
    return ds["net_emissions"].sum("year", min_count=1) / 1e3  # kt CO2e


@dataclass(frozen=True)
class Change:
    """The explored setting against the baseline, run by run (common random numbers)."""

    avoided_median: float
    """Net emissions avoided over the horizon, median over runs (kt CO2e)."""
    avoided_p05: float
    avoided_p95: float
    share_less_emitted: float
    """Share of runs in which the explored setting emits less over the horizon."""
    extra_cost_median: float
    """Extra cost over the horizon, all payers, median over runs (MSEK)."""
    net_reduction_year: tuple[float, float] | None
    """Median net emissions in the reduction-target year, baseline and explored (kt CO2e/yr)."""


def change_against_baseline(ds: xr.Dataset) -> Change:
    """Paired differences of the explored setting against the baseline (see :class:`Change`)."""
    net = _cumulative_net(ds)
    avoided = net.sel(scenario=BASELINE) - net.sel(scenario=EXPLORED)
    cost = total_cost_by_payer(ds).sum("payer", min_count=1)
    extra = cost.sel(scenario=EXPLORED) - cost.sel(scenario=BASELINE)
    year = ds.attrs.get("target_reduction_year")
    in_year = None
    if year is not None and int(year) in ds["year"].values:
        at = ds["net_emissions"].sel(year=int(year)).median("run") / 1e3
        in_year = (float(at.sel(scenario=BASELINE)), float(at.sel(scenario=EXPLORED)))
    return Change(float(avoided.median("run")), float(avoided.quantile(0.05, "run")),
                  float(avoided.quantile(0.95, "run")), float((avoided > 0).mean("run")),
                  float(extra.median("run")), in_year)
