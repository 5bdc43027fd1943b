"""The investment plan as HTML: the per-lever table and the marginal abatement cost curve.

:func:`plan_section` is the plan's part of a page (for the batch report too); :func:`write_plan_report`
writes it as a page of its own. The curve has one bar per lever: its width the tonnes the lever avoids
over the appraisal period (median over runs), its height the median cost per tonne, sorted from the
cheapest; a lever that saves money goes below zero. Levers without a finite, nonzero cost per tonne are
listed under the curve with the reason.
"""
from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import xarray as xr

from .html_report import STYLE, _attr, _embed
from .report import plain_text, pyplot

COSTS, SAVES = "#0072B2", "#009E73"
"""Bar colours (Okabe-Ito, safe for colour-blind readers): a lever that costs, one that saves money."""

_ATTRIBUTION_TEXT = {"alone": "added alone to the baseline", "removed": "taken out of the full package"}


def _median(ds: xr.Dataset, name: str, **where) -> xr.DataArray:
    return ds[f"{name}_summary"].sel(statistic="median", **where)


def _band(ds: xr.Dataset, name: str, scale: float, digits: int, **where) -> str:
    """``median (p05 to p95)`` of a summarised variable, scaled, as text."""
    s = ds[f"{name}_summary"].sel(**where)
    m, lo, hi = (float(s.sel(statistic=k)) * scale for k in ("median", "p05", "p95"))
    if np.isnan(m):
        return "n/a"
    return f"{m:,.{digits}f} ({lo:,.{digits}f} to {hi:,.{digits}f})"


def draw_cost_curve(ax, ds: xr.Dataset, attribution: str = "alone") -> list[str]:
    """Draw the marginal abatement cost curve of a plan on ``ax``; return the levers left out.

    Parameters
    ----------
    ax : matplotlib Axes
    ds : xarray.Dataset
        A result of :func:`sim.plan.investment_plan`.
    attribution : {"alone", "removed"}
        Each lever added alone to the baseline, or taken out of the package.
    """
    reasons = ds["no_cost_reason"].sel(attribution=attribution)
    shown = [str(lever) for lever in ds["lever"].values if not str(reasons.sel(lever=lever).values)]
    per_t = {lever: float(_median(ds, "cost_per_tonne", attribution=attribution, lever=lever)) for lever in shown}
    shown.sort(key=per_t.get)
    left = 0.0
    for lever in shown:
        width = float(_median(ds, "cumulative_abatement_2045", attribution=attribution, lever=lever)) / 1e3
        height = per_t[lever]
        ax.bar(left, height, width=width, align="edge", color=COSTS if height > 0 else SAVES, edgecolor="white")
        ax.annotate(lever.replace("_", " "), (left + width / 2, height), rotation=90, fontsize=7,
                    ha="center", va="bottom" if height > 0 else "top", xytext=(0, 3 if height > 0 else -3),
                    textcoords="offset points")
        left += width
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlim(0, max(left, 1.0))
    heights = [per_t[lever] for lever in shown] or [0.0]
    span = max(max(heights), 0.0) - min(min(heights), 0.0) or 1.0
    ax.set_ylim(min(min(heights), 0.0) - 0.45 * span * (min(heights) < 0), max(max(heights), 0.0) + 0.45 * span)
    ax.set_xlabel(f"emissions avoided {ds.attrs.get('appraisal_period', '')}, kt CO2e (median; bar width)")
    ax.set_ylabel("net cost per tonne avoided, SEK/t CO2e (median)")
    ax.set_title(f"Marginal abatement cost curve: each lever {_ATTRIBUTION_TEXT[attribution]}", fontsize=10)
    return [str(lever) for lever in ds["lever"].values if str(lever) not in shown]


def _lever_table(ds: xr.Dataset) -> str:
    payers = [str(p) for p in ds["payer"].values]
    head = ("<tr><th>lever</th><th>baseline setting</th><th>package setting</th>"
            f"<th>emissions avoided {html.escape(str(ds['cumulative_abatement_2030'].attrs['period']))}, alone, "
            "kt CO2e: median (5-95 %)</th>"
            f"<th>emissions avoided {html.escape(str(ds.attrs['appraisal_period']))}, alone, kt CO2e: median "
            "(5-95 %)</th>"
            + "".join(f"<th>present net cost, alone, paid by {html.escape(p.replace('_', ' '))}, MSEK (median)</th>"
                      for p in payers)
            + "<th>net cost per tonne, alone, SEK/t CO2e: median (5-95 %)</th>"
              f"<th>emissions avoided {html.escape(str(ds.attrs['appraisal_period']))}, removed from the package, "
              "kt CO2e: median</th><th>net cost per tonne, removed from the package, SEK/t CO2e: median</th>"
              "<th>why no cost per tonne (alone; removed)</th></tr>")
    rows = []
    for lever in ds["lever"].values:
        at = {"lever": lever}
        alone, removed = {**at, "attribution": "alone"}, {**at, "attribution": "removed"}
        reasons = "; ".join(dict.fromkeys(str(ds["no_cost_reason"].sel(**w).values) or "-" for w in (alone, removed)))
        cells = [str(lever).replace("_", " "), str(ds["reference_value"].sel(**at).values),
                 str(ds["lever_value"].sel(**at).values),
                 _band(ds, "cumulative_abatement_2030", 1e-3, 1, **alone),
                 _band(ds, "cumulative_abatement_2045", 1e-3, 1, **alone)]
        cells += [f"{float(_median(ds, 'present_cost', payer=p, **alone)) / 1e6:,.1f}" for p in payers]
        cells += [_band(ds, "cost_per_tonne", 1, 0, **alone),
                  f"{float(_median(ds, 'cumulative_abatement_2045', **removed)) / 1e3:,.1f}",
                  _band(ds, "cost_per_tonne", 1, 0, **removed).split(" (")[0], reasons]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _sum_of_medians(ds: xr.Dataset) -> str:
    total = float(_median(ds, "cumulative_abatement_2045", attribution="removed").sum()) / 1e3
    return f"{total:,.1f} (sum of medians)"


def _package_table(ds: xr.Dataset) -> str:
    period, early = str(ds.attrs["appraisal_period"]), str(ds["cumulative_abatement_2030"].attrs["period"])
    rows = [(f"the whole package against the baseline, {early}",
             _band(ds, "cumulative_package_abatement_2030", 1e-3, 1)),
            (f"the whole package against the baseline, {period}", _band(ds, "cumulative_package_abatement_2045",
                                                                        1e-3, 1)),
            (f"sum of the levers removed from the package, {period}",
             _sum_of_medians(ds)),
            (f"interaction (package minus the sum of the levers removed), {early}",
             _band(ds, "cumulative_interaction_2030", 1e-3, 1)),
            (f"interaction (package minus the sum of the levers removed), {period}",
             _band(ds, "cumulative_interaction_2045", 1e-3, 1))]
    body = "".join(f"<tr><td>{html.escape(a)}</td><td>{b}</td></tr>" for a, b in rows)
    return ("<table><tr><th>what</th><th>emissions avoided, kt CO2e: median (5-95 %)</th></tr>"
            f"{body}</table>")


def plan_section(ds: xr.Dataset) -> str:
    """The plan's HTML: how to read it, the cost curve, the per-lever table and the package's totals."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    left_out = draw_cost_curve(ax, ds)
    rate, base = float(ds.attrs["discount_rate"]), ds.attrs["discount_base_year"]
    note = (f"<p class=note>{int(ds.attrs['runs'])} runs on common random numbers: run i of every variant "
            "shares its sampled uncertainties and seed, so each difference is the lever's. <b>Alone</b>: the "
            "baseline with only that lever; <b>removed</b>: the package without it. Costs are the extra "
            f"{_attr(ds, 'net_cost_terms')} of the variant, by payer, discounted at {100 * rate:g} % a year "
            f"(real) to {html.escape(str(base))} over {_attr(ds, 'appraisal_period')}; price year: "
            f"{_attr(ds, 'price_year')}. Cost per tonne: present net cost divided by tonnes avoided over the "
            "same years (tonnes not discounted), per run; median and 5-95 % band over the runs.</p>")
    missing = ""
    if left_out:
        reasons = ds["no_cost_reason"].sel(attribution="alone")
        missing = ("<p class=note>Not on the curve:</p><ul>" + "".join(
            f"<li>{html.escape(lever.replace('_', ' '))}: {html.escape(str(reasons.sel(lever=lever).values))}</li>"
            for lever in left_out) + "</ul>")
    return ("<h2>Investment plan: what each lever buys</h2>" + note + _embed(fig, plt) + missing
            + "<h3>Per lever</h3>" + _lever_table(ds) + "<h3>The package and the interaction of its levers</h3>"
            + _package_table(ds))


def write_plan_report(ds: xr.Dataset, path: str | Path) -> Path:
    """Write the plan of :func:`sim.plan.investment_plan` as a self-contained HTML page.

    Parameters
    ----------
    ds : xarray.Dataset
        The plan.
    path : str or Path
        The ``.html`` file to write (replaced atomically).
    """
    if "lever" not in ds.dims or "no_cost_reason" not in ds:
        raise ValueError(f"{path}: field 'plan': allowed a result of sim.investment_plan; given a Dataset with "
                         f"dimensions {list(ds.dims)}")
    with plain_text():
        body = plan_section(ds)
    title = _attr(ds, "title", "sim investment plan")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title><style>{STYLE}</style>"
            f"</head><body><h1>{title}</h1><p class=note>{_attr(ds, 'history')}</p>{body}"
            f"<h2>Scenario file</h2><pre>{_attr(ds, 'scenario_text')}</pre></body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
