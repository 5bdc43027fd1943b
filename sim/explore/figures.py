"""The explorer's figures as PNG, each with a text alternative that states what it shows in numbers.

Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), told apart with the
common forms of colour blindness; the report's drawing functions are reused under it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..report import draw_budget_pathway, draw_net_emissions, plain_text, pyplot, targets_of
from .compute import BASELINE, EXPLORED
from .summaries import total_cost_by_payer

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
"""Blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black: matplotlib's C0..C7 here."""


@dataclass(frozen=True)
class Figure:
    """A figure as PNG bytes, and its text alternative (the ``alt`` of its image)."""

    png: bytes
    alt: str


def _palette():
    import matplotlib
    from cycler import cycler

    return matplotlib.rc_context({"axes.prop_cycle": cycler(color=OKABE_ITO), "font.size": 10})


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
    plt = pyplot()
    explored, baseline = ds.sel(scenario=EXPLORED), ds.sel(scenario=BASELINE)
    years = ds["year"].values
    with plain_text(), _palette():
        fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6), dpi=100)
        draw_net_emissions(left, explored, "net emissions, explored setting")
        left.plot(years, baseline["net_emissions"].median("run") / 1e3, color="C1", ls="--", lw=1.5,
                  label="baseline (median)")
        left.legend(fontsize=8, loc="upper right")
        draw_budget_pathway(right, explored, "fossil CO2 and the carbon-budget pathway, explored setting")
        right.plot(years, baseline["fossil_co2"].median("run") / 1e3, color="C1", ls="--", lw=1.5,
                   label="baseline fossil CO2 (median)")
        right.legend(fontsize=8, loc="upper right")
        fig.tight_layout()
        png = _png(fig)
    return Figure(png, _emissions_alt(ds))


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
    plt = pyplot()
    total = total_cost_by_payer(ds)
    payers = [str(p) for p in ds["payer"].values]
    x = np.arange(len(payers))
    first, last = int(ds["year"][0]), int(ds["year"][-1])
    with plain_text(), _palette():
        fig, ax = plt.subplots(figsize=(6.5, 3.8), dpi=100)
        for offset, (name, colour, hatch) in zip((-0.2, 0.2), ((BASELINE, "C1", "//"), (EXPLORED, "C0", ""))):
            one = total.sel(scenario=name)
            median = one.median("run").values
            low, high = one.quantile(0.05, "run").values, one.quantile(0.95, "run").values
            ax.bar(x + offset, median, 0.4, color=colour, hatch=hatch, edgecolor="k", lw=0.5,
                   yerr=np.vstack([median - low, high - median]), capsize=3, label=f"{name} (median, 5-95 %)")
        ax.set_xticks(x, [p.replace("_", " ") for p in payers])
        ax.set_ylabel(f"cost {first}-{last}, MSEK")
        ax.set_title("cost by payer over the horizon")
        ax.legend(fontsize=8)
        fig.tight_layout()
        png = _png(fig)
    medians = total.median("run")
    parts = "; ".join(f"{p.replace('_', ' ')} {float(medians.sel(scenario=BASELINE, payer=p)):,.1f} in the baseline, "
                      f"{float(medians.sel(scenario=EXPLORED, payer=p)):,.1f} explored" for p in payers)
    return Figure(png, f"Bar chart of the median cost {first}-{last} by payer, MSEK: {parts}.")
