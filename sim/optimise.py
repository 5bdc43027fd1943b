"""What it takes: the cheapest lever portfolios that meet the 2030 target with a chosen probability.

A portfolio gives each decision lever a value within its range (:mod:`sim.factors`: the scenario's
range, else the declared one; a year lever within the scenario's years). NSGA-II (pymoo, Deb et
al. 2002) searches the portfolios for two objectives at once, the expected present cost (lower is
better) and the probability of meeting the 2030 target (higher is better), so one search gives the
whole cost-probability Pareto front and so the cheapest portfolio for every probability.

Every portfolio is evaluated on the same ``runs`` runs: one batch per generation, each portfolio a
scenario of it, so that every portfolio meets the same sample of uncertainties and the same run
seeds (common random numbers) and a difference between two portfolios is theirs, not noise. A
portfolio's probability is the share of its runs that meet the target; its cost the mean over runs
of its extra present net cost against the baseline (the scenario with every lever at its declared
default, run once on the same runs): net spending (``costs + energy_expenditure``, so energy and fuel
savings count) over every payer, discounted as in the investment plan (:func:`sim.factors.present_cost`).
Choice levers are not searched (they keep the scenario's value). pymoo is preferred to optuna
(single-objective first, its multi-objective samplers are thinner) and platypus (less maintained): it
is kept by its authors at Michigan State.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from . import __version__
from .data import load_municipality
from .declarations.parameters import BY_NAME, LEVERS
from .factors import APPRAISAL_END, APPRAISAL_LEVERS, Factor, appraisal_base_year, factors_of, present_cost
from .scenario import Scenario

__all__ = ["contract_levers", "non_dominated", "plot_front", "what_it_takes"]


def contract_levers(scenario: Scenario) -> list[str]:
    """The numeric levers a scenario uses: set away from their declared default, or given as a range (the
    analysis's own :data:`sim.factors.APPRAISAL_LEVERS` left out: a search would just raise the rate)."""
    return [p.name for p in LEVERS if not p.is_choice and p.name not in APPRAISAL_LEVERS
            and (p.name in scenario.lever_ranges or scenario.levers[p.name] != p.default)]


def non_dominated(cost: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Mask of the portfolios no other is at least as cheap and as likely as, and better in one."""
    cost, probability = np.asarray(cost, dtype=float), np.asarray(probability, dtype=float)
    cheaper_or_equal = cost[None, :] <= cost[:, None]
    likelier_or_equal = probability[None, :] >= probability[:, None]
    strictly = (cost[None, :] < cost[:, None]) | (probability[None, :] > probability[:, None])
    return ~np.any(cheaper_or_equal & likelier_or_equal & strictly, axis=1)


@dataclasses.dataclass
class Evaluations:
    """Every portfolio evaluated, with its runs' outcomes."""

    levers: list[Factor]
    values: list[np.ndarray] = dataclasses.field(default_factory=list)   # each float64[d]
    met: list[np.ndarray] = dataclasses.field(default_factory=list)      # each float64[runs]
    cost: list[np.ndarray] = dataclasses.field(default_factory=list)     # each float64[runs], SEK
    excess: list[np.ndarray] = dataclasses.field(default_factory=list)   # each float64[runs], t CO2e/yr
    generation: list[int] = dataclasses.field(default_factory=list)


def _portfolio_values(levers: Sequence[Factor], x: np.ndarray) -> np.ndarray:
    """A point of the search space as lever values (whole years rounded)."""
    return np.array([round(v) if f.integer else float(v) for f, v in zip(levers, x)], dtype=float)


def _lean(scenario: Scenario, name: str) -> Scenario:
    """``scenario`` named ``name``, without the pledge counterfactual (no outcome here needs it), every output."""
    return dataclasses.replace(scenario, name=name, pledge_counterfactual=False, outputs=())


def baseline_cost(scenario: Scenario, runs: int, seed: int, scale: float | None, rate: float,
                  client) -> np.ndarray:
    """Present net cost (SEK) of each run of the baseline: ``scenario`` with every lever at its declared default."""
    from .batch import run_batch
    from .plan import levers_at_defaults

    ds = run_batch(_lean(levers_at_defaults(scenario), "baseline"), runs=runs, seed=seed, scale=scale, client=client)
    return present_cost(ds, rate, appraisal_base_year(scenario)).values[0]


def evaluate(scenario: Scenario, evaluations: Evaluations, points: np.ndarray, runs: int, seed: int,
             scale: float | None, rate: float, client, generation: int,
             baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run every portfolio of ``points`` (float64[k, d]) on the same runs; the mean extra costs (against
    ``baseline``, float64[runs] SEK from :func:`baseline_cost`) and the probabilities."""
    from .batch import run_batch

    values = [_portfolio_values(evaluations.levers, x) for x in points]
    scenarios = [_lean(scenario.with_levers(**{f.name: (int(v) if f.integer else float(v))
                                               for f, v in zip(evaluations.levers, row)}),
                       f"portfolio_{len(evaluations.values) + k}")
                 for k, row in enumerate(values)]
    ds = run_batch(scenarios, runs=runs, seed=seed, scale=scale, client=client)
    base, year = int(ds.attrs["target_base_year"]), int(ds.attrs["target_reduction_year"])
    allowed = ds["net_emissions"].sel(year=base) * float(ds.attrs["target_allowed_share"])
    excess = (ds["net_emissions"].sel(year=year) - allowed).values
    met = ds["target_2030_met"].values.astype(float)
    cost = present_cost(ds, rate, appraisal_base_year(scenario)).values - baseline[None, :]
    for k, row in enumerate(values):
        evaluations.values.append(row)
        evaluations.met.append(met[k])
        evaluations.cost.append(cost[k])
        evaluations.excess.append(excess[k])
        evaluations.generation.append(generation)
    return cost.mean(axis=1), met.mean(axis=1)


def what_it_takes(scenario: Scenario, levers: Sequence[str] | None = None, runs: int = 16, seed: int = 0,
                  probabilities: Sequence[float] = (0.5, 0.9), *, population: int = 12, generations: int = 6,
                  scale: float | None = None, rate: float | None = None, client=None,
                  workers: int | None = None) -> xr.Dataset:
    """Search lever portfolios for the cheapest that meet the 2030 target with each probability.

    Parameters
    ----------
    scenario : Scenario
        The levers not searched keep its values; its own portfolio and the one with every lever at its
        most (a year lever at its earliest) are in the first generation.
    levers : sequence of str, optional
        Decision levers (numeric); default :func:`contract_levers`.
    runs : int
        Runs per portfolio, the same for all (common random numbers).
    seed : int
        Seed of the runs and of the search.
    probabilities : sequence of float
        The probabilities p for which the cheapest portfolio with P(target) >= p is reported.
    population, generations : int
        NSGA-II's population size and number of generations (``population * generations`` portfolios).
    scale : float, optional
        Population scale of the runs.
    rate : float, optional
        Real discount rate of the present cost, 1/yr; default the scenario's lever
        ``appraisal_discount_rate``.
    client, workers
        As in :func:`sim.run_batch`.

    Returns
    -------
    xarray.Dataset
        Along ``portfolio`` (every one evaluated): the lever values, ``cost`` (SEK: mean extra present net
        cost against the baseline),
        ``probability``, ``on_front``, ``generation``; per run ``target_met``, ``run_cost`` and
        ``excess_2030`` (t CO2e/yr above the target's allowed level); along ``p``: ``cheapest`` (the
        portfolio, -1 if none), ``cheapest_cost``, ``gap_2030`` (kt CO2e/yr: the least, over the
        portfolios, of the p-quantile of the runs' excess; > 0 means none gets there), ``answer`` (text).
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    from .cluster import connect

    names = contract_levers(scenario) if levers is None else list(levers)
    bad = [n for n in names if n not in BY_NAME or BY_NAME[n].role != "lever" or BY_NAME[n].is_choice
           or n in APPRAISAL_LEVERS]
    if not names or bad:
        raise ValueError(f"levers: allowed numeric levers of sim.declarations.parameters other than "
                         f"{', '.join(APPRAISAL_LEVERS)} (the cost appraisal's); given {bad or names}")
    if rate is None:
        rate = scenario.levers.get("appraisal_discount_rate")
        if rate is None:
            raise ValueError("rate: allowed a real discount rate in 1/yr (the scenario has no appraisal_discount_rate)")
    for p in probabilities:
        if not 0.0 < p <= 1.0:
            raise ValueError(f"probabilities: allowed values in (0, 1]; given {p!r}")
    factors = factors_of(scenario, names)
    lower, upper = np.array([f.low for f in factors]), np.array([f.high for f in factors])
    evaluations = Evaluations(factors)
    rng = np.random.default_rng(seed)
    most = np.where([f.units == "year" for f in factors], lower, upper)  # all out: a year lever at its earliest
    start = np.clip([[float(scenario.levers[f.name]) for f in factors], most], lower, upper)
    initial = np.vstack([start, lower + rng.random((max(population - 2, 0), len(factors))) * (upper - lower)])

    with connect(client, workers) as dask_client:
        baseline = baseline_cost(scenario, runs, seed, scale, float(rate), dask_client)

        class Search(Problem):
            def __init__(self):
                super().__init__(n_var=len(factors), n_obj=2, xl=lower, xu=upper)
                self.generation = 0

            def _evaluate(self, x, out, *args, **kwargs):
                cost, probability = evaluate(scenario, evaluations, np.atleast_2d(x), runs, seed, scale,
                                             float(rate), dask_client, self.generation, baseline)
                self.generation += 1
                out["F"] = np.column_stack([cost, -probability])

        minimize(Search(), NSGA2(pop_size=population, sampling=initial[:population]), ("n_gen", generations),
                 seed=seed, verbose=False)
    return _result(scenario, evaluations, tuple(float(p) for p in probabilities), runs, seed, scale, rate)


def _result(scenario: Scenario, ev: Evaluations, probabilities: tuple[float, ...], runs: int, seed: int,
            scale: float | None, rate: float) -> xr.Dataset:
    base_year = appraisal_base_year(scenario)
    appraisal = (f"costs + energy_expenditure over every payer, discounted at {100 * rate:g} %/yr real to "
                 f"{base_year}, summed over {scenario.start_year}-{min(APPRAISAL_END, scenario.end_year)}")
    met, run_cost, excess = np.array(ev.met), np.array(ev.cost), np.array(ev.excess)
    cost, probability = run_cost.mean(axis=1), met.mean(axis=1)
    front = non_dominated(cost, probability)
    cheapest, cheapest_cost, gaps, answers = [], [], [], []
    for p in probabilities:
        ok = np.flatnonzero(probability >= p)
        gap = float(np.min(np.quantile(excess, p, axis=1))) / 1000.0
        best = int(ok[np.argmin(cost[ok])]) if ok.size else -1
        cheapest.append(best)
        cheapest_cost.append(float(cost[best]) if ok.size else np.nan)
        gaps.append(gap)
        if ok.size:
            answers.append(f"p >= {p:g}: portfolio {best}, extra present net cost {cost[best] / 1e9:.3g} billion "
                           f"SEK against the baseline")
        else:
            answers.append(f"p >= {p:g}: no portfolio within the levers' ranges gets there; the best probability "
                           f"reached is {probability.max():.2f} and the p-quantile of 2030 emissions is still "
                           f"{gap:.3g} kt CO2e/yr above the target")
    data = {
        f.name: (("portfolio",), np.array(ev.values)[:, j], {"units": f.units, "long_name": BY_NAME[f.name].meaning,
                                                             "role": "lever", "range": f.describe()})
        for j, f in enumerate(ev.levers)}
    data.update({
        "cost": (("portfolio",), cost, {"units": "SEK", "long_name": "mean over runs of the extra present net cost "
                                        "against the baseline (every lever at its declared default), "
                                        + appraisal}),
        "probability": (("portfolio",), probability, {"units": "1", "long_name": "share of the runs meeting "
                                                      "the 2030 target (without compensation)"}),
        "on_front": (("portfolio",), front, {"units": "1", "long_name": "on the cost-probability Pareto front"}),
        "generation": (("portfolio",), np.array(ev.generation), {"units": "1", "long_name": "NSGA-II generation"}),
        "target_met": (("portfolio", "run"), met, {"units": "1", "long_name": "2030 target met in the run"}),
        "run_cost": (("portfolio", "run"), run_cost, {"units": "SEK", "long_name": "extra present net cost of the "
                                                      "run against the baseline's same run, " + appraisal}),
        "excess_2030": (("portfolio", "run"), excess, {"units": "t CO2e/yr", "long_name": "net emissions in the "
                                                       "target year above the target's allowed level"}),
        "cheapest": (("p",), np.array(cheapest), {"units": "1", "long_name": "cheapest portfolio with probability "
                                                  ">= p (-1: none)"}),
        "cheapest_cost": (("p",), np.array(cheapest_cost),
                          {"units": "SEK", "long_name": "its extra present net cost against the baseline"}),
        "gap_2030": (("p",), np.array(gaps), {"units": "kt CO2e/yr", "long_name": "least p-quantile over the "
                                              "portfolios of the excess over the target (<= 0: reached)"}),
        "answer": (("p",), np.array(answers), {"long_name": "the answer in words"}),
    })
    coords = {"portfolio": ("portfolio", np.arange(len(cost)), {"long_name": "portfolio evaluated"}),
              "run": ("run", np.arange(runs), {"long_name": "run (the same seed and sample for every portfolio)"}),
              "p": ("p", np.array(probabilities), {"units": "1", "long_name": "probability asked for"})}
    return xr.Dataset(data, coords=coords, attrs={
        "title": f"What it takes: lever portfolios of scenario {scenario.name}", "Conventions": "CF-1.10",
        "sim_version": __version__, "scenario": scenario.name, "runs": runs, "seed": seed, "discount_rate": rate,
        "discount_base_year": base_year, "price_year": load_municipality(scenario.municipality).price_year,
        "scale": float(scenario.scale if scale is None else scale), "method": "NSGA-II (pymoo)"})


def plot_front(result: xr.Dataset, path: str | Path | None = None):
    """Every portfolio's present cost against its probability, the Pareto front joined, the answers marked.

    Returns the matplotlib Figure; written to ``path`` if given.
    """
    from .report import plain_text, pyplot

    plt = pyplot()
    cost, probability = result["cost"].values / 1e9, result["probability"].values
    front = result["on_front"].values
    order = np.argsort(cost[front])
    with plain_text():
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        ax.scatter(cost, probability, s=14, color="lightgrey", label="portfolios evaluated")
        ax.plot(cost[front][order], probability[front][order], "o-", color="tab:blue", label="Pareto front")
        for p, best in zip(result["p"].values, result["cheapest"].values):
            ax.axhline(p, color="grey", ls=":", lw=1)
            if best >= 0:
                ax.plot(cost[best], probability[best], "*", ms=14, color="tab:red")
                ax.annotate(f"cheapest for p >= {p:g}", (cost[best], probability[best]),
                            textcoords="offset points", xytext=(6, -12))
        ax.set_xlabel("extra present net cost against the baseline (billion SEK)")
        ax.set_ylabel("probability of meeting the 2030 target (1)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"What it takes: {result.attrs['scenario']}")
        ax.legend(loc="lower right")
        fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
