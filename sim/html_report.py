"""One self-contained HTML report of a batch: figures embedded as PNG, tables inline, no external files.

Sections: the targets as the municipality defines them (with and without compensation, the
consumption goal, the carbon budget) and their probabilities; net-emission fan charts against the
targets; fossil CO2 against the carbon-budget pathway on its own axis, and the share of runs on
or below the pathway; the scenarios side by side; the sector breakdown; adoption curves; the pledge gap;
costs and abatement by lever (as far as the engine reports them) with paired differences against
the first scenario, which common random numbers make run-by-run comparable.
"""
from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from .report import budget_label, draw_budget_pathway, draw_net_emissions, plain_text, pyplot, targets_of
from .summary import target_labels

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{max-width:100%}
.note{color:#555;font-size:90%}pre{background:#f7f7f7;padding:.5em;overflow-x:auto;font-size:80%}"""


def write_report(ds: xr.Dataset, path: str | Path) -> Path:
    """Write the HTML report of a batch result (see the module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`sim.run_batch` (or :func:`sim.open_results`).
    path : str or Path
        The ``.html`` file to write.
    """
    if "scenario" not in ds.dims or "run" not in ds.dims:
        raise ValueError(f"{path}: field 'results': allowed a batch result with dimensions scenario and run; "
                         f"given dimensions {list(ds.dims)}")
    with plain_text():
        page = _page(ds)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _attr(ds: xr.Dataset, name: str, default: str = "") -> str:
    """A store attribute as HTML text: every attribute is the store's, not ours, so it is escaped."""
    return html.escape(str(ds.attrs.get(name, default)))


def _page(ds: xr.Dataset) -> str:
    """The report's HTML; figures drawn by the caller's matplotlib settings."""
    plt = pyplot()
    names = [str(n) for n in ds["scenario"].values]
    parts = [f"<h1>{_attr(ds, 'title', 'sim batch')}</h1>",
             (f"<p class=note>{_attr(ds, 'history')}<br>{ds.sizes['run']} runs per scenario, "
              f"seed {_attr(ds, 'seed')}, sampler {_attr(ds, 'sampler')}, common random numbers across "
              f"scenarios. Report written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>"),
             "<h2>Targets</h2>", _targets_definition(ds), _summary_table(ds)]
    if "done" in ds and not ds["done"].values.all():
        parts.insert(2, f"<p><b>Incomplete batch:</b> {int(ds['done'].sum())} of {ds['done'].size} runs "
                        "finished; figures show the finished runs.</p>")

    fig, axes = plt.subplots(len(names), 1, figsize=(9, 4.5 * len(names)), dpi=100, sharey=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        draw_net_emissions(ax, ds.sel(scenario=name), f"scenario '{name}': net emissions, median and bands")
    parts += ["<h2>Net emissions against the targets</h2>", _embed(fig, plt)]

    fig, axes = plt.subplots(len(names), 1, figsize=(9, 4 * len(names)), dpi=100, sharey=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        draw_budget_pathway(ax, ds.sel(scenario=name), f"scenario '{name}': fossil CO2 and the budget pathway")
    parts += ["<h2>Carbon budget pathway</h2>",
              (f"<p class=note>{html.escape(budget_label(ds))}. The pathway spends the budget with one constant "
               "yearly cut from the start year's fossil CO2 (E0 (1 - r)^k with r = E0 / budget); fossil CO2 is "
               "territorial CO2 only, in t CO2, not CO2e.</p>"), _embed(fig, plt),
              _embed(_share_on_pathway(ds, names, plt), plt)]

    parts += ["<h2>Scenarios side by side</h2>", _embed(_side_by_side(ds, names, plt), plt)]
    parts += ["<h2>Emissions by sector</h2>", _embed(_sectors(ds, names, plt), plt)]
    adoption = _adoption(ds, names, plt)
    if adoption is not None:
        parts += ["<h2>Adoption</h2>", _embed(adoption, plt)]
    if {"pledged_reduction", "delivered_reduction"} <= set(ds.data_vars):
        parts += ["<h2>Pledge gap</h2>", ("<p class=note>Reduction pledged organisations committed to, minus "
                                          "what they delivered because of the pledge (their emissions in the "
                                          "same run without the pledge effect, minus in the run).</p>"),
                  _embed(_pledges(ds, names, plt), plt)]
    parts += ["<h2>Costs and abatement by lever</h2>", _levers_table(ds, names)]
    if len(names) > 1:
        parts += [f"<h3>Paired differences against '{html.escape(names[0])}'</h3>", _paired_table(ds, names)]
    if "scenario_text" in ds:
        parts.append("<h2>Scenario files</h2>")
        parts += [f"<h3>{html.escape(n)}</h3><pre>{html.escape(str(t))}</pre>"
                  for n, t in zip(names, ds["scenario_text"].values)]
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_attr(ds, 'title', 'sim')}"
            f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")


def _embed(fig, plt) -> str:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return f"<img alt='figure' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"


def _band(ax, years, values: xr.DataArray, color, label, scale=1.0):
    ax.fill_between(years, values.quantile(0.05, "run") * scale, values.quantile(0.95, "run") * scale,
                    color=color, alpha=0.2, lw=0)
    ax.plot(years, values.median("run") * scale, color=color, lw=2, label=label)


def _side_by_side(ds, names, plt):
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    years = ds["year"].values
    for k, name in enumerate(names):
        _band(ax, years, ds["net_emissions"].sel(scenario=name), f"C{k}", f"{name}: median, 5-95 %", 1e-3)
    first = ds["net_emissions"].isel(scenario=0).median("run")
    targets = targets_of(ds)
    if targets and targets["base_year"] in years:
        base = float(first.sel(year=int(targets["base_year"]))) / 1e3
        ax.scatter([targets["reduction_year"]], [targets["allowed_share"] * base], color="k", zorder=3,
                   label=f"{target_labels(ds)['reduction']} target")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("net emissions, kt CO2e per year")
    ax.set_xlabel("year")
    ax.legend(fontsize=8)
    return fig


def _sectors(ds, names, plt):
    fig, axes = plt.subplots(1, len(names), figsize=(5.5 * len(names), 4), dpi=100, sharey=True, squeeze=False)
    years = ds["year"].values
    for ax, name in zip(axes[0], names):
        mean = ds["emissions"].sel(scenario=name).mean("run") / 1e3
        ax.stackplot(years, mean.transpose("sector", "year").values, labels=list(ds["sector"].values))
        ax.set_title(f"{name}: mean over runs")
        ax.set_xlabel("year")
    axes[0, 0].set_ylabel("kt CO2e per year")
    axes[0, -1].legend(fontsize=7, loc="upper right")
    return fig


def _adoption(ds, names, plt):
    panels = []
    if "car_fleet" in ds:
        fleet = ds["car_fleet"]
        panels.append(("electric cars (BEV + PHEV), share of fleet",
                       fleet.sel(fuel=["bev", "phev"]).sum("fuel") / fleet.sum("fuel")))
    if "heating_systems" in ds:
        heat = ds["heating_systems"]
        panels.append(("heat pumps, share of households", heat.sel(system="heat_pump") / heat.sum("system")))
    if "pledges" in ds:
        panels.append(("organisations with a climate pledge", ds["pledges"].sel(
            actor_kind=["firm", "municipal_unit"]).sum("actor_kind")))
    if "firm_energy_step" in ds:
        steps = ds["firm_energy_step"]
        panels.append(("firms on energy step 1 or higher, share", 1 - steps.sel(step=0) / steps.sum("step")))
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.8), dpi=100, squeeze=False)
    years = ds["year"].values
    for ax, (title, values) in zip(axes[0], panels):
        for k, name in enumerate(names):
            _band(ax, years, values.sel(scenario=name), f"C{k}", name)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("year")
    axes[0, 0].legend(fontsize=8)
    return fig


def _pledges(ds, names, plt):
    fig, ax = plt.subplots(figsize=(9, 4), dpi=100)
    years = ds["year"].values
    gap = ds["pledged_reduction"] - ds["delivered_reduction"]
    for k, name in enumerate(names):
        _band(ax, years, gap.sel(scenario=name), f"C{k}", f"{name}: pledge gap, median and 5-95 %", 1e-3)
        ax.plot(years, ds["pledged_reduction"].sel(scenario=name).median("run") / 1e3, f"C{k}--", lw=1,
                label=f"{name}: pledged (median)")
    ax.set_ylabel("kt CO2e per year")
    ax.set_xlabel("year")
    ax.legend(fontsize=8)
    return fig


def _share_on_pathway(ds, names, plt):
    fig, ax = plt.subplots(figsize=(9, 3.5), dpi=100)
    years = ds["year"].values
    for k, name in enumerate(names):
        ax.plot(years, 100 * ds["share_on_budget_pathway"].sel(scenario=name), f"C{k}", lw=2, label=name)
    ax.set_ylim(-2, 102)
    ax.set_ylabel("runs on or below the pathway, %")
    ax.set_xlabel("year")
    ax.legend(fontsize=8)
    return fig


def _targets_definition(ds) -> str:
    """The targets as the result's attributes define them (the municipality's ``[targets]``), as HTML.

    Only numbers and fixed text enter the HTML unescaped; the budget's label comes from the store.
    """
    targets = targets_of(ds)
    if targets is None:
        return "<p class=note>The results carry no target definitions (scenarios of different municipalities).</p>"
    base, year, positive = (int(targets[k]) for k in ("base_year", "reduction_year", "climate_positive_year"))
    share = targets["allowed_share"]
    compensation = ("purchased offsets counted, as the contract allows climate compensation toward both targets"
                    if targets["compensation_counts"] else "the targets allow no compensation: equal to the flags "
                    "without")
    goal = ds.attrs.get("target_consumption_goal", "")
    consumption = (f"consumption-based emissions per inhabitant cut from {base} to {year} at least as much, "
                   "relatively, as net territorial emissions" if goal == "same_pace" else "no consumption goal")
    items = [f"<b>Reduction target</b>: net emissions in {year} at most {100 * share:.0f} % of {base}'s "
             f"(-{100 * (1 - share):.0f} %). <i>Without compensation</i>: net emissions (territorial emissions less "
             f"removals and storage on the municipality's land). <i>With compensation</i>: {compensation}.",
             f"<b>Climate positive</b>: net emissions below zero in {positive}, without and with compensation "
             "as above.",
             f"<b>Consumption goal</b>: {consumption}.",
             f"<b>Budget</b>: {html.escape(budget_label(ds))}; within the budget when cumulative fossil "
             "CO2 at the last year does not exceed it."]
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _summary_table(ds) -> str:
    label = target_labels(ds)
    columns = [(f"reduction target {label['reduction']}, without compensation", "prob_target_2030"),
               (f"reduction target {label['reduction']}, with compensation", "prob_target_2030_with_compensation"),
               (f"climate positive {label['positive_year']}, without compensation", "prob_climate_positive_2045"),
               (f"climate positive {label['positive_year']}, with compensation",
                "prob_climate_positive_2045_with_compensation"),
               ("consumption goal", "prob_consumption_target"), ("within the carbon budget", "prob_within_budget"),
               ("carbon budget exhausted (median year)", "budget_exhausted_year_median"),
               (f"net emissions {label['year']}, median", "net_emissions_2030_median"),
               (f"net emissions {label['year']}, 5 %", "net_emissions_2030_p05"),
               (f"net emissions {label['year']}, 95 %", "net_emissions_2030_p95"),
               ("runs", "runs_done")]
    header = "".join(f"<th>{html.escape(title)}</th>" for title, _ in columns)
    rows = []
    for s, name in enumerate(ds["scenario"].values):
        cells = []
        for _, k in columns:
            v = float(ds[k].values[s])
            cells.append("n/a" if np.isnan(v) else f"{100 * v:.1f} %" if k.startswith("prob") else
                         f"{v / 1e3:,.1f} kt CO2e/yr" if k.startswith("net") else f"{v:.0f}")
        rows.append(f"<tr><td>{html.escape(str(name))}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return ("<p class=note>Probabilities over the finished runs in which the target year lies in the horizon.</p>"
            f"<table><tr><th>scenario</th>{header}</tr>{''.join(rows)}</table>")


def _cumulative(ds, name, *dims):
    """Sum over years (and ``dims``) of a variable, per (scenario, run); None if not in the results."""
    if name not in ds:
        return None
    return ds[name].sum(("year",) + dims, min_count=1)


def _lever_columns(ds):
    """(label, per-(scenario, run) DataArray, scale, unit) of the lever-related outcomes the engine reports."""
    columns = []
    if "costs" in ds:
        for payer in ds["payer"].values:
            columns.append((f"cost, {payer}", ds["costs"].sel(payer=payer).sum("year", min_count=1), 1e-6, "MSEK"))
    if "grant_spend" in ds:
        columns.append(("climate grants paid", _cumulative(ds, "grant_spend"), 1e-6, "MSEK"))
    if "grant_abatement" in ds:
        columns.append(("grant abatement, additional", _cumulative(ds, "grant_abatement"), 1e-3, "kt CO2e"))
    if "removals" in ds:
        for sink in ds["sink"].values:
            columns.append((f"removals, {sink.replace('_', ' ')}",
                            ds["removals"].sel(sink=sink).sum("year", min_count=1), 1e-3, "kt CO2e"))
    if "delivered_reduction" in ds:
        columns.append(("pledges: delivered reduction", _cumulative(ds, "delivered_reduction"), 1e-3, "kt CO2e"))
    columns.append(("net emissions", _cumulative(ds, "net_emissions"), 1e-3, "kt CO2e"))
    return columns


def _levers_table(ds, names) -> str:
    first, last = int(ds["year"].values[0]), int(ds["year"].values[-1])
    columns = _lever_columns(ds)
    head = "".join(f"<th>{html.escape(label)} ({unit})</th>" for label, _, _, unit in columns)
    rows = []
    for name in names:
        cells = "".join(f"<td>{float(values.sel(scenario=name).median('run')) * scale:,.1f}</td>"
                        for _, values, scale, _ in columns)
        rows.append(f"<tr><td>{html.escape(name)}</td>{cells}</tr>")
    note = (f"<p class=note>Medians over runs of totals {first}-{last}. Costs are reported by payer; the grant "
            "programme, removals and pledges are the levers whose own effect the engine records; other levers "
            "act through adoption and show in the paired differences.</p>")
    return note + f"<table><tr><th>scenario</th>{head}</tr>{''.join(rows)}</table>"


def _paired_table(ds, names) -> str:
    net = _cumulative(ds, "net_emissions")
    cost = ds["costs"].sum(("year", "payer"), min_count=1) if "costs" in ds else None
    rows = []
    for name in names[1:]:
        avoided = (net.sel(scenario=names[0]) - net.sel(scenario=name)) / 1e3
        cells = [f"{float(avoided.median('run')):,.1f}",
                 f"{float(avoided.quantile(0.05, 'run')):,.1f} - {float(avoided.quantile(0.95, 'run')):,.1f}",
                 f"{100 * float((avoided > 0).mean('run')):.0f} %"]
        if cost is not None:
            extra = (cost.sel(scenario=name) - cost.sel(scenario=names[0])) / 1e6
            per_t = extra * 1e6 / (avoided * 1e3)
            cells += [f"{float(extra.median('run')):,.1f}",
                      f"{float(per_t.where(avoided > 0).median('run')):,.0f}" if bool((avoided > 0).any()) else "n/a"]
        rows.append(f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = ("<th>scenario</th><th>emissions avoided, median (kt CO2e)</th><th>5-95 %</th>"
            "<th>runs with less emitted</th>" + ("<th>extra cost, median (MSEK)</th><th>SEK per t avoided, "
                                                 "median</th>" if cost is not None else ""))
    return ("<p class=note>Run i of every scenario shares its sample and seed, so these are run-by-run "
            "differences: the effect of the levers, not noise.</p>"
            f"<table><tr>{head}</tr>{''.join(rows)}</table>")
