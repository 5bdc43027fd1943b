"""Per-scenario summaries of a batch against the city's targets, and their text table."""
from __future__ import annotations

import unicodedata

import numpy as np
import xarray as xr

SUMMARY_VARIABLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # name: (dimensions, units, long_name)
    "prob_target_2030": (("scenario",), "1", "probability of the reduction target without compensation"),
    "prob_target_2030_with_compensation": (("scenario",), "1",
                                           "probability of the reduction target counting compensation"),
    "prob_climate_positive_2045": (("scenario",), "1", "probability of climate positive without compensation"),
    "prob_climate_positive_2045_with_compensation": (("scenario",), "1",
                                                     "probability of climate positive counting compensation"),
    "prob_consumption_target": (("scenario",), "1", "probability of the consumption goal"),
    "prob_within_budget": (("scenario",), "1",
                           "probability that cumulative fossil CO2 stays within the carbon budget"),
    "share_on_budget_pathway": (("scenario", "year"), "1",
                                "share of runs whose fossil CO2 is at or below the budget pathway"),
    "budget_exhausted_year_median": (("scenario",), "1",
                                     "median over runs of the year the carbon budget is exhausted (NaN when "
                                     "it is not exhausted within the horizon in half of the runs or more)"),
    "net_emissions_2030_median": (("scenario",), "t CO2e/yr",
                                  "median over runs of net emissions in the reduction-target year"),
    "net_emissions_2030_p05": (("scenario",), "t CO2e/yr",
                               "5th percentile over runs of net emissions in the reduction-target year"),
    "net_emissions_2030_p95": (("scenario",), "t CO2e/yr",
                               "95th percentile over runs of net emissions in the reduction-target year"),
    "prob_pledge_goal": (("scenario",), "1", "probability that the pledge goal's organisations have pledged by its year"),
    "runs_done": (("scenario",), "1", "runs finished and counted in the summaries"),
}
"""Per-scenario summaries of a batch; the names keep "2030"/"2045" for continuity, the years are the targets'."""

FLAGS = {"prob_target_2030": "target_2030_met",
         "prob_target_2030_with_compensation": "target_2030_met_with_compensation",
         "prob_climate_positive_2045": "climate_positive_2045",
         "prob_climate_positive_2045_with_compensation": "climate_positive_2045_with_compensation",
         "prob_consumption_target": "consumption_target_met", "prob_within_budget": "within_budget",
         "prob_pledge_goal": "pledge_goal_met"}
"""Summary probability -> the per-run flag (0/1, NaN undefined) it is the mean of."""


def summarize(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Per-scenario probabilities of the targets, the budget pathway and the net-emission band.

    Runs whose outcomes are NaN (not finished, or a target year outside the
    horizon) are left out; a summary over no run is NaN. The band is taken in
    the reduction-target year of each scenario's variable ``target_reduction_year``
    (a batch over municipalities with different targets), else of the Dataset's attributes
    (NaN when the Dataset carries no targets).

    Parameters
    ----------
    ds : xarray.Dataset
        A batch result with dimensions ``scenario`` and ``run``.

    Returns
    -------
    dict of name -> DataArray (see :data:`SUMMARY_VARIABLES`).
    """
    out = {}
    for name, flag in FLAGS.items():
        out[name] = _per_scenario(ds[flag].values, lambda v: float(np.mean(v)))
    on_path = ds["on_budget_pathway"].transpose("scenario", "year", "run").values
    out["share_on_budget_pathway"] = np.array([_per_scenario(per_year, lambda v: float(np.mean(v)))
                                               for per_year in on_path])
    # a run within the budget at its end exhausts it after the horizon: counted as later than any year
    exhausted = np.where(ds["within_budget"].values == 1.0, np.inf, ds["budget_exhausted_year"].values)
    median = _per_scenario(exhausted, lambda v: float(np.quantile(v, 0.5, method="inverted_cdf")))
    out["budget_exhausted_year_median"] = np.where(np.isinf(median), np.nan, median)
    net = np.full(ds["net_emissions"].shape[:2], np.nan)
    if "target_reduction_year" in ds.data_vars:  # each scenario's own (municipalities with different targets)
        years = ds["target_reduction_year"].values
    else:
        years = np.full(net.shape[0], ds.attrs.get("target_reduction_year", -1))
    for s, year in enumerate(years):
        if int(year) in ds["year"].values:
            net[s] = ds["net_emissions"].isel(scenario=s).sel(year=int(year)).values
    out["net_emissions_2030_median"] = _per_scenario(net, lambda v: float(np.quantile(v, 0.5)))
    out["net_emissions_2030_p05"] = _per_scenario(net, lambda v: float(np.quantile(v, 0.05)))
    out["net_emissions_2030_p95"] = _per_scenario(net, lambda v: float(np.quantile(v, 0.95)))
    out["runs_done"] = np.count_nonzero(_done(ds), axis=1).astype(np.int64)
    coords = {"scenario": ds["scenario"], "year": ds["year"]}
    return {name: xr.DataArray(values, dims=SUMMARY_VARIABLES[name][0],
                               coords={d: coords[d] for d in SUMMARY_VARIABLES[name][0]},
                               attrs={"units": SUMMARY_VARIABLES[name][1], "long_name": SUMMARY_VARIABLES[name][2]})
            for name, values in out.items()}


def _done(ds: xr.Dataset) -> np.ndarray:
    """bool[scenario, run]: the run has results (its net emissions are not all NaN)."""
    return ~np.isnan(ds["net_emissions"].transpose("scenario", "run", "year").values).all(axis=-1)


def _per_scenario(values: np.ndarray, statistic) -> np.ndarray:
    result = np.full(values.shape[0], np.nan)
    for s, row in enumerate(values):
        row = row[~np.isnan(row)]
        if row.size:
            result[s] = statistic(row)
    return result


def target_labels(ds: xr.Dataset) -> dict[str, str]:
    """Short labels of the targets from the Dataset's ``target_*`` attributes (the municipality's targets).

    Keys: ``reduction`` (e.g. "2030 -80%"), ``positive_year`` (e.g. "2045") and ``year`` (the
    reduction year, e.g. "2030"); words instead of numbers when the Dataset carries no targets
    (a batch over municipalities with different targets).
    """
    attrs = ds.attrs
    if not {"target_reduction_year", "target_allowed_share", "target_climate_positive_year"} <= set(attrs):
        return {"reduction": "reduction", "positive_year": "target year", "year": "reduction year"}
    year = int(attrs["target_reduction_year"])
    return {"reduction": f"{year} -{100 * (1 - float(attrs['target_allowed_share'])):.0f}%",
            "positive_year": str(int(attrs["target_climate_positive_year"])), "year": str(year)}


def format_table(ds: xr.Dataset) -> str:
    """A plain-text table, one line per scenario, of the summaries of a batch.

    Columns: runs; the probabilities of the reduction target and of climate positive, without and with
    compensation ("+c"); of the consumption goal; of staying within the carbon budget; the median year the
    budget is exhausted; net emissions in the reduction year, median and 5-95 % band.
    """
    from .cities import flat_cases

    ds = flat_cases(ds)
    label = target_labels(ds)
    columns = [(f"P({label['reduction']})", "prob_target_2030"),
               (f"P({label['reduction']} +c)", "prob_target_2030_with_compensation"),
               (f"P(+ {label['positive_year']})", "prob_climate_positive_2045"),
               (f"P(+ {label['positive_year']} +c)", "prob_climate_positive_2045_with_compensation"),
               ("P(consumption)", "prob_consumption_target"), ("P(budget)", "prob_within_budget")]
    band_head = f"net {label['year']} kt CO2e: median [5-95 %]"
    header = (f"{'scenario':<24} {'runs':>6} " + " ".join(f"{h:>{max(len(h), 8)}}" for h, _ in columns)
              + f" {'budget spent':>12} {band_head:>36}")
    lines = [header, "-" * len(header)]
    for s, name in enumerate(ds["scenario"].values):
        row = {k: ds[k].values[s] for k in SUMMARY_VARIABLES if SUMMARY_VARIABLES[k][0] == ("scenario",)}
        band = (f"{row['net_emissions_2030_median'] / 1e3:8.1f} [{row['net_emissions_2030_p05'] / 1e3:6.1f}"
                f" - {row['net_emissions_2030_p95'] / 1e3:6.1f}]")
        exhausted = row["budget_exhausted_year_median"]
        lines.append(f"{printable(name):<24} {int(row['runs_done']):>6} "
                     + " ".join(f"{_pct(row[k]):>{max(len(h), 8)}}" for h, k in columns)
                     + f" {'n/a' if np.isnan(exhausted) else f'{exhausted:.0f}':>12} {band:>36}")
    return "\n".join(lines)


def _pct(p: float) -> str:
    return "n/a" if np.isnan(p) else f"{100 * p:5.1f} %"


def printable(text) -> str:
    r"""``text`` safe to print on a terminal: control and format characters as their escapes.

    ``"a\x1b[2Jb"`` prints as ``a\x1b[2Jb``: an escape sequence in a scenario name (or in any
    other text read from a file or a store) is shown, not executed by the terminal.
    """
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in str(text))
