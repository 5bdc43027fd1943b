"""The cities side by side: which municipalities are on track for their targets (a table and an HTML section).

For each scenario of a batch, one row per municipality: the probability of each target (the reduction
target and climate positive, without and with compensation; staying within the carbon budget), net
emissions in the reduction year against the city's own target pathway (the median over runs of net
emissions as a share of the base year's, beside the share the target allows) and per inhabitant.
Rows are sorted by the probability of the reduction target, then by the median share: the cities on
track come first. Each city's targets and their source key come from its data (``[targets]``); the section
says which cities carry which targets and that cars count where their owners are registered.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import xarray as xr

COLUMNS = {
    "inhabitants": "inhabitants in the start year",
    "p_reduction": "probability of the reduction target without compensation",
    "p_reduction_c": "probability of the reduction target counting compensation",
    "p_positive": "probability of climate positive without compensation",
    "p_positive_c": "probability of climate positive counting compensation",
    "p_budget": "probability of staying within the carbon budget",
    "base_year": "base year of the reduction target",
    "reduction_year": "year of the reduction target",
    "net_share_median": "median over runs of net emissions in the reduction year / those of the base year",
    "allowed_share": "share of the base year's net emissions the target allows in the reduction year",
    "net_kt_median": "median net emissions in the reduction year (kt CO2e/yr)",
    "net_per_capita_median": "median net emissions per inhabitant in the reduction year (t CO2e/yr)",
    "on_track": "the median run meets the reduction target (net share at or below the allowed share)",
    "target_source": "source key of the city's targets (calibration/data/SOURCES.md)",
}
"""Columns of :func:`city_table` and their meanings."""


def _target(ds: xr.Dataset, key: str) -> float | str:
    """A target field of one case: its variable (municipalities with different targets) or the attribute."""
    value = ds[key].values[()] if key in ds.data_vars else ds.attrs[key]
    return str(value) if key == "target_source" else float(value)


def _row(case: xr.Dataset) -> dict[str, float | str]:
    base, year = int(_target(case, "target_base_year")), int(_target(case, "target_reduction_year"))
    net = case["net_emissions"]
    years = {int(y) for y in case["year"].values}
    if {base, year} <= years:
        share = float(np.nanmedian(net.sel(year=year).values / net.sel(year=base).values))
        at_year = net.sel(year=year).values
    else:
        share, at_year = np.nan, np.full(net.sizes["run"], np.nan)
    allowed = _target(case, "target_allowed_share")
    return {"inhabitants": float(case["inhabitants"].values),
            "p_reduction": float(case["prob_target_2030"].values),
            "p_reduction_c": float(case["prob_target_2030_with_compensation"].values),
            "p_positive": float(case["prob_climate_positive_2045"].values),
            "p_positive_c": float(case["prob_climate_positive_2045_with_compensation"].values),
            "p_budget": float(case["prob_within_budget"].values),
            "base_year": base, "reduction_year": year, "net_share_median": share, "allowed_share": allowed,
            "net_kt_median": float(np.nanmedian(at_year)) / 1e3 if np.isfinite(at_year).any() else np.nan,
            "net_per_capita_median": (float(np.nanmedian(at_year)) / float(case["inhabitants"].values)
                                      if np.isfinite(at_year).any() else np.nan),
            "on_track": bool(share <= allowed) if np.isfinite(share) else False,
            "target_source": _target(case, "target_source")}


def city_table(ds: xr.Dataset, scenario: str | None = None) -> pd.DataFrame:
    """One row per municipality of a batch result under one scenario, the cities on track first.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`sim.run_batch` or :func:`sim.open_results`, with or without a
        ``municipality`` dimension.
    scenario : str, optional
        Default the first scenario.

    Returns
    -------
    pandas.DataFrame
        Indexed by municipality, the columns of :data:`COLUMNS`, sorted by ``p_reduction`` (descending),
        then ``net_share_median`` (ascending).
    """
    name = str(ds["scenario"].values[0]) if scenario is None else scenario
    one = ds.sel(scenario=name)
    if "municipality" not in one.dims:
        cities = {str(ds.attrs.get("municipality", "municipality")): one}
    else:
        cities = {str(m): one.sel(municipality=m) for m in one["municipality"].values
                  if isinstance(one["scenario_hash"].sel(municipality=m).values[()], str)}  # NaN: not run
    table = pd.DataFrame([_row(case) for case in cities.values()], index=pd.Index(list(cities), name="municipality"))
    return table.sort_values(["p_reduction", "net_share_median"], ascending=[False, True], na_position="last")


def _pct(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{100 * value:.0f} %"


HEADING = "The cities side by side"

CARS_CAVEAT = ("Cars count where their owner is registered (Trafikanalys), so leasing and company fleets inflate the "
               "cars of some cities (Lund, Stockholm, Nacka): their 2020 transport emissions are SMHI's, but spread "
               "over too many cars, each driven too few kilometres, which understates what running costs weigh in "
               "a car owner's choice there (calibration/data/SOURCES.md, \"Contract cities\").")
"""The caveat printed wherever the cities are compared (the report's section; the notebook says the same)."""


def city_section(ds: xr.Dataset) -> tuple[str, str]:
    """The report section comparing the cities of a batch, one table per scenario.

    Parameters
    ----------
    ds : xarray.Dataset
        A batch result (see :func:`city_table`).

    Returns
    -------
    (str, str)
        The heading and the HTML body, as ``sim.html_report.write_report(extra_sections=...)`` takes them.
    """
    parts = ["<div id=cities>",
             ("<p class=note>Per municipality: the probability of each target over the runs; net emissions in the "
              "reduction year as a share of the base year's (median over runs) beside the share the city's "
              "target allows; median net emissions and per inhabitant. Sorted by the probability of the reduction "
              "target: the cities on track come first. +c: counting purchased offsets.</p>"),
             f"<p class=note>{html.escape(CARS_CAVEAT)}</p>"]
    head = ("municipality", "inhabitants", "P(reduction)", "P(reduction +c)", "P(climate positive)",
            "P(climate positive +c)", "P(budget)", "net share (median)", "allowed", "net kt CO2e/yr",
            "t CO2e per inhabitant", "on track")
    sources: dict[str, str] = {}
    for name in ds["scenario"].values:
        table = city_table(ds, str(name))
        parts.append(f"<h3>Scenario {html.escape(str(name))}</h3><table><tr>"
                     + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
        for city, row in table.iterrows():
            cells = (html.escape(str(city)), f"{row.inhabitants:,.0f}", _pct(row.p_reduction), _pct(row.p_reduction_c),
                     _pct(row.p_positive), _pct(row.p_positive_c), _pct(row.p_budget),
                     f"{_pct(row.net_share_median)} ({int(row.reduction_year)})", _pct(row.allowed_share),
                     "n/a" if not np.isfinite(row.net_kt_median) else f"{row.net_kt_median:,.1f}",
                     "n/a" if not np.isfinite(row.net_per_capita_median) else f"{row.net_per_capita_median:.2f}",
                     "yes" if row.on_track else "no")
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
        sources.update(table["target_source"].to_dict())
    by_source: dict[str, list[str]] = {}
    for city, source in sources.items():
        by_source.setdefault(source, []).append(city)
    parts.append("<p class=note>Each city is judged against the targets of its data folder (<code>[targets]</code>); "
                 "where the data hold no target of the city's own, the initiative's shared goal, an assumption "
                 "(T1 in calibration/data/SOURCES.md). Source of the targets: "
                 + "; ".join(f"{html.escape(source)}: {html.escape(', '.join(sorted(cities)))}"
                             for source, cities in sorted(by_source.items())) + ".</p>")
    parts.append("</div>")
    return HEADING, "\n".join(parts)
