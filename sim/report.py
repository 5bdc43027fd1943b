"""Plots of results against the city's targets (single runs and batches); the HTML report is in
:mod:`sim.html_report`."""
from __future__ import annotations

from pathlib import Path

import xarray as xr

from .report_style import GREY, MIN_FONT_PT, OKABE_ITO, PRINT_WIDTH_IN, print_style


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend (imported on first use, not at import of sim)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plain_text():
    """A matplotlib rc context in which every text artist is plain text (no mathtext, no LaTeX), print-size type.

    Scenario names are the user's: ``$x^2$`` must show as written, not be parsed (or crash mathtext).
    See :func:`sim.report_style.print_style`.
    """
    return print_style()


def targets_of(ds: xr.Dataset) -> dict[str, float] | None:
    """The target definitions a result carries in its ``target_*`` attributes; None if it has none."""
    names = ("base_year", "reduction_year", "allowed_share", "climate_positive_year")
    if not all(f"target_{n}" in ds.attrs for n in names):
        return None
    return {n: float(ds.attrs[f"target_{n}"]) for n in names} | {
        "compensation_counts": bool(ds.attrs.get("target_compensation_counts", 0))}


def _median(values: xr.DataArray) -> xr.DataArray:
    return values.median("run") if "run" in values.dims else values


def _fan(ax, years, values: xr.DataArray, color: str, label: str) -> None:
    """Median line, with 5-95 % and 25-75 % bands when ``values`` has a ``run`` dimension."""
    if "run" in values.dims:
        ax.fill_between(years, values.quantile(0.05, "run"), values.quantile(0.95, "run"), alpha=0.2, color=color,
                        lw=0, label=f"{label}, 5-95 %")
        ax.fill_between(years, values.quantile(0.25, "run"), values.quantile(0.75, "run"), alpha=0.3, color=color,
                        lw=0, label=f"{label}, 25-75 %")
    ax.plot(years, _median(values), color=color, lw=2, label=label + (" (median)" if "run" in values.dims else ""))


def _differs(values: xr.DataArray, reference: xr.DataArray) -> bool:
    """Whether two variables differ anywhere (a line of ``values`` would show beside ``reference``'s)."""
    return bool(((values != reference) & values.notnull()).any())


def draw_net_emissions(ax, ds: xr.Dataset, title: str | None = None, legend: bool = True) -> None:
    """Net emissions of one run, or their median and bands over ``run``, against the targets.

    ``ds`` holds one scenario: dimension ``year`` and optionally ``run``. The target years and
    share are the Dataset's ``target_*`` attributes (the municipality's targets). Territorial
    emissions (before removals) and net emissions with purchased offsets (when the targets let
    compensation count) are drawn where they differ from net emissions: a line equal to the fan's
    median would lie hidden under it. ``legend=False`` leaves the legend to the caller (one legend
    for a figure of several axes).
    """
    years = ds["year"].values
    net = ds["net_emissions"]
    _fan(ax, years, net / 1000.0, OKABE_ITO["blue"], "net emissions")
    territorial = ds["emissions"].sum("sector", min_count=1)
    if _differs(territorial, net):
        ax.plot(years, _median(territorial) / 1000.0, color=GREY, lw=1,
                label="territorial emissions" + (" (median)" if "run" in ds.dims else ""))
    targets = targets_of(ds)
    if (targets and targets["compensation_counts"] and "net_emissions_with_offsets" in ds
            and _differs(ds["net_emissions_with_offsets"], net)):
        ax.plot(years, _median(ds["net_emissions_with_offsets"]) / 1000.0, "--", color=OKABE_ITO["bluish green"],
                lw=1.5, label="net emissions, offsets counted" + (" (median)" if "run" in ds.dims else ""))
    ax.axhline(0.0, color="k", lw=0.8, label="_zero")
    if targets and targets["base_year"] in years:
        base_year, year, share = int(targets["base_year"]), int(targets["reduction_year"]), targets["allowed_share"]
        base = float(_median(ds["net_emissions"]).sel(year=base_year)) / 1000.0
        ax.plot([base_year, year], [base, share * base], "k:", lw=1,
                label=f"straight line from {base_year} to the target")
        ax.scatter([year], [share * base], color="k", zorder=3,
                   label=f"{year} target: -{100 * (1 - share):.0f} % vs {base_year}")
        positive = int(targets["climate_positive_year"])
        if positive in years:
            ax.annotate(f"{positive}: climate positive (below zero)", (positive, 0),
                        xytext=(positive - 12, 0.12 * ax.get_ylim()[1]), arrowprops={"arrowstyle": "->"},
                        fontsize=MIN_FONT_PT)
    ax.set_xlabel("year")
    ax.set_ylabel("net emissions, kt CO2e per year")
    ax.set_title(title or f"{ds.attrs.get('municipality', '')}: scenario '{ds.attrs.get('scenario', '')}'")
    if legend:
        ax.legend(loc="upper right")


def budget_label(ds: xr.Dataset) -> str:
    """The carbon budget's version, size (kt CO2) and start year as one line, from the result."""
    size = ds.attrs.get("carbon_budget")
    if size is None and "carbon_budget" in ds and ds["carbon_budget"].ndim == 0:
        size = float(ds["carbon_budget"])
    if size is None:
        return "carbon budget: not in the results"
    version = ds.attrs.get("carbon_budget_version")
    start = ds.attrs.get("carbon_budget_start_year")
    return (f"carbon budget{f' {version}' if version else ''}: {float(size) / 1000.0:,.0f} kt CO2"
            f"{f' from {start}' if start is not None else ''}")


def draw_budget_pathway(ax, ds: xr.Dataset, title: str | None = None, legend: bool = True) -> None:
    """Fossil CO2 of one run, or its median and bands over ``run``, against the carbon-budget pathway.

    The pathway (``budget_pathway``, its median over runs in a batch) spends the budget with a
    constant yearly cut from the start year's fossil CO2; the budget's size, version and start year
    are the title's second line (above the axes, where they hide no line). ``legend=False`` leaves
    the legend to the caller.
    """
    years = ds["year"].values
    _fan(ax, years, ds["fossil_co2"] / 1000.0, OKABE_ITO["vermillion"], "fossil CO2")
    if "budget_pathway" in ds:
        ax.plot(years, _median(ds["budget_pathway"]) / 1000.0, "--", color="k", lw=1.5,
                label="budget pathway, constant yearly cut" + (", median" if "run" in ds.dims else ""))
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("year")
    ax.set_ylabel("fossil CO2, kt CO2 per year")
    ax.set_title((title or f"{ds.attrs.get('municipality', '')}: scenario '{ds.attrs.get('scenario', '')}', "
                           "fossil CO2 and the carbon budget") + "\n" + budget_label(ds))
    if legend:
        ax.legend(loc="upper right")


def plot_net_emissions(ds: xr.Dataset, path: str | Path) -> Path:
    """Net emissions against the targets and fossil CO2 against the budget pathway, one column per scenario.

    One run, or fan charts over ``run``: the net emissions on the first row, the fossil CO2 and
    the budget pathway on their own axis below (t CO2, not CO2e).

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
        fig, axes = plt.subplots(2, len(names), figsize=(PRINT_WIDTH_IN * len(names), 8.5), dpi=120,
                                 sharey="row", squeeze=False)
        for column, name in enumerate(names):
            one = ds if name is None else ds.sel(scenario=name)
            label = None if name is None else f"{ds.attrs.get('municipality', '')}: scenario '{name}'"
            draw_net_emissions(axes[0, column], one, label)
            draw_budget_pathway(axes[1, column], one, None if label is None else f"{label}, fossil CO2")
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
    return path
