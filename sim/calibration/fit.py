"""The fit: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), batch by batch.

The algorithm is the replenishment ABC-SMC of Drovandi and Pettitt (2011, *Biometrics* 67, 225-233), an
adaptive ABC-SMC with MCMC moves (Del Moral, Doucet and Jasra 2012): the particles keep equal weights, so
their effective number does not collapse as it does with importance weights in many dimensions (measured on
this model: pyabc's ABC-SMC weights, prior over kernel-mixture density, fell from 300 effective particles to
39, 7, 5 and 2 in four generations with the 16 fitted parameters).

- Generation 0 draws ``ceil(particles / acceptance)`` parameter vectors from the prior (pyabc's
  ``Distribution`` of the scenario's ranges) and keeps the ``particles`` closest to the observations
  (:mod:`sim.calibration.distances`).
- Each later generation sets the tolerance to the largest distance among the ``acceptance`` share of
  particles closest to the observations, drops the others, puts copies of kept particles (drawn at random)
  in their place and moves each copy by Metropolis-Hastings steps: a normal random walk with the kept
  particles' covariance times 2.38^2 / d (:func:`random_walk`), accepted when the step stays inside the
  prior's support, passes the ratio of prior densities (pyabc's ``Distribution`` of the scenario's uniform
  and triangular ranges) and its run is within the tolerance. The first step's acceptance rate ``a`` sets the number of steps, enough for each copy to move with
  probability 0.99 (``ceil(log 0.01 / log(1 - a))``, at most ``moves``).

Every batch of runs (the first sample, every move step) is ONE :func:`sim.run_batch` call (a design fixing
the fitted parameters run by run; the unfitted uncertainties drawn from their ranges), so on Dask, with
progress, and resumable: its store is ``OUT/<name>.zarr``, and a rerun of the same call recomputes only
what is missing (every draw is a deterministic function of the seed and the earlier batches).
"""
from __future__ import annotations

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
from ..data import load_municipality
from ..declarations.parameters import BY_NAME
from ..scenario import Scenario, load_scenario
from .distances import distance, noise_sd
from .observations import Observations, load_observations, simulated

FITTED = ("bev_barrier_2020", "bev_barrier_trend", "phev_barrier", "phev_barrier_trend", "bev_premium_decline",
          "imitation_rate", "social_weight", "cost_weight", "discount_rate_households", "car_replacement_rate",
          "car_use_trend", "pandemic_car_traffic_cut", "heating_switching_hassle", "heating_replacement_rate",
          "firm_heating_trend", "pledge_base_rate", "pledge_social_weight")
"""Behavioural uncertainties fitted by default: car choice (the BEV and PHEV constants and their trends, the
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


def _child_seed(seed: int, *keys: int) -> int:
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0])


def prior_sample(scenario: Scenario, fitted: Sequence[str], n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter vectors drawn from the prior (each parameter by its quantile function)."""
    q = np.random.default_rng(seed).random((n, len(fitted)))
    return pd.DataFrame({name: [scenario.uncertainties[name].ppf(float(x)) for x in q[:, k]]
                         for k, name in enumerate(fitted)})


def random_walk(kept: pd.DataFrame, n: int, seed: int) -> np.ndarray:
    """``n`` normal random-walk steps with the kept particles' covariance times 2.38^2 / d (d parameters: the
    optimal scaling of Roberts, Gelman and Gilks 1997; Drovandi and Pettitt's factor 2 suits few parameters,
    and with 16 it would accept almost no step)."""
    covariance = 2.38 ** 2 / kept.shape[1] * np.atleast_2d(np.cov(kept.to_numpy(float), rowvar=False))
    return np.random.default_rng(seed).multivariate_normal(np.zeros(kept.shape[1]), covariance, size=n,
                                                           method="eigh")


def scenario_observations(scenario: Scenario, last_year: int = LAST_OBSERVED_YEAR,
                          sectors: tuple[str, ...] | None = None) -> Observations:
    """The observed points of every municipality of ``scenario``, from its start year to ``last_year``.

    The 2023 pledge count belongs to a fit of the whole record: it is added for a city that has one
    (Eskilstuna) when ``last_year`` is the last observed year, and left out of an out-of-sample fit that
    stops earlier. ``sectors``: the SMHI sectors (default the fitted ones).
    """
    extra = {} if sectors is None else {"sectors": sectors}
    whole_record = last_year >= LAST_OBSERVED_YEAR
    return Observations.concatenate([
        load_observations(folder, (scenario.start_year, last_year),
                          pledges=whole_record and "pledges_2023" in load_municipality(folder).figures, **extra)
        for folder in scenario.municipalities])


def _say(progress: bool, message: str) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def calibrate(scenario: Scenario | str | Path, out: str | Path, *, particles: int = 300, generations: int = 4,
              scale: float | None = None, seed: int = 0, fitted: Sequence[str] = FITTED,
              observations: Observations | None = None, last_year: int = 2021, acceptance: float = 0.5,
              moves: int = 6, pilot_runs: int = 20, client=None, workers: int | None = None,
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
        Particles of the posterior; generations (>= 1: the first is the prior sample).
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
        Share of the particles kept each generation, in (0, 1) (the others are replenished and moved); the
        first generation keeps ``particles`` of ``particles / acceptance`` prior draws.
    moves : int
        Most Metropolis-Hastings steps of a generation (>= 1).
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
            ("moves", moves, isinstance(moves, int) and moves >= 1, whole + "1"),
            ("acceptance", acceptance, isinstance(acceptance, float) and 0 < acceptance < 1, "a number in (0, 1)")):
        if not ok:
            raise ValueError(f"{name}: allowed {allowed}; given {value!r}")
    prior(scenario, fitted)  # checks the names and ranges before any run
    obs = observations or scenario_observations(scenario, last_year)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    density = prior(scenario, fitted)
    n_first = math.ceil(particles / acceptance)
    n_kept = max(1, round(acceptance * particles))
    history = {"epsilon": [], "acceptance_rate": [], "moves": [], "proposals": [], "unique": []}
    with connect(client, workers) as dask_client:
        def batch(name: str, theta: pd.DataFrame, batch_seed: int) -> np.ndarray:
            ds = run_batch(scenario, len(theta), seed=batch_seed, store=out / f"{name}.zarr", client=dask_client,
                           scale=scale, design={n: theta[n].to_numpy(float) for n in fitted}, progress=progress,
                           parameters="prior")
            return simulated(ds, obs)

        centre = pd.DataFrame({name: [scenario.uncertainties[name].centre] * pilot_runs for name in fitted})
        pilot = batch("pilot", centre, _child_seed(seed, 0))
        sd = noise_sd(pilot, obs)
        theta = prior_sample(scenario, fitted, n_first, _child_seed(seed, 1, 0))
        sims = batch("generation_0", theta, _child_seed(seed, 2, 0))
        d = distance(sims, obs, sd)
        keep = np.argsort(d, kind="stable")[:particles]
        theta, sims, d = theta.iloc[keep].reset_index(drop=True), sims[keep], d[keep]
        _record(history, d, 1.0, 0, n_first, theta, progress, 0)
        for t in range(1, generations):
            order = np.argsort(d, kind="stable")
            tolerance = float(d[order[n_kept - 1]])
            dropped = order[n_kept:]
            copies = np.random.default_rng(_child_seed(seed, 3, t)).choice(order[:n_kept], size=len(dropped))
            theta.iloc[dropped] = theta.iloc[copies].to_numpy()
            sims[dropped], d[dropped] = sims[copies], d[copies]
            steps, accepted, proposed, r = moves, 0, 0, 0
            while r < steps:
                moved = theta.iloc[dropped].reset_index(drop=True)
                candidate = moved + random_walk(theta.iloc[order[:n_kept]], len(moved), _child_seed(seed, 4, t, r))
                ratio = _prior_ratio(density, candidate, moved)
                u = np.random.default_rng(_child_seed(seed, 6, t, r)).random(len(moved))
                trial = np.flatnonzero((ratio > 0) & (u < ratio))   # steps that need a run
                moved_now = 0
                if trial.size:
                    new_sims = batch(f"generation_{t}_move_{r}", candidate.iloc[trial].reset_index(drop=True),
                                     _child_seed(seed, 2, t, r))
                    new_d = distance(new_sims, obs, sd)
                    ok = new_d <= tolerance
                    rows = dropped[trial[ok]]
                    theta.iloc[rows] = candidate.iloc[trial[ok]].to_numpy()
                    sims[rows], d[rows] = new_sims[ok], new_d[ok]
                    moved_now = int(ok.sum())
                accepted += moved_now
                proposed += len(moved)
                if r == 0:   # enough steps for each copy to move with probability 0.99 (Drovandi and Pettitt)
                    rate = min(moved_now / len(moved), 0.99)
                    steps = moves if rate == 0 else min(moves, max(1, math.ceil(math.log(0.01) / math.log1p(-rate))))
                r += 1
            _record(history, d, accepted / max(proposed, 1), r, proposed, theta, progress, t, tolerance)
    weights = np.full(particles, 1.0 / particles)
    return _posterior(scenario, fitted, theta, weights, d, sims, obs, sd, history,
                      scale=scenario.scale if scale is None else float(scale), seed=seed, pilot=pilot)


def _prior_ratio(density, candidate: pd.DataFrame, current: pd.DataFrame) -> np.ndarray:
    """Prior density of each candidate over its current particle's (0 outside the prior's support)."""
    new = np.array([density.pdf(row.to_dict()) for _, row in candidate.iterrows()])
    old = np.array([density.pdf(row.to_dict()) for _, row in current.iterrows()])
    return np.where(old > 0, new / np.where(old > 0, old, 1.0), 0.0)


def _record(history: dict, d: np.ndarray, rate: float, steps: int, proposed: int, theta: pd.DataFrame,
            progress: bool, t: int, tolerance: float | None = None) -> None:
    history["epsilon"].append(float(d.max() if tolerance is None else tolerance))
    history["acceptance_rate"].append(float(rate))
    history["moves"].append(int(steps))
    history["proposals"].append(int(proposed))
    history["unique"].append(int(len(theta.drop_duplicates())))
    _say(progress, f"generation {t}: tolerance {history['epsilon'][-1]:.3g}, median distance {np.median(d):.3g}, "
                   f"{steps} move steps accepting {rate:.0%}, {history['unique'][-1]} distinct particles of "
                   f"{len(theta)}")


def _posterior(scenario: Scenario, fitted: tuple[str, ...], population: pd.DataFrame, weights: np.ndarray,
               distances: np.ndarray, sims: np.ndarray, obs: Observations, sd: np.ndarray, history: dict,
               scale: float, seed: int, pilot: np.ndarray) -> xr.Dataset:
    from .. import __version__

    lows = [scenario.uncertainties[n].low for n in fitted]
    highs = [scenario.uncertainties[n].high for n in fitted]
    ds = xr.Dataset(
        {"sample": (("particle", "parameter"), population[list(fitted)].to_numpy(float),
                    {"long_name": "posterior particle: value of each fitted parameter (units in parameter_units)"}),
         "weight": ("particle", weights, {"units": "1", "long_name": "normalised weight (equal: the particles of a "
                                                               "replenishment ABC-SMC)"}),
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
         "acceptance_rate": ("generation", np.array(history["acceptance_rate"]),
                             {"units": "1", "long_name": "share of the generation's move proposals accepted"}),
         "moves": ("generation", np.array(history["moves"], dtype=np.int64),
                   {"units": "1", "long_name": "Metropolis-Hastings steps of the generation"}),
         "unique": ("generation", np.array(history["unique"], dtype=np.int64),
                    {"units": "1", "long_name": "distinct particles at the end of the generation"}),
         "proposals": ("generation", np.array(history["proposals"], dtype=np.int64),
                       {"units": "1", "long_name": "parameter vectors proposed"})},
        coords={"parameter": ("parameter", np.array(fitted), {"long_name": "fitted uncertain parameter"}),
                "particle": np.arange(len(weights)), "generation": np.arange(len(history["epsilon"]))})
    ds = ds.merge(obs.to_dataset(), combine_attrs="override")
    ds.attrs.update({"title": f"sim posterior of scenario '{scenario.name}' (replenishment ABC-SMC)",
                     "method": "replenishment ABC-SMC with MCMC moves (Drovandi and Pettitt 2011)",
                     "library": "pyabc", "library_version": version("pyabc"), "sim_version": __version__,
                     "scenario": scenario.name, "scenario_hash": scenario_hash(scenario),
                     "scenario_text": scenario.text, "scale": scale, "seed": seed,
                     "observations_source": obs.source,
                     "fitted_years": ", ".join(f"{name} {int(obs.years[obs.series == name].min())}-"
                                               f"{int(obs.years[obs.series == name].max())}"
                                               for name in dict.fromkeys(obs.series)),
                     "fitted_parameters": ", ".join(fitted)})
    return ds
