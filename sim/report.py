"""Plots of results against the city's targets."""
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


def plot_net_emissions(ds: xr.Dataset, path: str | Path) -> Path:
    """Net emissions of one run (or the median and 5-95 % band over ``run``) against the targets.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`sim.simulate`, optionally with a ``run`` dimension.
    path : str or Path
        Image file to write (PNG, SVG, PDF by extension).

    Returns
    -------
    Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = ds["year"].values
    net = ds["net_emissions"] / 1000.0
    gross = ds["emissions"].sum("sector") / 1000.0
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    if "run" in net.dims:
        ax.fill_between(years, net.quantile(0.05, "run"), net.quantile(0.95, "run"), alpha=0.25,
                        label="net emissions, 5-95 %")
        net, gross = net.median("run"), gross.median("run")
    ax.plot(years, gross, color="0.5", lw=1, label="territorial emissions")
    ax.plot(years, net, color="C0", lw=2, label="net emissions")
    if 2020 in years:
        base = float(net.sel(year=2020))
        ax.plot([2020, 2030], [base, 0.2 * base], "k:", lw=1)
        ax.scatter([2030], [0.2 * base], color="k", zorder=3, label="2030 target: -80 % vs 2020")
        budget = ds.attrs.get("carbon_budget")
        fossil = ds["fossil_co2"]
        if budget is not None:
            first = float(fossil.median("run").sel(year=2020) if "run" in fossil.dims else fossil.sel(year=2020))
            ax.plot(years, (fossil.median("run") if "run" in fossil.dims else fossil) / 1000.0, "C3", lw=1,
                    label="fossil CO2")
            ax.plot(years, budget_pathway(first, float(budget), years) / 1000.0, "C3--", lw=1,
                    label="fossil CO2 pathway within the budget")
    ax.axhline(0.0, color="k", lw=0.8)
    if 2045 in years:
        ax.annotate("2045: climate positive (below zero)", (2045, 0), xytext=(2033, 0.12 * ax.get_ylim()[1]),
                    arrowprops={"arrowstyle": "->"}, fontsize=8)
    ax.set_xlabel("year")
    ax.set_ylabel("kt CO2e per year")
    ax.set_title(f"{ds.attrs.get('municipality', '')}: scenario '{ds.attrs.get('scenario', '')}'")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
