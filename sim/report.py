"""Plots of results against the city's targets (single runs and batches); the HTML report is in
:mod:`sim.html_report`."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr


def budget_pathway(first_year_emissions: float, budget: float, years: np.ndarray) -> np.ndarray:
    """Constant-rate pathway that spends exactly ``budget`` from ``first_year_emissions``.

    ``B = E0 (1 - r) / r`` gives ``r = E0 / (B + E0)`` (DESIGN section 4).
    """
    rate = first_year_emissions / (budget + first_year_emissions)
    return first_year_emissions * (1.0 - rate) ** (years - years[0])


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (imported on first use, not at import of sim)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plain_text():
    """A matplotlib rc context in which every text artist is plain text: no mathtext, no LaTeX.

    Scenario names are the user's: ``$x^2$`` must show as written, not be parsed (or crash mathtext).
    """
    import matplotlib

    return matplotlib.rc_context({"text.usetex": False, "text.parse_math": False})


def draw_net_emissions(ax, ds: xr.Dataset, title: str | None = None) -> None:
    """Net emissions of one run, or their median and 5-95 % band over ``run``, against the targets.

    ``ds`` holds one scenario: dimension ``year`` and optionally ``run``.
    """
    years = ds["year"].values
    net = ds["net_emissions"] / 1000.0
    gross = ds["emissions"].sum("sector", min_count=1) / 1000.0
    if "run" in net.dims:
        ax.fill_between(years, net.quantile(0.05, "run"), net.quantile(0.95, "run"), alpha=0.2, color="C0",
                        lw=0, label="net emissions, 5-95 %")
        ax.fill_between(years, net.quantile(0.25, "run"), net.quantile(0.75, "run"), alpha=0.3, color="C0",
                        lw=0, label="net emissions, 25-75 %")
        net, gross = net.median("run"), gross.median("run")
    ax.plot(years, gross, color="0.5", lw=1, label="territorial emissions")
    ax.plot(years, net, color="C0", lw=2, label="net emissions" + (" (median)" if "run" in ds.dims else ""))
    if 2020 in years:
        base = float(net.sel(year=2020))
        ax.plot([2020, 2030], [base, 0.2 * base], "k:", lw=1)
        ax.scatter([2030], [0.2 * base], color="k", zorder=3, label="2030 target: -80 % vs 2020")
        budget = float(ds["carbon_budget"]) if "carbon_budget" in ds else ds.attrs.get("carbon_budget")
        if budget is not None:
            fossil = ds["fossil_co2"].median("run") if "run" in ds["fossil_co2"].dims else ds["fossil_co2"]
            first = float(fossil.sel(year=years[0]))
            ax.plot(years, fossil / 1000.0, "C3", lw=1, label="fossil CO2")
            ax.plot(years, budget_pathway(first, float(budget), years) / 1000.0, "C3--", lw=1,
                    label="fossil CO2 pathway within the budget")
    ax.axhline(0.0, color="k", lw=0.8)
    if 2045 in years:
        ax.annotate("2045: climate positive (below zero)", (2045, 0), xytext=(2033, 0.12 * ax.get_ylim()[1]),
                    arrowprops={"arrowstyle": "->"}, fontsize=8)
    ax.set_xlabel("year")
    ax.set_ylabel("kt CO2e per year")
    ax.set_title(title or f"{ds.attrs.get('municipality', '')}: scenario '{ds.attrs.get('scenario', '')}'")
    ax.legend(fontsize=7, loc="upper right")


def plot_net_emissions(ds: xr.Dataset, path: str | Path) -> Path:
    """Net emissions against the targets: one run, or a fan chart over ``run``, one panel per scenario.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`sim.simulate` or :func:`sim.run_batch`.
    path : str or Path
        Image file to write (PNG, SVG, PDF by extension).

    Returns
    -------
    Path
    """
    plt = pyplot()
    names = list(ds["scenario"].values) if "scenario" in ds.dims else [None]
    path = Path(path)
    with plain_text():
        fig, axes = plt.subplots(1, len(names), figsize=(8 * len(names), 4.5), dpi=120, sharey=True,
                                 squeeze=False)
        for ax, name in zip(axes[0], names):
            one = ds if name is None else ds.sel(scenario=name)
            draw_net_emissions(ax, one, None if name is None else
                               f"{ds.attrs.get('municipality', '')}: scenario '{name}'")
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
    return path
