"""The investment plan as HTML: the per-lever table and the marginal abatement cost curve.

:func:`plan_section` is the plan's part of a page (for the batch report too); :func:`write_plan_report`
writes it as a page of its own. The curve has one bar per lever: its width the tonnes the lever avoids
over the appraisal period (median over runs), its height the median cost per tonne, sorted from the
cheapest; a lever that saves money goes below zero. Levers without a finite, nonzero cost per tonne are
listed under the curve with the reason.
"""
from __future__ import annotations

import html
import tomllib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import xarray as xr
from matplotlib.ticker import StrMethodFormatter
from matplotlib.transforms import offset_copy

from .html_report import STYLE, _attr
from .report import pyplot
from .report_style import GREY, MIN_FONT_PT, OKABE_ITO, PRINT_WIDTH_IN, figure_html, print_style
from .report_tables import table
from .words import words

COSTS, SAVES = OKABE_ITO["blue"], OKABE_ITO["bluish green"]
"""Bar colours (Okabe-Ito, safe for colour-blind readers): a lever that costs, one that saves money."""

_ATTRIBUTION_TEXT = {"alone": "added alone to the baseline", "removed": "taken out of the full package"}
BAND = "median (5-95 %)"


def _median(ds: xr.Dataset, name: str, **where) -> xr.DataArray:
    return ds[f"{name}_summary"].sel(statistic="median", **where)


def _band(ds: xr.Dataset, name: str, scale: float, digits: int, **where) -> str:
    """``median (p05 to p95)`` of a summarised variable, scaled, as text."""
    s = ds[f"{name}_summary"].sel(**where)
    m, lo, hi = (float(s.sel(statistic=k)) * scale for k in ("median", "p05", "p95"))
    if np.isnan(m):
        return "n/a"
    return f"{m:,.{digits}f} ({lo:,.{digits}f} to {hi:,.{digits}f})"


def _all_payers_msek(ds: xr.Dataset, name: str, **where) -> str:
    """The median over runs of a present cost summed over payers, in MSEK, as text."""
    return f"{float(ds[name].sel(**where).sum('payer').median('run')) / 1e6:,.1f}"


def draw_cost_curve(ax, ds: xr.Dataset, attribution: str = "alone") -> tuple[list[str], str]:
    """Draw the marginal abatement cost curve of a plan on ``ax``.

    Parameters
    ----------
    ax : matplotlib Axes
    ds : xarray.Dataset
        A result of :func:`sim.plan.investment_plan`.
    attribution : {"alone", "removed"}
        Each lever added alone to the baseline, or taken out of the package.

    Returns
    -------
    (list of str, str)
        The levers left off the curve, and the curve's text alternative (every bar's tonnes and SEK/t).
    """
    reasons = ds["no_cost_reason"].sel(attribution=attribution)
    shown = [str(lever) for lever in ds["lever"].values if not str(reasons.sel(lever=lever).values)]
    per_t = {lever: float(_median(ds, "cost_per_tonne", attribution=attribution, lever=lever)) for lever in shown}
    shown.sort(key=per_t.get)
    left, bars, text = 0.0, [], []
    for lever in shown:
        width = float(_median(ds, "cumulative_abatement_2045", attribution=attribution, lever=lever)) / 1e3
        height = per_t[lever]
        ax.bar(left, height, width=width, align="edge", color=COSTS if height > 0 else SAVES, edgecolor="white")
        bars.append(_Bar(words(lever), left, width, height))
        text.append(f"{words(lever)} {width:,.1f} kt at {height:,.0f} SEK/t")
        left += width
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlim(0, max(left, 1.0))
    period = ds.attrs.get("appraisal_period", "")
    ax.set_xlabel(f"emissions avoided {period}, kt CO2e (median; bar width)")
    ax.set_ylabel("net cost per tonne, SEK/t CO2e (median)")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_title(f"Marginal abatement cost curve: each lever {_ATTRIBUTION_TEXT[attribution]}")
    _label_bars(ax, bars)
    left_out = [str(lever) for lever in ds["lever"].values if str(lever) not in shown]
    alt = (f"Marginal abatement cost curve, each lever {_ATTRIBUTION_TEXT[attribution]}, cheapest first, "
           f"emissions avoided {period} (median) against net cost per tonne (median): "
           + ("; ".join(text) or "no lever has a finite, nonzero cost per tonne") + "."
           + (f" Not on the curve: {', '.join(words(lever) for lever in left_out)}." if left_out else ""))
    return left_out, alt


class _Bar(NamedTuple):
    label: str
    left: float
    width: float
    height: float


CURVE_HEIGHT_IN = 4.6
"""Height of the cost curve's figure: room for the levers' names above the costs and below the savings."""
LABEL_GAP_PT = 3.0
"""Space between a bar's end and its label, points."""


def _spread(centres: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions as near ``centres`` (sorted) as keeps neighbours ``gap`` apart, within [low, high] if they fit."""
    xs = list(centres)
    for i in range(len(xs)):
        xs[i] = max(xs[i], low if i == 0 else xs[i - 1] + gap)
    for i in reversed(range(len(xs))):
        xs[i] = min(xs[i], high if i == len(xs) - 1 else xs[i + 1] - gap)
    return xs


def _label_bars(ax, bars: list[_Bar]) -> None:
    """Write each lever beside its bar's end, rotated (above a cost, below a saving), never over another label.

    Where bars are narrower than a line of type the labels move sideways, each with a thin line to its
    bar, and stand clear of every bar they pass over; the y-limits leave room for the longest label.
    """
    fig = ax.figure
    fig.canvas.draw()  # the axes' size after the figure's layout
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72.0
    gap, offset, pad = MIN_FONT_PT * 1.3 * px, LABEL_GAP_PT * px, 2 * LABEL_GAP_PT * px
    lengths = {}
    for bar in bars:
        probe = ax.text(0, 0, bar.label, rotation=90, fontsize=MIN_FONT_PT)
        lengths[bar.label] = probe.get_window_extent(renderer).height
        probe.remove()
    to_px, to_data = ax.transData.transform, ax.transData.inverted().transform
    placed = []  # (bar, x of the label in data, the bar end it stands on)
    for sign in (1, -1):
        group = [b for b in bars if (b.height > 0) == (sign > 0)]
        centres = [to_px((b.left + b.width / 2, 0))[0] for b in group]
        for bar, x in zip(group, _spread(centres, gap, ax.bbox.x0 + gap / 2, ax.bbox.x1 - gap / 2)):
            low, high = to_data((x - gap / 2, 0))[0], to_data((x + gap / 2, 0))[0]
            under = [b.height for b in group if b.left < high and b.left + b.width > low] + [bar.height]
            placed.append((bar, to_data((x, 0))[0], sign * max(sign * h for h in under)))
    heights = [b.height for b in bars] or [0.0]
    lo, hi = min(min(heights), 0.0), max(max(heights), 0.0)
    if hi == lo:
        hi = lo + 1.0
    room = ax.bbox.height
    for _ in range(6):  # the limits that fit every label, each found given the other
        for bar, _, end in placed:
            free = max(room - pad - offset - lengths[bar.label], 0.2 * room)
            if end > 0:
                hi = max(hi, lo + (end - lo) * room / free)
            else:
                lo = min(lo, hi - (hi - end) * room / free)
    ax.set_ylim(lo, hi)
    for bar, x, end in placed:
        sign = 1 if bar.height > 0 else -1
        moved = abs(to_px((x, 0))[0] - to_px((bar.left + bar.width / 2, 0))[0]) > 1 or end != bar.height
        ax.annotate(bar.label, (bar.left + bar.width / 2, bar.height), xytext=(x, end),
                    textcoords=offset_copy(ax.transData, fig=fig, y=sign * LABEL_GAP_PT, units="points"),
                    rotation=90, fontsize=MIN_FONT_PT, ha="center", va="bottom" if sign > 0 else "top",
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": GREY, "shrinkA": 0, "shrinkB": 0}
                    if moved else None)


def _alone_table(ds: xr.Dataset) -> str:
    early, period = str(ds["cumulative_abatement_2030"].attrs["period"]), str(ds.attrs["appraisal_period"])
    columns = ["lever", "setting: baseline -> package", f"emissions avoided {early}, kt CO2e, {BAND}",
               f"emissions avoided {period}, kt CO2e, {BAND}", "present net cost, all payers, MSEK, median",
               "of which investment, MSEK, median", f"net cost per tonne, SEK/t CO2e, {BAND}"]
    rows = []
    for lever in ds["lever"].values:
        alone = {"lever": lever, "attribution": "alone"}
        setting = f"{ds['reference_value'].sel(lever=lever).values} -> {ds['lever_value'].sel(lever=lever).values}"
        rows.append((words(lever), [html.escape(setting),
                                    _band(ds, "cumulative_abatement_2030", 1e-3, 1, **alone),
                                    _band(ds, "cumulative_abatement_2045", 1e-3, 1, **alone),
                                    _all_payers_msek(ds, "present_cost", **alone),
                                    _all_payers_msek(ds, "present_investment_cost", **alone),
                                    _band(ds, "cost_per_tonne", 1, 0, **alone)]))
    return table(columns, rows, text_columns=1)


def _payer_table(ds: xr.Dataset) -> str:
    payers = [str(p) for p in ds["payer"].values]
    rows = [(words(lever), [f"{float(_median(ds, 'present_cost', payer=p, lever=lever, attribution='alone')) / 1e6:,.1f}"
                            for p in payers]) for lever in ds["lever"].values]
    return table(["lever", *(f"paid by {words(p)}, MSEK, median" for p in payers)], rows)


def _removed_table(ds: xr.Dataset) -> str:
    period = str(ds.attrs["appraisal_period"])
    rows = []
    for lever in ds["lever"].values:
        at = {"lever": lever}
        reasons = "; ".join(dict.fromkeys(str(ds["no_cost_reason"].sel(attribution=a, **at).values) or "-"
                                          for a in ("alone", "removed")))
        rows.append((words(lever), [_band(ds, "cumulative_abatement_2045", 1e-3, 1, attribution="removed", **at),
                                    _band(ds, "cost_per_tonne", 1, 0, attribution="removed", **at),
                                    html.escape(reasons)]))
    return table(["lever", f"emissions avoided {period}, kt CO2e, {BAND}", f"net cost per tonne, SEK/t CO2e, {BAND}",
                  "why no cost per tonne (alone; removed)"], rows)


def _package_table(ds: xr.Dataset) -> str:
    period, early = str(ds.attrs["appraisal_period"]), str(ds["cumulative_abatement_2030"].attrs["period"])
    total = float(_median(ds, "cumulative_abatement_2045", attribution="removed").sum()) / 1e3
    rows = [(f"the whole package against the baseline, {early}",
             [_band(ds, "cumulative_package_abatement_2030", 1e-3, 1)]),
            (f"the whole package against the baseline, {period}",
             [_band(ds, "cumulative_package_abatement_2045", 1e-3, 1)]),
            (f"sum of the levers removed from the package, {period} (sum of their medians)", [f"{total:,.1f}"]),
            (f"interaction (the package minus the sum of the levers removed), {early}",
             [_band(ds, "cumulative_interaction_2030", 1e-3, 1)]),
            (f"interaction (the package minus the sum of the levers removed), {period}",
             [_band(ds, "cumulative_interaction_2045", 1e-3, 1)])]
    return table(["", f"emissions avoided, kt CO2e, {BAND}"], rows)


def plan_section(ds: xr.Dataset) -> tuple[str, str]:
    """The plan's part of a page: how to read it, the cost curve, the per-lever tables and the package's totals.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`sim.plan.investment_plan`.

    Returns
    -------
    (str, str)
        The heading and the HTML body, as ``extra_sections`` of :func:`sim.html_report.write_report` takes them.
    """
    plt = pyplot()
    with print_style():
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, CURVE_HEIGHT_IN), layout="constrained")
        left_out, alt = draw_cost_curve(ax, ds)
        curve = figure_html(fig, alt)
    rate, base = float(ds.attrs["discount_rate"]), ds.attrs["discount_base_year"]
    terms = " + ".join(words(term) for term in str(ds.attrs["net_cost_terms"]).split(" + "))
    note = (f"<p class=note>{int(ds.attrs['runs'])} runs on common random numbers: run i of every variant "
            "shares its sampled uncertainties and seed, so each difference is the lever's. <b>Alone</b>: the "
            "baseline with only that lever; <b>removed</b>: the package without it. Costs are the extra "
            f"{html.escape(terms)} of the variant (so energy savings count), by payer, discounted at "
            f"{100 * rate:g} % a year (real) to {html.escape(str(base))} over {_attr(ds, 'appraisal_period')}; "
            f"SEK of {_attr(ds, 'price_year')}. Cost per tonne: present net cost divided by tonnes avoided over "
            "the same years (tonnes not discounted), per run; median and 5-95 % band over the runs. A negative "
            "cost per tonne means the lever saves more than it costs.</p>")
    missing = ""
    if left_out:
        reasons = ds["no_cost_reason"].sel(attribution="alone")
        missing = ("<p class=note>Not on the curve:</p><ul>" + "".join(
            f"<li>{html.escape(words(lever))}: {html.escape(str(reasons.sel(lever=lever).values))}</li>"
            for lever in left_out) + "</ul>")
    return ("Investment plan: what each lever buys", note + curve + missing
            + "<h3>Each lever added alone to the baseline</h3>" + _alone_table(ds)
            + "<h3>Who pays: present net cost of each lever alone, by payer</h3>" + _payer_table(ds)
            + "<h3>Each lever taken out of the package</h3>" + _removed_table(ds)
            + "<h3>The package and the interaction of its levers</h3>" + _package_table(ds))


def plan_title(ds: xr.Dataset) -> str:
    """The plan page's title in words, e.g. "Eskilstuna: investment plan of klimatkontrakt 2024 - 14 levers, 50 runs,
    seed 1", from the scenario text the plan stores."""
    try:
        scenario = tomllib.loads(str(ds.attrs.get("scenario_text", ""))).get("scenario", {})
    except tomllib.TOMLDecodeError:
        scenario = {}
    place = words(scenario.get("municipality", "")).capitalize()
    runs = int(ds.attrs.get("runs", ds.sizes.get("run", 0)))
    return (f"{place + ': ' if place else ''}investment plan of {words(scenario.get('name', 'the scenario'))} "
            f"\u2014 {ds.sizes['lever']} levers, {runs} runs, seed {ds.attrs.get('seed', '')}")


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
    heading, body = plan_section(ds)
    title = html.escape(plan_title(ds))
    page = (f"<!DOCTYPE html><html lang=en><head><meta charset='utf-8'><title>{title}</title><style>{STYLE}</style>"
            f"</head><body><h1>{title}</h1><h2>{html.escape(heading)}</h2>{body}"
            f"<h2>Scenario file</h2><pre>{_attr(ds, 'scenario_text')}</pre>"
            f"<h2>How this plan was made</h2><p class=note>{_attr(ds, 'source')}<br>{_attr(ds, 'history')}</p>"
            "</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
