"""The explorer's figures as PNG, each with a text alternative that states what it shows in numbers.

The report's drawing functions and look are reused (:mod:`sim.report_style`): the Okabe-Ito palette
(Okabe & Ito 2008, "Color Universal Design"), told apart with the common forms of colour blindness,
and one legend per figure, below its axes, so that no legend hides a line.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..report import draw_budget_pathway, draw_net_emissions, plain_text, pyplot, targets_of
from ..report_style import OKABE_ITO, figure_legend
from ..words import words
from .compute import BASELINE, EXPLORED
from .summaries import total_cost_by_payer

BASELINE_COLOUR, EXPLORED_COLOUR = OKABE_ITO["orange"], OKABE_ITO["blue"]
"""The baseline's lines and bars (dashed, hatched), and the explored setting's bars."""


@dataclass(frozen=True)
class Figure:
    """A figure as PNG bytes, and its text alternative (the ``alt`` of its image)."""

    png: bytes
    alt: str


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    pyplot().close(fig)
    return buffer.getvalue()


def _kt(values: xr.DataArray, year: int, q: float) -> float:
    return float(values.sel(year=year).quantile(q, "run")) / 1e3


def emissions_figure(ds: xr.Dataset) -> Figure:
    """Net emissions of the explored setting (median, 25-75 and 5-95 % of runs) against the targets,
    with the baseline's median; beside it fossil CO2 against the carbon-budget pathway, on its own axis."""
    return Figure(_png(draw_emissions(ds)), _emissions_alt(ds))


def draw_emissions(ds: xr.Dataset):
    """The matplotlib figure of :func:`emissions_figure`: two axes and one legend below them."""
    plt = pyplot()
    explored, baseline = ds.sel(scenario=EXPLORED), ds.sel(scenario=BASELINE)
    years = ds["year"].values
    with plain_text():
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.6), dpi=100, layout="constrained")
        draw_net_emissions(left, explored, "net emissions, explored setting", legend=False)
        left.plot(years, baseline["net_emissions"].median("run") / 1e3, color=BASELINE_COLOUR, ls="--", lw=1.5,
                  label="baseline net emissions (median)")
        draw_budget_pathway(right, explored, "fossil CO2 and the carbon-budget pathway, explored setting",
                            legend=False)
        right.plot(years, baseline["fossil_co2"].median("run") / 1e3, color=BASELINE_COLOUR, ls="--", lw=1.5,
                   label="baseline fossil CO2 (median)")
        figure_legend(fig, columns=3)
    return fig


def _emissions_alt(ds: xr.Dataset) -> str:
    targets = targets_of(ds)
    years = ds["year"].values
    year = int(targets["reduction_year"]) if targets and int(targets["reduction_year"]) in years else int(years[-1])
    net = ds["net_emissions"]
    explored, baseline = net.sel(scenario=EXPLORED), net.sel(scenario=BASELINE)
    text = (f"Fan chart of net emissions {int(ds['year'][0])}-{int(ds['year'][-1])} over {ds.sizes['run']} runs. "
            f"In {year} the explored setting's median is {_kt(explored, year, 0.5):,.1f} kt CO2e per year "
            f"(5-95 % of runs {_kt(explored, year, 0.05):,.1f} to {_kt(explored, year, 0.95):,.1f}); "
            f"the baseline's median is {_kt(baseline, year, 0.5):,.1f}.")
    if targets and targets["compensation_counts"] and "net_emissions_with_offsets" in ds:
        offsets = ds["net_emissions_with_offsets"].sel(scenario=EXPLORED)
        text += f" With purchased offsets counted, the explored median is {_kt(offsets, year, 0.5):,.1f}."
    if targets and int(targets["base_year"]) in ds["year"].values:
        base = float(explored.sel(year=int(targets["base_year"])).median("run")) / 1e3
        text += (f" The {year} target allows {targets['allowed_share'] * base:,.1f} kt CO2e per year; climate "
                 f"positive by {int(targets['climate_positive_year'])} means below zero.")
    if "budget_pathway" in ds:
        fossil = ds["fossil_co2"].sel(scenario=EXPLORED)
        pathway = float(ds["budget_pathway"].sel(scenario=EXPLORED, year=year).median("run")) / 1e3
        text += (f" Beside it, fossil CO2 in {year}: median {_kt(fossil, year, 0.5):,.1f} kt CO2 against "
                 f"{pathway:,.1f} on the carbon-budget pathway.")
    return text


def cost_figure(ds: xr.Dataset) -> Figure:
    """Cost over the horizon by payer, baseline and explored setting: median bars with 5-95 % whiskers."""
    total = total_cost_by_payer(ds)
    payers = [str(p) for p in ds["payer"].values]
    first, last = int(ds["year"][0]), int(ds["year"][-1])
    medians = total.median("run")
    parts = "; ".join(f"{words(p)} {float(medians.sel(scenario=BASELINE, payer=p)):,.1f} in the baseline, "
                      f"{float(medians.sel(scenario=EXPLORED, payer=p)):,.1f} explored" for p in payers)
    return Figure(_png(draw_cost(ds)), f"Bar chart of the median cost {first}-{last} by payer, MSEK: {parts}.")


def draw_cost(ds: xr.Dataset):
    """The matplotlib figure of :func:`cost_figure`, its legend below the axes."""
    plt = pyplot()
    total = total_cost_by_payer(ds)
    payers = [str(p) for p in ds["payer"].values]
    x = np.arange(len(payers))
    first, last = int(ds["year"][0]), int(ds["year"][-1])
    with plain_text():
        fig, ax = plt.subplots(figsize=(6.5, 4.2), dpi=100, layout="constrained")
        for offset, (name, colour, hatch) in zip((-0.2, 0.2), ((BASELINE, BASELINE_COLOUR, "//"),
                                                               (EXPLORED, EXPLORED_COLOUR, ""))):
            one = total.sel(scenario=name)
            median = one.median("run").values
            low, high = one.quantile(0.05, "run").values, one.quantile(0.95, "run").values
            ax.bar(x + offset, median, 0.4, color=colour, hatch=hatch, edgecolor="k", lw=0.5,
                   yerr=np.vstack([median - low, high - median]), capsize=3, label=f"{name} (median, 5-95 %)")
        ax.set_xticks(x, [words(p) for p in payers])
        ax.set_ylabel(f"cost {first}-{last}, MSEK")
        ax.set_title("cost by payer over the horizon")
        figure_legend(fig)
    return fig
