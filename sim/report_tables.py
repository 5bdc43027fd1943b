"""The HTML report's tables: the targets, their probabilities, costs and abatement by lever, paired differences.

Tables have one column per scenario and one row per measure, so they fit the page whatever the
number of measures; each row's label names its statistic and its units, and the cells hold numbers
only. Every text from the result is escaped.
"""
from __future__ import annotations

import html

import numpy as np
import xarray as xr

from .report import budget_label, targets_of
from .summary import target_labels
from .words import words


def table(columns: list[str], rows: list[tuple[str, list[str]]], text_columns: int = 0) -> str:
    """An HTML table: a header of ``columns`` (escaped) and rows of (label, cells); labels escaped, cells not.

    The first ``text_columns`` cells of a row are text, aligned left; the others numbers, aligned right.
    """
    head = "".join(f"<th class=text>{html.escape(c)}</th>" if i <= text_columns else f"<th>{html.escape(c)}</th>"
                   for i, c in enumerate(columns))
    body = "".join(f"<tr><th scope=row>{html.escape(label)}</th>"
                   + "".join(f"<td class=text>{c}</td>" if i < text_columns else f"<td>{c}</td>"
                             for i, c in enumerate(cells)) + "</tr>" for label, cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def targets_definition(ds: xr.Dataset) -> str:
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
    items = [(f"<b>Reduction target</b>: net emissions in {year} at most {100 * share:.0f} % of {base}'s "
             f"(-{100 * (1 - share):.0f} %). <i>Without compensation</i>: net emissions (territorial emissions less "
             f"removals and storage on the municipality's land). <i>With compensation</i>: {compensation}."),
             (f"<b>Climate positive</b>: net emissions below zero in {positive}, without and with compensation "
             "as above."),
             f"<b>Consumption goal</b>: {consumption}.",
             (f"<b>Budget</b>: {html.escape(budget_label(ds))}; within the budget when cumulative fossil "
             "CO2 at the last year does not exceed it.")]
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _scenario_columns(names) -> list[str]:
    return [words(n) for n in names]


def summary_table(ds: xr.Dataset) -> str:
    """The probability of each target, the year the budget is spent and net emissions in the target year."""
    label = target_labels(ds)
    last = int(ds["year"].values[-1])
    rows = [(f"reduction target {label['reduction']}, without compensation: probability (%)", "prob_target_2030"),
            (f"reduction target {label['reduction']}, with compensation: probability (%)",
             "prob_target_2030_with_compensation"),
            (f"climate positive {label['positive_year']}, without compensation: probability (%)",
             "prob_climate_positive_2045"),
            (f"climate positive {label['positive_year']}, with compensation: probability (%)",
             "prob_climate_positive_2045_with_compensation"),
            ("consumption goal: probability (%)", "prob_consumption_target"),
            ("within the carbon budget: probability (%)", "prob_within_budget"),
            ("carbon budget spent: median year", "budget_exhausted_year_median"),
            (f"net emissions {label['year']}: median (kt CO2e/yr)", "net_emissions_2030_median"),
            (f"net emissions {label['year']}: 5th percentile (kt CO2e/yr)", "net_emissions_2030_p05"),
            (f"net emissions {label['year']}: 95th percentile (kt CO2e/yr)", "net_emissions_2030_p95"),
            ("runs finished", "runs_done")]
    done = ds["runs_done"].values

    def cell(key: str, s: int) -> str:
        v = float(ds[key].values[s])
        if np.isnan(v):
            return f"not spent by {last}" if key == "budget_exhausted_year_median" and done[s] > 0 else "n/a"
        return (f"{100 * v:.1f}" if key.startswith("prob") else f"{v / 1e3:,.1f}" if key.startswith("net")
                else f"{v:.0f}")

    body = [(title, [cell(key, s) for s in range(ds.sizes["scenario"])]) for title, key in rows]
    return ("<p class=note>Probabilities are shares of the finished runs in which the target year lies in the "
            "horizon.</p>" + table(["measure", *_scenario_columns(ds["scenario"].values)], body))


def _lever_rows(ds: xr.Dataset) -> list[tuple[str, xr.DataArray, float, str]]:
    """(label, total over years per (scenario, run), scale, unit) of the lever-related outcomes the engine reports."""
    def total(name: str, *dims: str) -> xr.DataArray:
        return ds[name].sum(("year",) + dims, min_count=1)

    rows = []
    if "costs" in ds:
        rows += [(f"cost paid by {words(p)}", ds["costs"].sel(payer=p).sum("year", min_count=1), 1e-6, "MSEK")
                 for p in ds["payer"].values]
    if "grant_spend" in ds:
        rows.append(("climate grants paid", total("grant_spend"), 1e-6, "MSEK"))
    if "grant_abatement" in ds:
        rows.append(("grant abatement, additional", total("grant_abatement"), 1e-3, "kt CO2e"))
    if "removals" in ds:
        rows += [(f"removals, {words(s)}", ds["removals"].sel(sink=s).sum("year", min_count=1), 1e-3, "kt CO2e")
                 for s in ds["sink"].values]
    if "delivered_reduction" in ds:
        rows.append(("pledges: delivered reduction", total("delivered_reduction"), 1e-3, "kt CO2e"))
    rows.append(("net emissions", total("net_emissions"), 1e-3, "kt CO2e"))
    return rows


def levers_table(ds: xr.Dataset) -> str:
    """Median totals over the horizon of costs by payer and of the levers' recorded effects, per scenario."""
    first, last = int(ds["year"].values[0]), int(ds["year"].values[-1])
    names = [str(n) for n in ds["scenario"].values]
    body = [(f"{label}: median total {first}-{last} ({unit})",
             [f"{float(values.sel(scenario=n).median('run')) * scale:,.1f}" for n in names])
            for label, values, scale, unit in _lever_rows(ds)]
    note = (f"<p class=note>Medians over runs of totals {first}-{last}. Costs are reported by payer; the grant "
            "programme, removals and pledges are the levers whose own effect the engine records; other levers "
            "act through adoption and show in the paired differences.</p>")
    return note + table(["measure", *_scenario_columns(names)], body)


def paired_table(ds: xr.Dataset) -> str:
    """Each scenario against the first, run by run: emissions avoided, runs with less emitted, cost per tonne."""
    names = [str(n) for n in ds["scenario"].values]
    net = ds["net_emissions"].sum("year", min_count=1)
    cost = ds["costs"].sum(("year", "payer"), min_count=1) if "costs" in ds else None
    columns = []
    for name in names[1:]:
        avoided = (net.sel(scenario=names[0]) - net.sel(scenario=name)) / 1e3
        cells = [f"{float(avoided.median('run')):,.1f}",
                 f"{float(avoided.quantile(0.05, 'run')):,.1f} to {float(avoided.quantile(0.95, 'run')):,.1f}",
                 f"{100 * float((avoided > 0).mean('run')):.0f}"]
        if cost is not None:
            extra = (cost.sel(scenario=name) - cost.sel(scenario=names[0])) / 1e6
            per_t = extra * 1e6 / (avoided * 1e3)
            cells += [f"{float(extra.median('run')):,.1f}",
                      f"{float(per_t.where(avoided > 0).median('run')):,.0f}" if bool((avoided > 0).any()) else "n/a"]
        columns.append(cells)
    labels = ["emissions avoided: median (kt CO2e)", "emissions avoided: 5-95 % (kt CO2e)",
              "runs with less emitted (%)"]
    if cost is not None:
        labels += ["extra cost: median (MSEK)", "cost per tonne avoided: median (SEK/t CO2e)"]
    body = [(label, [c[i] for c in columns]) for i, label in enumerate(labels)]
    return ("<p class=note>Run i of every scenario shares its sample and seed, so these are run-by-run "
            "differences over the whole horizon: the effect of the levers, not noise.</p>"
            + table(["measure", *_scenario_columns(names[1:])], body))
