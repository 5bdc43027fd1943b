"""The fit: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), batch by batch.

pyabc (Klinger, Rickert and Hasenauer 2018; kept, pure Python, installs with numpy 2 on Python 3.11)
gives the prior, the proposal kernel (a multivariate normal mixture around the last generation's
particles, Silverman bandwidth: ``pyabc.MultivariateNormalTransition``) and its density for the
importance weights. Each generation's proposals are simulated as ONE :func:`sim.run_batch` call
(a design fixing the fitted parameters run by run; the unfitted uncertainties drawn from their
ranges), so on Dask, with progress, and resumable: generation ``t``'s store is
``OUT/generation_<t>.zarr``, and a rerun of the same call recomputes only what is missing (the
proposals are a deterministic function of the seed and the earlier generations).

A generation proposes ``ceil(particles / acceptance)`` parameter vectors and keeps the
``particles`` closest to the observations (:mod:`sim.calibration.distances`); its tolerance is the
largest distance kept. Weights are prior density over proposal density (Beaumont et al. 2009), the
first generation's uniform (proposals from the prior).
"""
from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..batch import run_batch, scenario_hash
from ..cluster import connect
from ..declarations.parameters import BY_NAME
from ..data import load_municipality
from ..scenario import Scenario, load_scenario
from .distances import distance, noise_sd
from .observations import Observations, load_observations, simulated

FITTED = ("bev_barrier_2020", "bev_barrier_trend", "phev_barrier", "bev_premium_decline", "imitation_rate",
          "social_weight", "cost_weight", "discount_rate_households", "car_replacement_rate", "car_use_trend",
          "pandemic_car_traffic_cut", "heating_switching_hassle", "heating_replacement_rate", "firm_heating_trend",
          "pledge_base_rate", "pledge_social_weight")
"""Behavioural uncertainties fitted by default: car choice (the BEV constant and its trend, the PHEV constant, the
fall of the BEV premium, which sets how steeply BEVs rose from 2015, imitation, the social and cost weights, the
households' discount rate, replacement), car use (its trend and the pandemic's cut), heating (switching hassle,
replacement, firms' oil phase-out) and pledges (base rate, social weight). Several of them
move the same plug-in shares (the constants, the social and cost weights, the discount rate): the posterior's
widths against the prior's (:func:`sim.calibration.checks.parameter_widths`) say which the series identify.
Left to their priors: the arena's reach (one observed pledge count, which the base rate already spans), the
attitude weight (a scale of the same green term as the social weight) and every uncertainty of the other
sectors, whose totals follow trends and emission factors, not behaviour."""


LAST_OBSERVED_YEAR = 2021
"""Last year of the outcome series in the repository (later years are kept for checking hindcasts)."""


def prior(scenario: Scenario, fitted: Sequence[str]):
    """The prior of the fitted parameters: the scenario's distributions, as a ``pyabc.Distribution``."""
    import pyabc

    rvs = {}
    for name in fitted:
        if name not in scenario.uncertainties:
            raise ValueError(f"fitted.{name}: allowed an uncertainty of sim.declarations.parameters; given "
                             f"{name!r}")
        d = scenario.uncertainties[name]
        width = d.high - d.low
        if d.kind == "uniform" and width > 0:
            rvs[name] = pyabc.RV("uniform", d.low, width)
        elif d.kind == "triangular" and width > 0:
            rvs[name] = pyabc.RV("triang", (d.mode - d.low) / width, loc=d.low, scale=width)
        else:
            raise ValueError(f"{scenario.path}: field 'uncertainties.{name}': allowed a uniform or triangular "
                             f"range to fit; given {d.kind} {d.low:g}-{d.high:g}")
    return pyabc.Distribution(**rvs)


@contextlib.contextmanager
def _numpy_seed(seed: int):
    """pyabc's kernels draw from numpy's global generator: seed it here, put it back afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _child_seed(seed: int, *keys: int) -> int:
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0])


def propose(scenario: Scenario, fitted: Sequence[str], n: int, seed: int, population: pd.DataFrame | None = None,
            weights: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` parameter vectors and their importance weights (normalised).

    From the prior when ``population`` is None (uniform weights), else from pyabc's kernel fitted to
    the weighted population, redrawn until inside the prior's support.
    """
    import pyabc

    density = prior(scenario, fitted)
    rng = np.random.default_rng(seed)
    if population is None:
        q = rng.random((n, len(fitted)))
        theta = pd.DataFrame({name: [scenario.uncertainties[name].ppf(float(x)) for x in q[:, k]]
                              for k, name in enumerate(fitted)})
        return theta, np.full(n, 1.0 / n)
    kernel = pyabc.MultivariateNormalTransition()
    kernel.fit(population[list(fitted)], np.asarray(weights) / np.sum(weights))
    kept: list[pd.DataFrame] = []
    with _numpy_seed(_child_seed(seed, 1)):
        while sum(len(k) for k in kept) < n:
            draw = kernel.rvs(size=2 * n).reset_index(drop=True)
            inside = np.array([density.pdf(row.to_dict()) > 0 for _, row in draw.iterrows()])
            kept.append(draw[inside])
    theta = pd.concat(kept, ignore_index=True).iloc[:n][list(fitted)].reset_index(drop=True)
    w = np.array([density.pdf(row.to_dict()) for _, row in theta.iterrows()]) / np.asarray(kernel.pdf(theta))
    return theta, w / w.sum()


def scenario_observations(scenario: Scenario, last_year: int = LAST_OBSERVED_YEAR,
                          sectors: tuple[str, ...] | None = None) -> Observations:
    """The observed points of every municipality of ``scenario``, from its start year to ``last_year``.

    The 2023 pledge count belongs to a fit of the whole record: it is added for a city that has one
    (Eskilstuna) when ``last_year`` is the last observed year, and left out of an out-of-sample fit that
    stops earlier. ``sectors``: the SMHI sectors (default the fitted ones).
    """
    extra = {} if sectors is None else {"sectors": sectors}
    return Observations.concatenate([
        load_observations(folder, (scenario.start_year, last_year),
                          pledges=last_year >= LAST_OBSERVED_YEAR and "pledges_2023" in load_municipality(folder).figures,
                          **extra)
        for folder in scenario.municipalities])


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def calibrate(scenario: Scenario | str | Path, out: str | Path, *, particles: int = 300, generations: int = 4,
              scale: float | None = None, seed: int = 0, fitted: Sequence[str] = FITTED,
              observations: Observations | None = None, last_year: int = 2021, acceptance: float = 0.25,
              pilot_runs: int = 20, client=None, workers: int | None = None,
              progress: bool = False) -> xr.Dataset:
    """Fit the behavioural uncertainties to the observed series by ABC-SMC (see the module).

    Parameters
    ----------
    scenario : Scenario or path
        A hindcast, e.g. ``scenarios/hindcast_2015.toml``: it must start in the first observed year and
        reach a year past the last.
    out : str or Path
        Folder of the batch stores (pilot and generations); created if missing.
    particles, generations : int
        Particles kept per generation; generations (>= 1).
    scale : float, optional
        Population scale of the runs (default the scenario's).
    seed : int
    fitted : sequence of str
        Uncertainties fitted (default :data:`FITTED`); the others are drawn from their ranges run by run.
    observations : Observations, optional
        Default the observed series of every municipality of the scenario
        (:func:`scenario_observations`): one city's fit, or a pooled fit of several cities' histories
        with the fitted parameters shared.
    last_year : int
        Last year of the yearly series fitted (default 2021, the last observed); before it (an
        out-of-sample fit) the 2023 pledge count is left out as well.
    acceptance : float
        Share of a generation's proposals kept, in (0, 1].
    pilot_runs : int
        Runs at the prior centre that measure the noise sd of each point.
    client, workers, progress
        As :func:`sim.run_batch`; one cluster serves every generation.

    Returns
    -------
    xarray.Dataset
        The posterior (:func:`sim.calibration.posterior.write_posterior` writes it).
    """
    scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    fitted = tuple(fitted)
    if not fitted or len(set(fitted)) != len(fitted):
        raise ValueError(f"fitted: allowed distinct uncertainty names; given {list(fitted)}")
    whole = "a whole number >= "
    for name, value, ok, allowed in (
            ("particles", particles, isinstance(particles, int) and particles >= 2, whole + "2"),
            ("generations", generations, isinstance(generations, int) and generations >= 1, whole + "1"),
            ("pilot_runs", pilot_runs, isinstance(pilot_runs, int) and pilot_runs >= 2, whole + "2"),
            ("acceptance", acceptance, isinstance(acceptance, float) and 0 < acceptance <= 1, "a number in (0, 1]")):
        if not ok:
            raise ValueError(f"{name}: allowed {allowed}; given {value!r}")
    prior(scenario, fitted)  # checks the names and ranges before any run
    obs = observations or scenario_observations(scenario, last_year)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    n_proposals = math.ceil(particles / acceptance)
    history = {"epsilon": [], "ess": [], "proposals": []}
    with connect(client, workers) as dask_client:
        def batch(name: str, design: dict, runs: int, batch_seed: int) -> np.ndarray:
            ds = run_batch(scenario, runs, seed=batch_seed, store=out / f"{name}.zarr", client=dask_client,
                           scale=scale, design=design, progress=progress, parameters="prior")
            return simulated(ds, obs)

        centre = {name: [scenario.uncertainties[name].centre] * pilot_runs for name in fitted}
        pilot = batch("pilot", centre, pilot_runs, _child_seed(seed, 0))
        sd = noise_sd(pilot, obs)
        population = weights = None
        for t in range(generations):
            theta, w = propose(scenario, fitted, n_proposals, _child_seed(seed, 1, t), population, weights)
            sims = batch(f"generation_{t}", {name: theta[name].to_numpy() for name in fitted}, n_proposals,
                         _child_seed(seed, 2, t))
            d = distance(sims, obs, sd)
            keep = np.argsort(d, kind="stable")[:particles]
            population, weights = theta.iloc[keep].reset_index(drop=True), w[keep] / w[keep].sum()
            sims_kept, d_kept = sims[keep], d[keep]
            history["epsilon"].append(float(d_kept.max()))
            history["ess"].append(float(1.0 / np.sum(weights ** 2)))
            history["proposals"].append(n_proposals)
            _say(progress, f"generation {t}: tolerance {d_kept.max():.3g}, median distance {np.median(d_kept):.3g}, "
                           f"effective sample size {history['ess'][-1]:.1f} of {particles}")
    return _posterior(scenario, fitted, population, weights, d_kept, sims_kept, obs, sd, history,
                      scale=scenario.scale if scale is None else float(scale), seed=seed, pilot=pilot)


def _posterior(scenario: Scenario, fitted: tuple[str, ...], population: pd.DataFrame, weights: np.ndarray,
               distances: np.ndarray, sims: np.ndarray, obs: Observations, sd: np.ndarray, history: dict,
               scale: float, seed: int, pilot: np.ndarray) -> xr.Dataset:
    from .. import __version__

    lows = [scenario.uncertainties[n].low for n in fitted]
    highs = [scenario.uncertainties[n].high for n in fitted]
    ds = xr.Dataset(
        {"sample": (("particle", "parameter"), population[list(fitted)].to_numpy(float),
                    {"long_name": "posterior particle: value of each fitted parameter (units in parameter_units)"}),
         "weight": ("particle", weights, {"units": "1", "long_name": "normalised importance weight"}),
         "distance": ("particle", distances, {"units": "1", "long_name": "distance of the particle's run to "
                                              "the observations (sim.calibration.distances)"}),
         "simulated_value": (("particle", "point"), sims, {"long_name": "the particle's simulated value of each "
                                                           "observed point (posterior predictive draw)"}),
         "pilot_value": (("pilot_run", "point"), pilot, {"long_name": "simulated points of the pilot runs at "
                                                         "the prior centre"}),
         "noise_sd": ("point", sd, {"long_name": "noise sd of the point: pilot spread and observation error"}),
         "prior_low": ("parameter", np.array(lows), {"long_name": "prior range: low end"}),
         "prior_high": ("parameter", np.array(highs), {"long_name": "prior range: high end"}),
         "prior_kind": ("parameter", np.array([scenario.uncertainties[n].kind for n in fitted]),
                        {"long_name": "prior distribution"}),
         "prior_mode": ("parameter", np.array([scenario.uncertainties[n].mode if scenario.uncertainties[n].kind
                                               == "triangular" else np.nan for n in fitted], dtype=float),
                        {"long_name": "prior mode (triangular priors; NaN for uniform ones)"}),
         "parameter_units": ("parameter", np.array([BY_NAME[n].units for n in fitted]),
                             {"long_name": "units of the parameter"}),
         "epsilon": ("generation", np.array(history["epsilon"]), {"units": "1", "long_name": "tolerance: "
                                                                  "largest distance kept"}),
         "ess": ("generation", np.array(history["ess"]), {"units": "1", "long_name": "effective sample size"}),
         "proposals": ("generation", np.array(history["proposals"], dtype=np.int64),
                       {"units": "1", "long_name": "parameter vectors simulated"})},
        coords={"parameter": ("parameter", np.array(fitted), {"long_name": "fitted uncertain parameter"}),
                "particle": np.arange(len(weights)), "generation": np.arange(len(history["epsilon"]))})
    ds = ds.merge(obs.to_dataset(), combine_attrs="override")
    ds.attrs.update({"title": f"sim posterior of scenario '{scenario.name}' (ABC-SMC)",
                     "library": "pyabc", "library_version": version("pyabc"), "sim_version": __version__,
                     "scenario": scenario.name, "scenario_hash": scenario_hash(scenario),
                     "scenario_text": scenario.text, "scale": scale, "seed": seed,
                     "observations_source": obs.source,
                     "fitted_years": ", ".join(f"{name} {int(obs.years[obs.series == name].min())}-"
                                               f"{int(obs.years[obs.series == name].max())}"
                                               for name in dict.fromkeys(obs.series)),
                     "fitted_parameters": ", ".join(fitted)})
    return ds
