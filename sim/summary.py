"""Per-scenario summaries of a batch against the city's targets, and their text table."""
from __future__ import annotations

import unicodedata

import numpy as np
import xarray as xr

SUMMARY_VARIABLES: dict[str, tuple[str, str]] = {
    # name: (units, long_name)
    "prob_target_2030": ("1", "probability that net emissions in 2030 are at most 20 % of 2020"),
    "prob_climate_positive_2045": ("1", "probability that net emissions in 2045 are below zero"),
    "prob_within_budget": ("1", "probability that cumulative fossil CO2 stays within the carbon budget"),
    "prob_pledge_goal": ("1", "probability that the pledge goal's organisations have pledged by its year"),
    "net_emissions_2030_median": ("t CO2e/yr", "median over runs of net emissions in 2030"),
    "net_emissions_2030_p05": ("t CO2e/yr", "5th percentile over runs of net emissions in 2030"),
    "net_emissions_2030_p95": ("t CO2e/yr", "95th percentile over runs of net emissions in 2030"),
    "runs_done": ("1", "runs finished and counted in the summaries"),
}

_FLAGS = {"prob_target_2030": "target_2030_met", "prob_climate_positive_2045": "climate_positive_2045",
          "prob_within_budget": "within_budget", "prob_pledge_goal": "pledge_goal_met"}


def summarize(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Per-scenario probabilities of the targets and the 2030 net-emission band.

    Runs whose outcomes are NaN (not finished, or a target year outside the
    horizon) are left out; a summary over no run is NaN.

    Parameters
    ----------
    ds : xarray.Dataset
        A batch result with dimensions ``scenario`` and ``run``.

    Returns
    -------
    dict of name -> DataArray along ``scenario`` (see :data:`SUMMARY_VARIABLES`).
    """
    out = {}
    for name, flag in _FLAGS.items():
        values = ds[flag].values
        out[name] = _per_scenario(values, lambda v: float(np.mean(v)))
    if 2030 in ds["year"].values:
        net = ds["net_emissions"].sel(year=2030).values
    else:
        net = np.full(ds["net_emissions"].shape[:2], np.nan)
    out["net_emissions_2030_median"] = _per_scenario(net, lambda v: float(np.quantile(v, 0.5)))
    out["net_emissions_2030_p05"] = _per_scenario(net, lambda v: float(np.quantile(v, 0.05)))
    out["net_emissions_2030_p95"] = _per_scenario(net, lambda v: float(np.quantile(v, 0.95)))
    done = ~np.isnan(ds["net_emissions"].values).all(axis=-1)
    out["runs_done"] = np.count_nonzero(done, axis=1).astype(np.int64)
    return {name: xr.DataArray(values, dims=("scenario",), coords={"scenario": ds["scenario"]},
                               attrs={"units": SUMMARY_VARIABLES[name][0], "long_name": SUMMARY_VARIABLES[name][1]})
            for name, values in out.items()}


def _per_scenario(values: np.ndarray, statistic) -> np.ndarray:
    result = np.full(values.shape[0], np.nan)
    for s, row in enumerate(values):
        row = row[~np.isnan(row)]
        if row.size:
            result[s] = statistic(row)
    return result


def format_table(ds: xr.Dataset) -> str:
    """A plain-text table, one line per scenario, of the summaries of a batch."""
    header = (f"{'scenario':<24} {'runs':>6} {'P(2030 -80%)':>13} {'P(+ 2045)':>10} {'P(budget)':>10} "
              f"{'net 2030 kt CO2e: median [5-95 %]':>36}")
    lines = [header, "-" * len(header)]
    for s, name in enumerate(ds["scenario"].values):
        row = {k: ds[k].values[s] for k in SUMMARY_VARIABLES}
        band = (f"{row['net_emissions_2030_median'] / 1e3:8.1f} [{row['net_emissions_2030_p05'] / 1e3:6.1f}"
                f" - {row['net_emissions_2030_p95'] / 1e3:6.1f}]")
        lines.append(f"{printable(name):<24} {int(row['runs_done']):>6} {_pct(row['prob_target_2030']):>13} "
                     f"{_pct(row['prob_climate_positive_2045']):>10} {_pct(row['prob_within_budget']):>10} "
                     f"{band:>36}")
    return "\n".join(lines)


def _pct(p: float) -> str:
    return "n/a" if np.isnan(p) else f"{100 * p:5.1f} %"


def printable(text) -> str:
    r"""``text`` safe to print on a terminal: control and format characters as their escapes.

    ``"a\x1b[2Jb"`` prints as ``a\x1b[2Jb``: an escape sequence in a scenario name (or in any
    other text read from a file or a store) is shown, not executed by the terminal.
    """
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in str(text))
