"""The HTML report's figures, each with a text alternative that states its key numbers.

Every figure is at most :data:`~sim.report_style.PRINT_WIDTH_IN` wide, labels every axis with its
units, and has one legend naming every line and band; scenarios differ by colour and line style.
Every statistic over runs is the median (bands 5-95 %), named in the labels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import xarray as xr
from matplotlib.figure import Figure

from .report import draw_budget_pathway, draw_net_emissions, pyplot, targets_of
from .report_style import GREY, OKABE_ITO, PRINT_WIDTH_IN, figure_legend, scenario_style
from .summary import target_labels
from .words import words

PANEL_HEIGHT_IN = 2.9
LEGEND_HEIGHT_IN = 0.9


@dataclass
class Chart:
    """A figure and its text alternative (what it shows, with the key numbers)."""

    fig: Figure
    alt: str


def report_charts(ds: xr.Dataset) -> dict[str, list[Chart]]:
    """The report's figures by section heading (a section only when its variables are in ``ds``)."""
    names = [str(n) for n in ds["scenario"].values]
    sections = {"Net emissions against the targets": [net_emissions_chart(ds, names)],
                "Carbon budget pathway": [budget_chart(ds, names), share_on_pathway_chart(ds, names)],
                "Scenarios side by side": [side_by_side_chart(ds, names)],
                "Emissions by sector": [sectors_chart(ds, names)]}
    adoption = adoption_chart(ds, names)
    if adoption is not None:
        sections["Adoption"] = [adoption]
    if {"pledged_reduction", "delivered_reduction"} <= set(ds.data_vars):
        sections["Pledge gap"] = [pledges_chart(ds, names)]
    return sections


def _figure(rows: int = 1, columns: int = 1, panel_height: float = PANEL_HEIGHT_IN, **kwargs):
    plt = pyplot()
    return plt.subplots(rows, columns, figsize=(PRINT_WIDTH_IN, rows * panel_height + LEGEND_HEIGHT_IN),
                        dpi=100, squeeze=False, layout="constrained", **kwargs)


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def _path_words(values: xr.DataArray, years, unit: str, year: int | None = None) -> str:
    """Median (and 5-95 % at the last year) of a (run, year) variable at its first, last and ``year`` (default
    the middle one)."""
    middle = year if year is not None and year in years else int(years[len(years) // 2])
    picks = sorted({int(years[0]), int(middle), int(years[-1])})
    median = values.median("run")
    last = values.sel(year=picks[-1])
    steps = ", ".join(f"{_number(float(median.sel(year=y)))} in {y}" for y in picks)
    return (f"median {steps} {unit} (5-95 % in {picks[-1]}: {_number(float(last.quantile(0.05, 'run')))} to "
            f"{_number(float(last.quantile(0.95, 'run')))})")


def _reduction_year(ds: xr.Dataset) -> int | None:
    targets = targets_of(ds)
    return int(targets["reduction_year"]) if targets else None


def net_emissions_chart(ds: xr.Dataset, names: list[str]) -> Chart:
    """One panel per scenario: the fan of net emissions against the reduction target and climate positive."""
    fig, axes = _figure(len(names), sharey=True)
    for ax, name in zip(axes[:, 0], names):
        draw_net_emissions(ax, ds.sel(scenario=name), f"{words(name)}: net emissions, median and bands",
                           legend=False)
    figure_legend(fig)
    years, year = ds["year"].values, _reduction_year(ds)
    net = ds["net_emissions"] / 1e3
    text = "; ".join(f"{words(n)}: {_path_words(net.sel(scenario=n), years, 'kt CO2e/yr', year)}" for n in names)
    targets = targets_of(ds)
    goal = ""
    if targets:
        goal = (f" The reduction target is {100 * targets['allowed_share']:.0f} % of {int(targets['base_year'])}'s net "
                f"emissions in {int(targets['reduction_year'])}; climate positive means below zero in "
                f"{int(targets['climate_positive_year'])}.")
    return Chart(fig, f"Fan charts of net emissions, kt CO2e per year, one panel per scenario. {text}.{goal}")


def budget_chart(ds: xr.Dataset, names: list[str]) -> Chart:
    """One panel per scenario: fossil CO2 (t CO2, not CO2e) against the carbon-budget pathway."""
    fig, axes = _figure(len(names), sharey=True)
    for ax, name in zip(axes[:, 0], names):
        draw_budget_pathway(ax, ds.sel(scenario=name), f"{words(name)}: fossil CO2 and the budget pathway",
                            legend=False)
    figure_legend(fig)
    years = ds["year"].values
    text = "; ".join(f"{words(n)}: fossil CO2 {_path_words(ds['fossil_co2'].sel(scenario=n) / 1e3, years, 'kt CO2/yr')}"
                     for n in names)
    return Chart(fig, f"Fossil CO2 against the carbon-budget pathway, kt CO2 per year, one panel per scenario. {text}.")


def share_on_pathway_chart(ds: xr.Dataset, names: list[str]) -> Chart:
    """Per scenario, the share of runs whose fossil CO2 is on or below the budget pathway, by year."""
    fig, axes = _figure()
    ax = axes[0, 0]
    years = ds["year"].values
    share = 100 * ds["share_on_budget_pathway"]
    for k, name in enumerate(names):
        ax.plot(years, share.sel(scenario=name), alpha=0.9, label=words(name), **scenario_style(k))
    ax.set_ylim(-2, 102)
    ax.set_ylabel("runs on or below the pathway, %")
    ax.set_xlabel("year")
    ax.set_title("Share of runs on or below the budget pathway")
    figure_legend(fig)
    last = int(years[-1])
    text = "; ".join(f"{words(n)}: {_number(float(share.sel(scenario=n, year=last)))} % in {last}" for n in names)
    return Chart(fig, f"Share of runs with fossil CO2 on or below the carbon-budget pathway, per cent, by year. "
                      f"{text}.")


def _band(ax, years, values: xr.DataArray, k: int, label: str) -> None:
    """Median line and 5-95 % band over runs in the ``k``-th scenario's style; the band is named in the legend."""
    style = scenario_style(k)
    ax.fill_between(years, values.quantile(0.05, "run"), values.quantile(0.95, "run"), color=style["color"],
                    alpha=0.18, lw=0, label=f"{label}, 5-95 %")
    ax.plot(years, values.median("run"), alpha=0.9, label=f"{label}, median", **style)


def side_by_side_chart(ds: xr.Dataset, names: list[str]) -> Chart:
    """Every scenario's net emissions on one axis, with the reduction target of the first scenario's median."""
    fig, axes = _figure(panel_height=3.4)
    ax = axes[0, 0]
    years = ds["year"].values
    net = ds["net_emissions"] / 1e3
    for k, name in enumerate(names):
        _band(ax, years, net.sel(scenario=name), k, words(name))
    targets = targets_of(ds)
    goal = ""
    if targets and targets["base_year"] in years:
        base = float(net.isel(scenario=0).median("run").sel(year=int(targets["base_year"])))
        value = targets["allowed_share"] * base
        ax.scatter([targets["reduction_year"]], [value], color="k", zorder=3,
                   label=f"{target_labels(ds)['reduction']} target")
        goal = f" The {target_labels(ds)['reduction']} target is {_number(value)} kt CO2e/yr."
    ax.axhline(0, color="k", lw=0.8, label="_zero")
    ax.set_ylabel("net emissions, kt CO2e per year")
    ax.set_xlabel("year")
    ax.set_title("Net emissions of every scenario")
    figure_legend(fig)
    text = "; ".join(f"{words(n)}: {_path_words(net.sel(scenario=n), years, 'kt CO2e/yr', _reduction_year(ds))}"
                     for n in names)
    return Chart(fig, f"Net emissions of all scenarios on one axis, kt CO2e per year, median and 5-95 % band. "
                      f"{text}.{goal}")


SECTOR_COLOURS = tuple(OKABE_ITO[c] for c in ("blue", "orange", "sky blue", "bluish green", "yellow",
                                              "vermillion", "reddish purple", "black"))
SECTOR_HATCHES = ("", "//", "", "\\\\", "", "..", "", "xx")


def sectors_chart(ds: xr.Dataset, names: list[str]) -> Chart:
    """One panel per scenario: each sector's median emissions over runs, stacked."""
    fig, axes = _figure(len(names), sharey=True, panel_height=2.6)
    years = ds["year"].values
    sectors = [str(s) for s in ds["sector"].values]
    last = int(years[-1])
    summary = []
    for ax, name in zip(axes[:, 0], names):
        median = ds["emissions"].sel(scenario=name).median("run") / 1e3
        areas = ax.stackplot(years, median.transpose("sector", "year").values, labels=[words(s) for s in sectors],
                             colors=SECTOR_COLOURS[:len(sectors)], edgecolor="white", lw=0.3)
        for area, hatch in zip(areas, SECTOR_HATCHES):
            area.set_hatch(hatch)
        ax.set_title(f"{words(name)}: median of each sector over runs")
        ax.set_xlabel("year")
        ax.set_ylabel("kt CO2e per year")
        top = median.sel(year=int(years[0])).to_series().sort_values(ascending=False)
        summary.append(f"{words(name)}: sectors' medians add up to {_number(float(median.sel(year=last).sum()))} kt "
                       f"in {last}; largest in "
                       f"{int(years[0])} {', '.join(f'{words(s)} {_number(v)} kt' for s, v in top.iloc[:3].items())}")
    figure_legend(fig, columns=4)
    return Chart(fig, f"Stacked emissions by sector, kt CO2e per year, median over runs of each sector, one panel per "
                      f"scenario. {'; '.join(summary)}.")


def _adoption_panels(ds: xr.Dataset) -> list[tuple[str, str, xr.DataArray]]:
    """(title, y-axis label with units, values per (scenario, run, year)) of each adoption measure in ``ds``."""
    panels = []
    if "car_fleet" in ds:
        fleet = ds["car_fleet"]
        panels.append(("Electric cars (BEV + PHEV)", "share of the car fleet, %",
                       100 * fleet.sel(fuel=["bev", "phev"]).sum("fuel") / fleet.sum("fuel")))
    if "heating_systems" in ds:
        heat = ds["heating_systems"]
        panels.append(("Heat pumps", "share of households, %", 100 * heat.sel(system="heat_pump") / heat.sum("system")))
    if "firm_energy_step" in ds:
        steps = ds["firm_energy_step"]
        panels.append(("Firms on energy step 1 or higher", "share of firms, %",
                       100 * (1 - steps.sel(step=0) / steps.sum("step"))))
    if "pledges" in ds:
        panels.append(("Organisations with a climate pledge", "organisations (count)",
                       ds["pledges"].sel(actor_kind=["firm", "municipal_unit"]).sum("actor_kind")))
    return panels


def adoption_chart(ds: xr.Dataset, names: list[str]) -> Chart | None:
    """A grid of adoption panels, each on its own axis with its units (shares in %, counts apart)."""
    panels = _adoption_panels(ds)
    if not panels:
        return None
    rows = (len(panels) + 1) // 2
    fig, axes = _figure(rows, 2 if len(panels) > 1 else 1, panel_height=2.5)
    years = ds["year"].values
    summary = []
    for ax, (title, ylabel, values) in zip(axes.flat, panels):
        for k, name in enumerate(names):
            _band(ax, years, values.sel(scenario=name), k, words(name))
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("year")
        unit = "%" if "%" in ylabel else " organisations"
        summary.append(f"{title}, {int(years[-1])}: " + ", ".join(
            f"{words(n)} {_number(float(values.sel(scenario=n, year=int(years[-1])).median('run')))}{unit}"
            for n in names))
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    figure_legend(fig)
    return Chart(fig, f"Adoption by year, median and 5-95 % band over runs, one panel per measure. "
                      f"{'; '.join(summary)} (medians).")


def pledges_chart(ds: xr.Dataset, names: list[str]) -> Chart:
    """The pledge gap (pledged minus delivered reduction) and the pledged reduction, per scenario."""
    fig, axes = _figure(panel_height=3.2)
    ax = axes[0, 0]
    years = ds["year"].values
    gap = (ds["pledged_reduction"] - ds["delivered_reduction"]) / 1e3
    pledged = ds["pledged_reduction"] / 1e3
    for k, name in enumerate(names):
        _band(ax, years, gap.sel(scenario=name), k, f"{words(name)}: pledge gap")
        ax.plot(years, pledged.sel(scenario=name).median("run"), lw=1, color=scenario_style(k)["color"],
                linestyle=(0, (1, 1.5)), label=f"{words(name)}: pledged reduction, median")
    ax.axhline(0, color=GREY, lw=0.8, label="_zero")
    ax.set_ylabel("kt CO2e per year")
    ax.set_xlabel("year")
    ax.set_title("Pledge gap: pledged minus delivered reduction")
    figure_legend(fig)
    last = int(years[-1])
    text = "; ".join(f"{words(n)}: pledged {_number(float(pledged.sel(scenario=n, year=last).median('run')))}, gap "
                     f"{_number(float(gap.sel(scenario=n, year=last).median('run')))} kt CO2e/yr in {last} (medians)"
                     for n in names)
    return Chart(fig, f"Pledge gap, kt CO2e per year, median and 5-95 % band, with the pledged reduction. {text}.")
