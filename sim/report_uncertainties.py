"""The report's list of the sampled uncertainties: meaning, units, distribution, range, and what the batch drew.

The sampled parameters are the result's variables with ``role = "uncertainty"``; their
distributions are read from each scenario's text stored in the result (``scenario_text``), parsed as
``sim run`` parsed it, or, when that text no longer parses here (a moved municipality folder), the
declared default range of :mod:`sim.declarations.parameters`, said so.
"""
from __future__ import annotations

import html

import xarray as xr

from .declarations.parameters import BY_NAME
from .report_style import sampler_words, unit_words, words
from .report_tables import table
from .scenario import Distribution, ScenarioError, parse_scenario


def sampled_uncertainties(ds: xr.Dataset) -> list[str]:
    """Names of the result's sampled uncertainties (variables along scenario and run with role "uncertainty")."""
    return [str(n) for n, v in ds.data_vars.items() if v.attrs.get("role") == "uncertainty"]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _distribution_words(d: Distribution) -> tuple[str, str]:
    """(distribution, range) of one uncertainty in words."""
    if d.kind == "fixed" or d.low == d.high:
        return "fixed", _number(d.low)
    if d.kind == "triangular":
        return f"triangular, mode {_number(d.mode)}", f"{_number(d.low)} to {_number(d.high)}"
    return d.kind, f"{_number(d.low)} to {_number(d.high)}"


def _distributions(ds: xr.Dataset, names: list[str]) -> tuple[list[dict[str, Distribution]], list[str]]:
    """Each scenario's distributions by uncertainty, and a note per scenario whose text did not parse."""
    found, notes = [], []
    for scenario, text in zip(ds["scenario"].values, ds["scenario_text"].values if "scenario_text" in ds else
                              [None] * ds.sizes["scenario"]):
        try:
            found.append(dict(parse_scenario(str(text)).uncertainties) if text is not None else {})
        except (ScenarioError, OSError) as error:
            found.append({})
            notes.append(f"{words(scenario)}: the stored scenario text does not parse here ({error}); the declared "
                         "default ranges are shown")
    for per_scenario in found:
        for name in names:
            if name not in per_scenario and name in BY_NAME and BY_NAME[name].default_range is not None:
                per_scenario[name] = Distribution("uniform", *BY_NAME[name].default_range)
    return found, notes


def uncertainties_section(ds: xr.Dataset) -> str:
    """The HTML of the section: one row per sampled uncertainty (per scenario where the scenarios differ)."""
    names = sampled_uncertainties(ds)
    if not names:
        return "<p class=note>The results carry no sampled uncertainties.</p>"
    distributions, notes = _distributions(ds, names)
    scenarios = [str(s) for s in ds["scenario"].values]
    rows = []
    for name in names:
        values = ds[name]
        per = [(s, distributions[k].get(name)) for k, s in enumerate(scenarios)]
        alike = all(d == per[0][1] for _, d in per)
        for s, d in per[:1] if alike else per:
            kind, span = _distribution_words(d) if d is not None else ("not stated", "")
            drawn = values.sel(scenario=s)
            rows.append((words(name) + ("" if alike else f" ({words(s)})"),
                         [html.escape(str(values.attrs.get("long_name", ""))),
                          html.escape(unit_words(str(values.attrs.get("units", "")))), html.escape(kind),
                          html.escape(span), (f"{_number(float(drawn.quantile(0.05, 'run')))} to "
                                             f"{_number(float(drawn.quantile(0.95, 'run')))}")]))
    source = ds.attrs.get("parameter_source")
    intro = (f"<p>{len(names)} uncertain parameters are sampled once per run ({html.escape(sampler_words(ds))} "
             f"sample, {ds.sizes['run']} runs) and shared by every scenario's run of the same number. "
             "\"Sampled 5-95 %\" is the range the batch drew. A unit \"-\" is a pure number (a share or a "
             "weight).</p>")
    if source:
        intro += f"<p><b>Parameter source</b>: {html.escape(str(source))}.</p>"
    intro += "".join(f"<p class=note>{html.escape(n)}.</p>" for n in notes)
    return intro + table(["uncertainty", "meaning", "units", "distribution", "range", "sampled 5-95 %"], rows,
                         text_columns=3)
