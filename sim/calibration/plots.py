"""Figures of a fit: every observed series with its posterior (or prior) predictive interval."""
from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from ..report_style import GREY, OKABE_ITO, PRINT_WIDTH_IN, print_style, words

SERIES_AXES = {
    "emissions": (1e-3, "kt CO2e per year"),
    "share": (100.0, "% of cars"),
    "pledged_organisations": (1.0, "organisations with a pledge"),
}
"""How each kind of series is drawn: factor from the model's units and the axis label."""

TITLES = {"new_car_bev_share": "BEV share of new cars", "new_car_phev_share": "PHEV share of new cars",
          "fleet_bev_share": "BEV share of cars in use", "fleet_phev_share": "PHEV share of cars in use",
          "pledged_organisations": "organisations with a pledge (end of 2023)"}


def _axis(series: str) -> tuple[float, str]:
    if series.startswith("emissions_"):
        return SERIES_AXES["emissions"]
    return SERIES_AXES["pledged_organisations"] if series == "pledged_organisations" else SERIES_AXES["share"]


def _title(series: str, city: str, several: bool) -> str:
    title = TITLES.get(series, f"{words(series.removeprefix('emissions_'))} (SMHI)")
    return f"{city}: {title}" if several and city else title


def plot_predictive(check: xr.Dataset, title: str, held_out_from: int | None = None) -> Figure:
    """One panel per observed series: the 90 % predictive interval, its median and the observations.

    Parameters
    ----------
    check : xarray.Dataset
        From :func:`sim.calibration.predictive_check` (``observed_municipality`` names each point's city).
    title : str
        The figure's title (say which posterior, how many runs, which scale).
    held_out_from : int, optional
        First year not fitted: a dashed line marks where the out-of-sample years start.

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = check["observed_series"].values.astype(str)
    cities = (check["observed_municipality"].values.astype(str) if "observed_municipality" in check
              else np.full(len(series), ""))
    groups = list(dict.fromkeys(zip(cities, series)))
    several = len(set(cities)) > 1
    columns = 2
    rows = int(np.ceil(len(groups) / columns))
    with print_style():
        fig = Figure(figsize=(PRINT_WIDTH_IN, 1.9 * rows + 0.6), layout="constrained")
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        for ax, (city, name) in zip(axes, groups):
            keep = (cities == city) & (series == name)
            years = check["observed_year"].values[keep]
            factor, label = _axis(name)
            low, median, high = (check[v].values[keep] * factor for v in ("low", "median", "high"))
            observed = check["observed_value"].values[keep] * factor
            inside = check["inside"].values[keep].astype(bool)
            if len(years) > 1:
                ax.fill_between(years, low, high, color=OKABE_ITO["sky blue"], alpha=0.5, linewidth=0,
                                label="90 % predictive interval")
                ax.plot(years, median, color=OKABE_ITO["blue"], label="median")
            else:
                ax.errorbar(years, median, yerr=[median - low, high - median], fmt="_", color=OKABE_ITO["blue"],
                            capsize=4, label="median and 90 % interval")
            ax.plot(years[inside], observed[inside], "o", color="black", markersize=4, label="observed, inside")
            ax.plot(years[~inside], observed[~inside], "X", color=OKABE_ITO["vermillion"], markersize=6,
                    label="observed, outside")
            if held_out_from is not None and years.max() >= held_out_from > years.min():
                ax.axvline(held_out_from - 0.5, color=GREY, linestyle="--", linewidth=1, label="held out from here")
            ax.set_title(_title(name, city, several))
            ax.set_ylabel(label)
            ax.set_xticks(years if len(years) <= 8 else years[::2])
            ax.set_ylim(bottom=0)
        for ax in axes[len(groups):]:
            ax.set_visible(False)
        handles = {}
        for ax in axes[:len(groups)]:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=3)
        fig.suptitle(title)
    return fig
