"""The batch's identity and empty Dataset: the hash of a scenario, and the template every run fills in.

:func:`scenario_hash` says whether a store was made by the same scenarios; :func:`build_template` is
the batch Dataset before any run (outputs NaN, ``done`` 0, the sample, the levers and the metadata),
the layout of the store (:mod:`sim.store`).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from . import __version__
from .cities import case_variables
from .data import load_municipality
from .declarations.parameters import LEVERS, UNCERTAINTIES
from .results import COORDS, VARIABLES, target_attributes
from .scenario import Scenario
from .summary import SUMMARY_VARIABLES

if TYPE_CHECKING:
    from .batch import BatchPlan

__all__ = ["build_template", "scenario_hash"]


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of what a scenario makes the engine do (years, municipality, levers, uncertainties).

    The description, the file's path and its comments do not count; the scale
    is checked apart.
    """
    doc = {"name": scenario.name, "start_year": scenario.start_year, "end_year": scenario.end_year,
           "municipality": Path(scenario.municipality).name,
           "levers": {k: scenario.levers[k] for k in sorted(scenario.levers)},
           "lever_years": {k: scenario.lever_years[k] for k in sorted(scenario.lever_years)},
           "uncertainties": {k: [d.kind, d.low, d.high, d.mode] for k, d in sorted(scenario.uncertainties.items())},
           "pledge_counterfactual": scenario.pledge_counterfactual}
    if scenario.lever_ranges:  # (only then: the hashes of stores made before ranges existed stay valid)
        doc["lever_ranges"] = {k: scenario.lever_ranges[k].describe() for k in sorted(scenario.lever_ranges)}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()



def build_template(plan: BatchPlan) -> xr.Dataset:
    """The batch Dataset before any run: outputs NaN, ``done`` 0, sample and metadata filled in."""
    n_s, runs = len(plan.scenarios), plan.runs
    dims_used = {d for v in plan.variables for d in VARIABLES[v][0]} - {"year"}
    coords = {
        "scenario": ("scenario", np.array(plan.names), {"long_name": "scenario name"}),
        "run": ("run", np.arange(runs), {"long_name": "Monte Carlo run (same sample and seed in every scenario)",
                                         "units": "1"}),
        "year": ("year", plan.years, {"long_name": "calendar year", "units": "1"}),
        "uncertainty": ("uncertainty", np.array([p.name for p in UNCERTAINTIES]),
                        {"long_name": "sampled uncertain parameter"}),
        **{d: (d, np.array(COORDS[d]), {"long_name": d.replace("_", " ")}) for d in COORDS if d in dims_used},
    }
    data = {}
    price_years = {load_municipality(m).price_year for s in plan.scenarios for m in s.municipalities}
    price_year = price_years.pop() if len(price_years) == 1 else None
    for name in plan.variables:
        dims, units, long_name = VARIABLES[name]
        shape = (n_s, runs) + tuple(len(plan.years) if d == "year" else len(COORDS[d]) for d in dims)
        priced = {"price_year": price_year} if price_year is not None and "SEK" in units else {}
        data[name] = (("scenario", "run") + dims, np.full(shape, np.nan),
                      {"units": units, "long_name": long_name} | priced)
    data["n_agents"] = (("scenario", "run"), np.zeros((n_s, runs), dtype=np.int64),
                        {"units": "1", "long_name": "agents simulated (households, firms, municipal units)"})
    data["done"] = (("scenario", "run"), np.zeros((n_s, runs), dtype=np.uint8),
                    {"units": "1", "long_name": "run finished and written (1 yes, 0 no)"})
    for k, p in enumerate(UNCERTAINTIES):
        data[p.name] = (("scenario", "run"), plan.values[:, :, k],
                        {"units": p.units, "long_name": p.meaning, "role": "uncertainty"})
    for p in LEVERS:
        attrs = {"units": p.units, "long_name": p.meaning, "role": "lever",
                 "from_year": [int(s.lever_years.get(p.name, s.start_year)) for s in plan.scenarios]}
        if p.name in plan.lever_values:
            varied = plan.lever_values[p.name]
            attrs["varied_by"] = "range" if p.name in plan.sampled_levers else "design"
            data[p.name] = (("scenario", "run"), varied.astype(str) if p.is_choice else varied.astype(float), attrs)
            continue
        values = [s.levers[p.name] for s in plan.scenarios]
        data[p.name] = (("scenario",), np.array(values) if p.is_choice else np.array(values, dtype=float), attrs)
    if plan.sampled_levers:
        coords["sampled_lever"] = ("sampled_lever", np.array(plan.sampled_levers),
                                   {"long_name": "lever sampled from a scenario's range or choices"})
        data["lever_quantile"] = (("run", "sampled_lever"), plan.quantiles[:, len(UNCERTAINTIES):],
                                  {"units": "1", "long_name": f"quantile of each sampled lever in the shared "
                                                              f"{plan.sampler} sample (unit hypercube)"})
    data["sample_quantile"] = (("run", "uncertainty"), plan.quantiles[:, :len(UNCERTAINTIES)],
                               {"units": "1", "long_name": f"quantile of each uncertainty in the shared "
                                                           f"{plan.sampler} sample (unit hypercube)"})
    data["run_seed"] = (("run",), plan.run_seeds,
                        {"units": "1", "long_name": f"seed of the run: SeedSequence({plan.seed}).spawn({runs})"
                                                    "[run].generate_state(1)[0]"})
    data["scale"] = (("scenario",), plan.scales, {"units": "1", "long_name": "population scale (1 = whole "
                                                                               "municipality)"})
    data["scenario_text"] = (("scenario",), np.array([s.text for s in plan.scenarios]),
                             {"long_name": "text of the scenario file"})
    data["scenario_hash"] = (("scenario",), np.array([scenario_hash(s) for s in plan.scenarios]),
                             {"long_name": "SHA-256 of the scenario's years, municipality, levers and uncertainties"})
    targets = [target_attributes(load_municipality(s.municipality).targets) for s in plan.scenarios]
    budgets = [t["carbon_budget"] for t in targets]
    data["carbon_budget"] = (("scenario",), np.array(budgets), {"units": "t CO2",
                                                               "long_name": "carbon budget from its start year"})
    for name, (dims, units, long_name) in SUMMARY_VARIABLES.items():
        shape = tuple(n_s if d == "scenario" else len(plan.years) for d in dims)
        empty = np.zeros(shape, dtype=np.int64) if name == "runs_done" else np.full(shape, np.nan)
        data[name] = (dims, empty, {"units": units, "long_name": long_name})
    version = __version__
    municipalities = sorted({Path(s.municipality).name for s in plan.scenarios})
    attrs = {
        "title": "sim Monte Carlo batch of scenario(s) " + ", ".join(plan.names),
        "Conventions": "CF-1.10", "source": f"sim {version} (klimatsim), agent-based model",
        "history": (f"sim {version} run_batch(scenarios={plan.names}, runs={runs}, seed={plan.seed}, "
                    f"sampler='{plan.sampler}', scale={[float(x) for x in plan.scales]})"),
        "sim_version": version, "seed": plan.seed, "runs": runs, "sampler": plan.sampler,
        "municipality": ", ".join(municipalities),
        "sim_batch": json.dumps(plan.metadata(), sort_keys=True),
    }
    if price_year is not None:  # every cost in SEK of one year (data folders of other price years: no attribute)
        attrs["price_year"] = price_year
    if all(t == targets[0] for t in targets):  # one definition of the targets: the summaries and report use it
        attrs.update(targets[0])
    cases_coords, cases_data = case_variables(plan.scenarios, targets, plan.multi_city and plan.case_scenarios,
                                              plan.case_municipalities)
    coords.update(cases_coords), data.update(cases_data)
    return xr.Dataset(data, coords=coords, attrs=attrs)
