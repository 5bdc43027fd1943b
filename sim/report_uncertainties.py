"""The report's list of the sampled uncertainties: meaning, units, distribution, range, and what the batch drew.

The sampled parameters are the result's variables with ``role = "uncertainty"``; their
distributions are read from each scenario's text stored in the result (``scenario_text``), parsed as
``sim run`` parsed it, or, when that text no longer parses here (a moved municipality folder), the
declared default range of :mod:`sim.declarations.parameters`, said so. A batch drawing from a
calibration's posterior names the file and the fit, and marks the parameters drawn from it (their
prior range beside the posterior range the batch drew). The levers a batch varies run by run (a
scenario's range or choices, or a batch design) are listed the same way.
"""
from __future__ import annotations

import html
import re

import numpy as np
import xarray as xr

from .declarations.parameters import BY_NAME
from .report_style import sampler_words
from .report_tables import table
from .scenario import Distribution, Scenario, ScenarioError, parse_scenario
from .words import unit_words, words


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


def _parsed(ds: xr.Dataset) -> tuple[list[Scenario | None], list[str]]:
    """Each scenario as parsed from its stored text (None where it does not parse here), and a note for each such."""
    parsed, notes = [], []
    texts = ds["scenario_text"].values if "scenario_text" in ds else [None] * ds.sizes["scenario"]
    for scenario, text in zip(ds["scenario"].values, texts):
        try:
            parsed.append(parse_scenario(str(text)) if text is not None else None)
        except (ScenarioError, OSError) as error:
            parsed.append(None)
            notes.append(f"{words(scenario)}: the stored scenario text does not parse here ({error}); the declared "
                         "default ranges are shown")
    return parsed, notes


def _distribution(scenario: Scenario | None, name: str) -> Distribution | None:
    """The scenario's distribution of an uncertainty, else its declared default range (None if it has none)."""
    if scenario is not None and name in scenario.uncertainties:
        return scenario.uncertainties[name]
    p = BY_NAME.get(name)
    return Distribution("uniform", *p.default_range) if p is not None and p.default_range is not None else None


def _drawn(values: xr.DataArray) -> str:
    """What the batch drew: the 5-95 % of numbers, or the share of runs of each choice."""
    if values.dtype.kind in "US":
        kinds, counts = np.unique(values.values.astype(str), return_counts=True)
        return ", ".join(f"{html.escape(words(k))} {100 * c / counts.sum():.0f} %" for k, c in zip(kinds, counts))
    return f"{_number(float(values.quantile(0.05, 'run')))} to {_number(float(values.quantile(0.95, 'run')))}"


def _rows(ds: xr.Dataset, names: list[str], describe) -> list[tuple[str, list[str]]]:
    """One row per variable, or one per scenario where the scenarios describe it differently.

    ``describe(k, name)`` is the (distribution, range) of the variable in the ``k``-th scenario.
    """
    scenarios = [str(s) for s in ds["scenario"].values]
    rows = []
    for name in names:
        values = ds[name]
        per = [(s, describe(k, name)) for k, s in enumerate(scenarios)]
        alike = all(d == per[0][1] for _, d in per)
        for s, (kind, span) in per[:1] if alike else per:
            rows.append((words(name) + ("" if alike else f" ({words(s)})"),
                         [html.escape(str(values.attrs.get("long_name", ""))),
                          html.escape(unit_words(str(values.attrs.get("units", "")))), html.escape(kind),
                          html.escape(span), _drawn(values.sel(scenario=s))]))
    return rows


COLUMNS = ["meaning", "units", "distribution", "range", "sampled 5-95 %"]


def uncertainties_section(ds: xr.Dataset) -> str:
    """The HTML of the section: one row per sampled uncertainty (per scenario where the scenarios differ),
    and a table of the levers the batch varies run by run, if any."""
    names = sampled_uncertainties(ds)
    if not names:
        return "<p class=note>The results carry no sampled uncertainties.</p>"
    parsed, notes = _parsed(ds)

    fitted = posterior_parameters(ds)

    def uncertainty(k: int, name: str) -> tuple[str, str]:
        d = _distribution(parsed[k], name)
        if d is None:
            return "not stated", ""
        kind, span = _distribution_words(d)
        return (f"posterior (prior {kind})", f"prior {span}") if name in fitted else (kind, span)

    intro = (f"<p>{len(names)} uncertain parameters are sampled once per run ({html.escape(sampler_words(ds))} "
             f"sample, {ds.sizes['run']} runs) and shared by every scenario's run of the same number. "
             "\"Sampled 5-95 %\" is the range the batch drew. A unit \"-\" is a pure number (a share or a "
             "weight).</p>" + _source_paragraph(ds, fitted))
    intro += "".join(f"<p class=note>{html.escape(n)}.</p>" for n in notes)
    page = intro + table(["uncertainty", *COLUMNS], _rows(ds, names, uncertainty), text_columns=3)
    levers = varied_levers(ds)
    if levers:
        def lever(k: int, name: str) -> tuple[str, str]:
            ranges = parsed[k].lever_ranges if parsed[k] is not None else {}
            if ds[name].attrs.get("varied_by") == "design":
                return "set run by run by the batch design", ""
            if name not in ranges:   # another scenario samples it; this one sets it
                value = parsed[k].levers.get(name) if parsed[k] is not None else None
                return ("fixed", words(value) if isinstance(value, str) else _number(value)) if value is not None \
                    else ("not stated", "")
            r = ranges[name]
            if r.choices is not None:
                return "equally likely choices", ", ".join(words(c) if isinstance(c, str) else _number(c)
                                                           for c in r.choices)
            return ("uniform, whole numbers" if r.integer else "uniform"), f"{_number(r.low)} to {_number(r.high)}"

        page += ("<h3>Levers varied run by run</h3><p>Levers a scenario leaves open (a range or a set of "
                 "choices) are sampled with the uncertainties; a batch design may set them run by run.</p>"
                 + table(["lever", *COLUMNS[:-1], "sampled 5-95 % (choices: share of runs)"], _rows(ds, levers, lever),
                         text_columns=3))
    return page


def posterior_parameters(ds: xr.Dataset) -> list[str]:
    """The uncertainties the batch drew from a calibration's posterior (none from the prior)."""
    if ds.attrs.get("parameter_source") != "posterior":
        return []
    return [n.strip() for n in str(ds.attrs.get("posterior_parameters", "")).split(",") if n.strip()]


def _source_paragraph(ds: xr.Dataset, fitted: list[str]) -> str:
    """Where the uncertainties came from: the prior (the scenarios' ranges) or which posterior, as HTML."""
    source = ds.attrs.get("parameter_source")
    if source is None:
        return ""
    if source == "prior":
        return ("<p><b>Parameter source</b>: the prior: every uncertainty is drawn from the scenario's range "
                "(no calibration's posterior).</p>")
    if source != "posterior":
        return f"<p><b>Parameter source</b>: {html.escape(str(source))}.</p>"
    fit = re.sub(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+", lambda m: words(m.group()), str(ds.attrs.get("posterior_fit", "")))
    listed = ", ".join(words(n) for n in fitted)
    return (f"<p><b>Parameter source</b>: the posterior of a calibration, "
            f"<code>{html.escape(str(ds.attrs.get('posterior_file', 'file not recorded')))}</code>"
            f"{f' ({html.escape(fit)})' if fit else ''}. Its {len(fitted)} fitted parameters ({html.escape(listed)}; "
            "distribution \"posterior\" below) are whole particles of the fit drawn by weight, so they keep their "
            "correlation: their \"sampled 5-95 %\" is the posterior's range in this batch, beside the prior range "
            "the fit started from. The others are drawn from their ranges.</p>")


def varied_levers(ds: xr.Dataset) -> list[str]:
    """Names of the levers that vary along ``run`` in the result (sampled from a range or set by a design)."""
    return [str(n) for n, v in ds.data_vars.items() if v.attrs.get("role") == "lever" and "run" in v.dims]
