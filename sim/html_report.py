"""One self-contained HTML report of a batch: figures embedded as PNG, tables inline, no external files.

Sections: the targets as the municipality defines them (with and without compensation, the
consumption goal, the carbon budget) and their probabilities; net-emission fan charts against the
targets; fossil CO2 against the carbon-budget pathway on its own axis, and the share of runs on
or below the pathway; the scenarios side by side; the sector breakdown; adoption curves; the pledge gap;
costs and abatement by lever (as far as the engine reports them) with paired differences against
the first scenario, which common random numbers make run-by-run comparable; the sampled
uncertainties; any extra sections of the caller; the scenario files and how the batch was made.

The figures are in :mod:`sim.report_figures`, the tables in :mod:`sim.report_tables` and
:mod:`sim.report_uncertainties`, their look in :mod:`sim.report_style`.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import xarray as xr

from .report import budget_label, plain_text
from .report_figures import report_charts
from .report_style import figure_html, sampler_words
from .report_tables import levers_table, paired_table, summary_table, targets_definition
from .report_uncertainties import uncertainties_section
from .words import words

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;
line-height:1.4}table{border-collapse:collapse;margin:1em 0;font-size:90%;max-width:100%}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top;overflow-wrap:break-word}
td.text,th.text{text-align:left}
thead th{background:#f3f3f3}tbody th{text-align:left;font-weight:normal}th:first-child{text-align:left}
img{max-width:100%;height:auto;display:block;margin:.5em 0}.note{color:#555;font-size:90%}
pre{background:#f7f7f7;padding:.5em;white-space:pre-wrap;overflow-wrap:break-word;font-size:80%}
@page{size:A4;margin:15mm}@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}
table{font-size:8.5pt}h2{break-after:avoid}img,table{break-inside:avoid}}"""

def write_report(ds: xr.Dataset, path: str | Path, extra_sections: Iterable[tuple[str, str]] = ()) -> Path:
    """Write the HTML report of a batch result (see the module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A result of :func:`sim.run_batch` (or :func:`sim.open_results`).
    path : str or Path
        The ``.html`` file to write.
    extra_sections : iterable of (str, str)
        More sections, (heading, HTML body) each, placed after the sampled uncertainties. The
        heading is escaped; the body is the caller's HTML, written as given.

    Returns
    -------
    Path
    """
    if "scenario" not in ds.dims or "run" not in ds.dims:
        raise ValueError(f"{path}: field 'results': allowed a batch result with dimensions scenario and run; "
                         f"given dimensions {list(ds.dims)}")
    with plain_text():
        page = _page(ds, list(extra_sections))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def report_title(ds: xr.Dataset) -> str:
    """The report's title in words, e.g. "Eskilstuna: baseline and klimatkontrakt 2024 - 200 runs, seed 1"."""
    names = [words(n) for n in ds["scenario"].values]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    place = ", ".join(words(m).capitalize() for m in str(ds.attrs.get("municipality", "")).split(", ") if m)
    runs = ds.sizes["run"]
    seed = ds.attrs.get("seed")
    return (f"{place + ': ' if place else ''}{listed} \u2014 {runs} run{'s' if runs != 1 else ''}"
            f"{f', seed {seed}' if seed is not None else ''}")


def _attr(ds: xr.Dataset, name: str, default: str = "") -> str:
    """A store attribute as HTML text: every attribute is the store's, not ours, so it is escaped."""
    return html.escape(str(ds.attrs.get(name, default)))


def _scales(ds: xr.Dataset) -> str:
    """The population scale of the runs in words (1 = the whole municipality)."""
    if "scale" not in ds:
        return "population scale not recorded"
    scales = sorted({float(s) for s in ds["scale"].values})
    listed = " and ".join(f"{s:g}" for s in scales)
    return (f"population scale {listed}" + (" (the whole municipality)" if scales == [1.0] else
                                            " (1 = the whole municipality)"))


def _section(heading: str, *body: str, level: int = 2) -> list[str]:
    return [f"<h{level}>{html.escape(heading)}</h{level}>", *body]


PLEDGE_GAP_NOTE = ("<p class=note>The pledge gap is the reduction pledged organisations committed to, minus what "
                   "they delivered because of the pledge (their emissions in the same run without the pledge "
                   "effect, minus in the run). A <b>negative</b> gap means the pledges delivered more than was "
                   "committed: the pledge effect cut the pledged organisations' emissions by more than their "
                   "commitments add up to.</p>")


def _page(ds: xr.Dataset, extra_sections: list[tuple[str, str]]) -> str:
    """The report's HTML; figures drawn by the caller's matplotlib settings."""
    names = [str(n) for n in ds["scenario"].values]
    title = report_title(ds)
    parts = [f"<h1>{html.escape(title)}</h1>",
             (f"<p class=note>{ds.sizes['run']} runs per scenario, seed {_attr(ds, 'seed')}, {_scales(ds)}, "
              f"{html.escape(sampler_words(ds))} sample, common random numbers across scenarios. Bands are 5-95 % "
              "of the runs (and 25-75 % in the fan charts); lines are medians. Report written "
              f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>")]
    if "done" in ds and not ds["done"].values.all():
        parts.append(f"<p><b>Incomplete batch:</b> {int(ds['done'].sum())} of {ds['done'].size} runs "
                     "finished; figures show the finished runs.</p>")
    parts += _section("Targets", targets_definition(ds), summary_table(ds))
    notes = {"Pledge gap": PLEDGE_GAP_NOTE, "Carbon budget pathway": (
        f"<p class=note>{html.escape(budget_label(ds))}. The pathway spends the budget with one constant yearly "
        "cut from the start year's fossil CO2 (E0 (1 - r)^k with r = E0 / budget); fossil CO2 is territorial CO2 "
        "only, in t CO2, not CO2e, and is drawn on its own axis.</p>")}
    for heading, charts in report_charts(ds).items():
        parts += _section(heading, notes.get(heading) or "", *(figure_html(c.fig, c.alt) for c in charts))
    parts += _section("Costs and abatement by lever", levers_table(ds))
    if len(names) > 1:
        parts += _section(f"Paired differences against {words(names[0])}", paired_table(ds), level=3)
    parts += _section("Sampled uncertainties", uncertainties_section(ds))
    for heading, body in extra_sections:
        parts += _section(heading, body)
    if "scenario_text" in ds:
        parts += _section("Scenario files")
        parts += [f"<h3>{html.escape(words(n))}</h3><p class=note>scenario name: <code>{html.escape(n)}</code></p>"
                  f"<pre>{html.escape(str(t))}</pre>"
                  for n, t in zip(names, ds["scenario_text"].values)]
    parts += _section("How this batch was made",
                      f"<p class=note>{_attr(ds, 'source')}<br>{_attr(ds, 'history')}</p>")
    return (f"<!DOCTYPE html><html lang=en><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
