"""The climate investment plan: what each lever of a scenario abates and costs, on common random numbers.

For every lever a scenario sets away from the reference (the baseline's value; by default the declared
default of :mod:`sim.declarations.parameters`), two variants are run beside the baseline and the full
package, all in one :func:`sim.run_batch` so that run ``i`` of every variant shares its sample and seed:

* **alone**: the baseline with only that lever set as the scenario sets it (value and year);
  its abatement is the baseline's net emissions minus the variant's;
* **removed**: the full package with that lever reset to the reference; its abatement is the variant's
  net emissions minus the package's.

The levers' removed-from-package abatements do not add up to the package's: the remainder, the package's
paired difference minus their sum, is the **interaction** (negative when levers overlap, positive when they
reinforce each other), reported by year and cumulated, per run. Costs are the variant's extra ``costs``
plus ``energy_expenditure`` (fuel and energy bills, so savings count), by payer, in SEK of the data's price
year, discounted at ``appraisal_discount_rate`` to the base year (the scenario's ``levers_from``, else its
start year); the investment part (``investment_costs``) is reported apart as well. Tonnes are not
discounted: the cost per tonne is present net cost / cumulative abatement over the appraisal period
(the start year to the municipality's climate-positive year, ``[targets]`` of its data, or the run's end if
earlier).
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from .data import load_municipality
from .declarations.parameters import BY_NAME, LEVERS
from .factors import APPRAISAL_LEVERS, COST_TERMS, appraisal_base_year, net_spending, present_value
from .scenario import Scenario
from .words import lever_value_words

__all__ = ["PlanVariants", "investment_plan", "levers_at_defaults", "plan_dataset", "plan_variants", "planned_levers",
           "scenario_with_only", "scenario_without"]

HORIZONS = {"2030": "target_reduction_year", "2045": "target_climate_positive_year"}
"""Last years of the cumulative abatements (from the start year, inclusive): the municipality's reduction year
and climate-positive year, read from the batch's target attributes (its data's ``[targets]``); the variables
keep the suffixes ``_2030`` and ``_2045`` as the summaries do, their ``period`` says the years. The later one
closes the appraisal period of costs and cost per tonne."""

ATTRIBUTIONS = ("alone", "removed")
STATISTICS = ("median", "p05", "p95")
_QUANTILES = (0.5, 0.05, 0.95)
BASELINE, PACKAGE = "baseline", "package"


@dataclasses.dataclass(frozen=True)
class PlanVariants:
    """The scenarios of an investment plan, in the order they are run.

    Attributes
    ----------
    scenario, reference : Scenario
        The scenario planned and its baseline, as given.
    baseline, package : Scenario
        The variants run for them (named ``baseline`` and ``package``).
    levers : tuple of str
        Levers the package sets away from the baseline.
    alone, removed : tuple of Scenario
        One per lever: the baseline with only that lever; the package without it.
    """

    scenario: Scenario
    reference: Scenario
    baseline: Scenario
    package: Scenario
    levers: tuple[str, ...]
    alone: tuple[Scenario, ...]
    removed: tuple[Scenario, ...]

    @property
    def scenarios(self) -> list[Scenario]:
        return [self.baseline, self.package, *self.alone, *self.removed]


def levers_at_defaults(scenario: Scenario) -> Scenario:
    """``scenario`` with every lever at its declared default (uncertainties, years and data kept)."""
    return dataclasses.replace(scenario.with_levers(**{p.name: p.default for p in LEVERS}),
                               name=f"{scenario.name} with every lever at its default")


def planned_levers(scenario: Scenario, baseline: Scenario) -> tuple[str, ...]:
    """Levers whose value in ``scenario`` differs from ``baseline``'s, in declaration order (the analysis's
    own :data:`APPRAISAL_LEVERS` left out)."""
    return tuple(p.name for p in LEVERS
                 if p.name not in APPRAISAL_LEVERS and scenario.levers[p.name] != baseline.levers[p.name])


def _timed(scenario: Scenario, lever: str) -> dict:
    """``scenario``'s setting of ``lever`` as ``with_levers`` takes it: its value and its year."""
    return {"value": scenario.levers[lever], "from": scenario.lever_years[lever]}


def scenario_with_only(baseline: Scenario, scenario: Scenario, lever: str) -> Scenario:
    """``baseline`` with ``lever`` set as ``scenario`` sets it (value and year), named ``alone:LEVER``."""
    return dataclasses.replace(baseline.with_levers(**{lever: _timed(scenario, lever)}), name=f"alone:{lever}")


def scenario_without(scenario: Scenario, baseline: Scenario, lever: str) -> Scenario:
    """``scenario`` with ``lever`` reset to ``baseline``'s setting, named ``removed:LEVER``."""
    return dataclasses.replace(scenario.with_levers(**{lever: _timed(baseline, lever)}), name=f"removed:{lever}")


def plan_variants(scenario: Scenario, baseline: Scenario | None = None) -> PlanVariants:
    """The baseline, the package and each lever's two variants (see the module docstring).

    Every variant skips the pledge counterfactual (the plan does not use ``delivered_reduction``, and the
    batch takes half the time) and keeps every output, whatever the scenario's ``[outputs]``.

    Raises
    ------
    ValueError
        If ``baseline`` has other years than ``scenario``, the scenario sets no lever away from it, or
        either names several municipalities.
    """
    for given in (scenario, baseline):
        if given is not None and len(given.municipalities) > 1:
            raise ValueError(f"{given.path}: field 'scenario.municipality': allowed one municipality for an "
                             f"investment plan (plan each city on its own); given "
                             f"{len(given.municipalities)}: {', '.join(m.name for m in given.municipalities)}")
    if baseline is None:
        baseline = levers_at_defaults(scenario)
    if (baseline.start_year, baseline.end_year) != (scenario.start_year, scenario.end_year):
        raise ValueError(f"{baseline.path}: field 'baseline': allowed a scenario of the years "
                         f"{scenario.start_year}-{scenario.end_year} of {scenario.path}; given "
                         f"{baseline.start_year}-{baseline.end_year}")
    levers = planned_levers(scenario, baseline)
    if not levers:
        raise ValueError(f"{scenario.path}: field 'levers': allowed a scenario that sets at least one lever away "
                         f"from the baseline ({baseline.name}); given none")

    def lean(s: Scenario, name: str | None = None) -> Scenario:
        return dataclasses.replace(s, name=name or s.name, pledge_counterfactual=False, outputs=())

    return PlanVariants(scenario, baseline, lean(baseline, BASELINE), lean(scenario, PACKAGE), levers,
                        tuple(lean(scenario_with_only(baseline, scenario, lever)) for lever in levers),
                        tuple(lean(scenario_without(scenario, baseline, lever)) for lever in levers))


def investment_plan(scenario: Scenario, runs: int, seed: int = 1, *, baseline: Scenario | None = None,
                    scale: float | None = None, client=None, workers: int | None = None,
                    store: str | Path | None = None, progress: bool = False,
                    discount_rate: float | None = None) -> xr.Dataset:
    """Per-lever abatement, cost and cost per tonne of a scenario's levers, alone and removed from the package.

    Parameters
    ----------
    scenario : Scenario
        The full package.
    runs : int
        Monte Carlo runs; run ``i`` has the same sample and seed in every variant.
    seed : int
        Root seed of the batch (:func:`sim.run_batch`).
    baseline : Scenario, optional
        The reference; default ``scenario`` with every lever at its declared default. The baseline and
        the "alone" variants take its uncertainties, the package and the "removed" variants the scenario's.
    scale : float, optional
        Population scale of every run; default the scenario's.
    client, workers, store, progress
        As for :func:`sim.run_batch` (a store makes the batch resumable).
    discount_rate : float, optional
        Real discount rate, 1/yr, in [0, 1); default the scenario's ``appraisal_discount_rate`` lever
        (3.5 %/yr unless the scenario sets it).

    Returns
    -------
    xarray.Dataset
        Dimensions ``attribution`` (alone, removed), ``lever``, ``run``, ``year``, ``payer``, ``statistic``
        (median, p05, p95 over runs). Per-run variables ``abatement``, ``cumulative_abatement_2030``,
        ``cumulative_abatement_2045`` (to the targets' reduction and climate-positive years: :data:`HORIZONS`),
        ``present_cost``, ``cost_per_tonne``, ``package_abatement``,
        ``interaction`` and cumulative ``package``/``interaction`` figures, ``cumulative_scope3_abatement_2045``
        (the municipal group's scope 3, outside net territorial emissions); each summarised over runs in
        a ``*_summary`` variable; ``no_cost_reason`` (attribution, lever): empty where the median cost per
        tonne is finite and nonzero, else why not. Units and long_name on every variable.
    """
    from .batch import run_batch

    variants = plan_variants(scenario, baseline)
    rate = _discount_rate(scenario, discount_rate)
    batch = run_batch(variants.scenarios, runs, seed, store=store, client=client, scale=scale, workers=workers,
                      progress=progress)
    return plan_dataset(batch, variants, rate)


def _discount_rate(scenario: Scenario, given: float | None) -> float:
    if given is None:
        return float(scenario.levers["appraisal_discount_rate"])
    if isinstance(given, bool) or not isinstance(given, (int, float)) or not 0 <= given < 1:
        raise ValueError(f"discount_rate: allowed a number in [0, 1) (1/yr, real); given {given!r}")
    return float(given)


def plan_dataset(batch: xr.Dataset, variants: PlanVariants, rate: float) -> xr.Dataset:
    """The plan's Dataset from the batch of ``variants`` (see :func:`investment_plan`)."""
    from . import __version__

    package = variants.package
    years = batch["year"].values
    ends = {suffix: int(batch.attrs[key]) for suffix, key in HORIZONS.items()}
    horizon_end = min(max(ends.values()), int(years[-1]))
    base_year = appraisal_base_year(package)
    net = batch["net_emissions"]
    cost = net_spending(batch)
    investment = batch["investment_costs"]
    levers = list(variants.levers)

    def pick(values: xr.DataArray, scenarios: Sequence[Scenario]) -> xr.DataArray:
        return (values.sel(scenario=[s.name for s in scenarios]).rename(scenario="lever")
                .assign_coords(lever=levers))

    def both(alone: xr.DataArray, removed: xr.DataArray) -> xr.DataArray:
        return xr.concat([alone, removed], dim=xr.DataArray(list(ATTRIBUTIONS), dims="attribution"))

    base_net, package_net = net.sel(scenario=BASELINE, drop=True), net.sel(scenario=PACKAGE, drop=True)
    abatement = both(base_net - pick(net, variants.alone),
                     pick(net, variants.removed) - package_net).transpose("attribution", "lever", "run", "year")
    package_abatement = base_net - package_net
    interaction = package_abatement - abatement.sel(attribution="removed", drop=True).sum("lever")
    base_cost, package_cost = cost.sel(scenario=BASELINE, drop=True), cost.sel(scenario=PACKAGE, drop=True)
    extra_cost = both(pick(cost, variants.alone) - base_cost,
                      package_cost - pick(cost, variants.removed)).transpose("attribution", "lever", "run", ...)
    window = {"year": slice(None, horizon_end)}
    present_cost = present_value(extra_cost, rate, base_year)
    present_package_cost = present_value(package_cost - base_cost, rate, base_year)
    extra_investment = both(pick(investment, variants.alone) - investment.sel(scenario=BASELINE, drop=True),
                            investment.sel(scenario=PACKAGE, drop=True) - pick(investment, variants.removed))
    present_investment = present_value(extra_investment.transpose("attribution", "lever", "run", ...), rate,
                                       base_year)

    first = int(years[0])
    ds = xr.Dataset(attrs={})
    ds["abatement"] = _var(abatement, "t CO2e/yr", "emissions avoided by the lever: baseline net emissions minus "
                           "the baseline with the lever alone ('alone'); the package without the lever minus "
                           "the package ('removed')")
    for suffix, end in ends.items():
        span = f"{first}-{min(end, int(years[-1]))}"
        ds[f"cumulative_abatement_{suffix}"] = _var(abatement.sel(year=slice(None, end)).sum("year"), "t CO2e",
                                                    f"emissions avoided by the lever, summed over {span}"
                                                    ).assign_attrs(period=span)
        ds[f"cumulative_package_abatement_{suffix}"] = _var(
            package_abatement.sel(year=slice(None, end)).sum("year"), "t CO2e",
            f"emissions avoided by the whole package against the baseline, summed over {span}")
        ds[f"cumulative_interaction_{suffix}"] = _var(
            interaction.sel(year=slice(None, end)).sum("year"), "t CO2e",
            f"interaction of the levers summed over {span}: the package's abatement minus the sum of the levers' "
            "removed-from-package abatements")
    scope3 = batch["municipal_group_emissions"].sel(scope="scope3", drop=True)
    base_scope3 = scope3.sel(scenario=BASELINE, drop=True)
    scope3_abatement = both(base_scope3 - pick(scope3, variants.alone),
                            pick(scope3, variants.removed) - scope3.sel(scenario=PACKAGE, drop=True))
    ds["cumulative_scope3_abatement_2045"] = _var(
        scope3_abatement.transpose("attribution", "lever", "run", "year").sel(window).sum("year"), "t CO2e",
        f"the municipal group's scope-3 emissions (its purchases, mostly produced elsewhere; not part of net "
        f"territorial emissions) avoided by the lever, summed over {first}-{horizon_end}").assign_attrs(
        period=f"{first}-{horizon_end}")
    ds["package_abatement"] = _var(package_abatement, "t CO2e/yr",
                                   "emissions avoided by the whole package: baseline minus package net emissions")
    ds["interaction"] = _var(interaction, "t CO2e/yr", "interaction of the levers: the package's abatement minus "
                             "the sum of the levers' removed-from-package abatements (negative: levers overlap)")
    appraisal = f"{first}-{horizon_end}"
    discounted = f"discounted at {100 * rate:g} %/yr real to {base_year}, summed over {appraisal}"
    ds["present_cost"] = _var(present_cost, "SEK", f"extra net cost of the lever by payer ({' + '.join(COST_TERMS)}), "
                              + discounted)
    ds["present_investment_cost"] = _var(present_investment, "SEK",
                                         "extra investment of the lever by payer (investment_costs; the rest of "
                                         "present_cost is running spending and energy), " + discounted)
    ds["present_package_cost"] = _var(present_package_cost, "SEK",
                                      f"extra net cost of the whole package by payer ({' + '.join(COST_TERMS)}), "
                                      + discounted)
    tonnes = ds["cumulative_abatement_2045"]
    total = present_cost.sum("payer")
    ds["cost_per_tonne"] = _var(xr.where(tonnes > 0, total / tonnes.where(tonnes > 0), np.nan), "SEK/t CO2e",
                                f"present net cost (all payers) per tonne avoided over {appraisal}, tonnes not "
                                "discounted (NaN in a run with no positive abatement)")
    for name in list(ds.data_vars):
        if "run" in ds[name].dims:
            ds[f"{name}_summary"] = _summary(ds[name])
    ds["no_cost_reason"] = _no_cost_reasons(ds, appraisal, " + ".join(COST_TERMS))
    for lever in ("lever_value", "reference_value"):
        source = package if lever == "lever_value" else variants.baseline
        ds[lever] = (("lever",), np.array([_setting(source, name) for name in levers]),
                     {"long_name": "the lever's setting in the package" if source is package else
                      "the lever's setting in the baseline (what 'removed' resets it to)"})
    ds["variant"] = (("attribution", "lever"),
                     np.array([[s.name for s in variants.alone], [s.name for s in variants.removed]]),
                     {"long_name": "name of the variant run for the lever in the batch"})
    ds = ds.assign_coords(
        attribution=("attribution", list(ATTRIBUTIONS), {"long_name": "alone: the lever added to the baseline; "
                                                         "removed: the lever taken out of the package"}),
        lever=("lever", levers, {"long_name": "lever of the scenario set away from the baseline"}),
        statistic=("statistic", list(STATISTICS), {"long_name": "median and 5 % and 95 % quantiles over runs"}))
    for name in ("run", "year", "payer"):
        ds[name].attrs = dict(batch[name].attrs)
    price_year = load_municipality(package.municipality).price_year
    for name in ("present_cost", "present_investment_cost", "present_package_cost", "cost_per_tonne"):
        for variable in (name, f"{name}_summary"):
            ds[variable].attrs["price_year"] = price_year
    ds.attrs = {
        "title": f"sim investment plan of scenario {variants.scenario.name!r} ({len(levers)} levers)",
        "Conventions": "CF-1.10", "source": f"sim {__version__} (klimatsim), agent-based model",
        "history": (f"sim {__version__} investment_plan(scenario={variants.scenario.name!r}, runs={batch.sizes['run']}, "
                    f"seed={batch.attrs['seed']}, baseline={variants.reference.name!r}, discount_rate={rate:g})"),
        "sim_version": __version__, "seed": batch.attrs["seed"], "runs": batch.sizes["run"],
        "scale": float(batch["scale"].values[0]), "scenario_text": package.text,
        "baseline_text": variants.baseline.text, "discount_rate": rate, "discount_base_year": int(base_year),
        "appraisal_period": appraisal, "price_year": price_year,
        "net_cost_terms": " + ".join(COST_TERMS), "cost_per_tonne_definition": (
            "per run: present net cost of all payers / undiscounted tonnes avoided over the appraisal period; "
            "median and 5-95 % band over the runs with positive abatement"),
        "interaction_definition": "package_abatement - sum over levers of abatement(attribution='removed')",
    }
    return ds


def _var(values: xr.DataArray, units: str, long_name: str) -> xr.DataArray:
    return values.assign_attrs(units=units, long_name=long_name)


def _summary(values: xr.DataArray) -> xr.DataArray:
    """Median, 5 % and 95 % over runs (NaN runs left out), with ``values``' attributes."""
    with warnings.catch_warnings():  # a lever with no positive abatement in any run: NaN, said in no_cost_reason
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        stats = values.quantile(list(_QUANTILES), dim="run", skipna=True).rename(quantile="statistic")
    stats = stats.assign_coords(statistic=list(STATISTICS)).transpose("statistic", ...)
    return stats.assign_attrs(units=values.attrs["units"],
                              long_name=f"{values.attrs['long_name']}: median and 5-95 % band over runs")


def _no_cost_reasons(ds: xr.Dataset, appraisal: str, terms: str) -> xr.DataArray:
    """Why a lever has no finite, nonzero median cost per tonne ("" when it has one)."""
    tonnes = ds["cumulative_abatement_2045"]
    cost = ds["present_cost"].sum("payer")
    runs = tonnes.sizes["run"]
    reasons = np.full((ds.sizes["attribution"], ds.sizes["lever"]), "", dtype=object)
    for a, attribution in enumerate(ds["attribution"].values):
        for k, lever in enumerate(ds["lever"].values):
            t = tonnes.sel(attribution=attribution, lever=lever).values
            c = cost.sel(attribution=attribution, lever=lever).values
            per_t = float(ds["cost_per_tonne_summary"].sel(attribution=attribution, lever=lever,
                                                          statistic="median"))
            positive = int((t > 0).sum())
            scope3 = float(np.median(ds["cumulative_scope3_abatement_2045"].sel(attribution=attribution,
                                                                                 lever=lever).values))
            if positive == 0 and scope3 > 0:
                reasons[a, k] = (f"no territorial abatement: the lever cuts the municipal group's scope 3 (the "
                                 f"emissions of its purchases, mostly produced elsewhere), which net territorial "
                                 f"emissions do not count: {scope3:,.0f} t CO2e of scope 3 over {appraisal} "
                                 f"(median), {float(np.median(c)) / scope3:,.0f} SEK per tonne of scope 3")
            elif positive == 0:
                reasons[a, k] = (f"no abatement: emissions avoided over {appraisal} not positive in any run "
                                 f"(median {np.median(t):,.0f} t CO2e)")
            elif not np.any(c != 0):
                reasons[a, k] = ("no cost: the engine books no spending or saving for this lever "
                                 f"({terms} unchanged in every run)")
            elif 2 * positive < runs:
                reasons[a, k] = f"abatement positive in only {positive} of {runs} runs: cost per tonne not robust"
            elif not math.isfinite(per_t) or per_t == 0:
                reasons[a, k] = "median cost per tonne zero or undefined over the runs with positive abatement"
    return xr.DataArray(reasons.astype(str), dims=("attribution", "lever"),
                        attrs={"long_name": "why the lever has no finite, nonzero cost per tonne (empty: it has)"})


def _setting(scenario: Scenario, lever: str) -> str:
    """A lever's value, units and year in words, e.g. ``20,000,000 SEK/yr from 2023``, ``0.03 per yr``."""
    p = BY_NAME[lever]
    value = scenario.levers[lever]
    shown = lever_value_words(lever, value)
    return f"{shown} from {scenario.lever_years[lever]}" if p.timed and value != p.default else shown
