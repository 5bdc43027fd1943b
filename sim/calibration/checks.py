"""The checks a researcher asks of a fit: the posterior predictive interval of every observed point, the
errors on years held out of the fit, and how much the data narrowed each parameter.

A replicate of an observed point is the model's value in one run plus the error of the observation
(:data:`sim.calibration.distances.OBSERVATION_ERROR` times the observed value, normal; drawn with a
fixed seed), so the interval is of what would be *observed* were the model right, as in a posterior
predictive check (Gelman et al., *Bayesian Data Analysis*, 3rd ed., ch. 6). The 90 % interval is the
5th to 95th percentile of the replicates over the runs of a batch drawn from the posterior (or the
prior, for comparison).
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from .distances import OBSERVATION_ERROR
from .observations import Observations

LEVEL = 0.90
"""Probability of the predictive interval."""


def predictive_check(simulated_points: np.ndarray, observations: Observations, seed: int = 0,
                     fitted: tuple[str, ...] | None = None) -> xr.Dataset:
    """The 90 % posterior predictive interval of every observed point and whether it holds the observation.

    Parameters
    ----------
    simulated_points : float64[runs, points]
        The simulated counterpart of each point, run by run (:func:`sim.calibration.simulated`), runs >= 2
        (100 or more for percentiles that mean something).
    observations : Observations
    seed : int
        Seed of the observation-error draws.
    fitted : tuple of str, optional
        The series that were fitted; the others are reported as checked only. Default: every series.

    Returns
    -------
    xarray.Dataset
        Along ``point``: ``low``, ``median``, ``high`` (units of the point's series), ``inside`` (0/1),
        ``fitted`` (0/1); attributes ``coverage`` (share of every point inside), ``coverage_fitted``
        (of the fitted series' points) and ``level``.
    """
    points = np.asarray(simulated_points, dtype=float)
    if points.ndim != 2 or points.shape[1] != len(observations.values) or points.shape[0] < 2:
        raise ValueError(f"simulated_points: allowed an array [runs >= 2, {len(observations.values)} points]; "
                         f"given shape {points.shape}")
    rng = np.random.default_rng(seed)
    replicates = points + rng.standard_normal(points.shape) * OBSERVATION_ERROR * np.abs(observations.values)
    tail = 100 * (1 - LEVEL) / 2
    low, median, high = np.nanpercentile(replicates, [tail, 50, 100 - tail], axis=0)
    inside = (observations.values >= low) & (observations.values <= high)
    names = tuple(dict.fromkeys(observations.series)) if fitted is None else tuple(fitted)
    is_fitted = np.isin(observations.series, names)
    ds = xr.Dataset(
        {"observed_series": ("point", observations.series.astype(str), {"long_name": "series of the point"}),
         "observed_year": ("point", observations.years, {"units": "1", "long_name": "year of the observation"}),
         "observed_value": ("point", observations.values, {"long_name": "observed value (units of its series)"}),
         "low": ("point", low, {"long_name": f"{tail:g}th percentile of the replicates (units of the series)"}),
         "median": ("point", median, {"long_name": "median of the replicates (units of the series)"}),
         "high": ("point", high, {"long_name": f"{100 - tail:g}th percentile of the replicates (units of the "
                                               "series)"}),
         "inside": ("point", inside.astype(np.int8), {"units": "1", "long_name": "observation inside the "
                                                      "predictive interval (1 yes, 0 no)"}),
         "fitted": ("point", is_fitted.astype(np.int8), {"units": "1", "long_name": "series fitted (1) or only "
                                                         "checked (0)"})},
        attrs={"level": LEVEL, "runs": points.shape[0], "observation_error": OBSERVATION_ERROR,
               "coverage": float(inside.mean()),
               "coverage_fitted": float(inside[is_fitted].mean()) if is_fitted.any() else float("nan")})
    return ds


def coverage_by_series(check: xr.Dataset) -> dict[str, float]:
    """Share of each series' points inside the predictive interval of :func:`predictive_check`."""
    series = check["observed_series"].values
    return {str(name): float(check["inside"].values[series == name].mean()) for name in dict.fromkeys(series)}


def check_batch(scenario, parameters, runs: int, seed: int, *, scale: float | None = None, last_year: int = 2021,
                client=None, workers: int | None = None, store=None, progress: bool = False) -> xr.Dataset:
    """The predictive check of a hindcast batch: every observed point to ``last_year`` (the fitted series, the
    pledge count and the checked sectors) against ``runs`` runs drawn from ``parameters``.

    Parameters
    ----------
    scenario : Scenario
        The hindcast (one municipality or several).
    parameters : "prior" or path
        Where the uncertainties come from (as :func:`sim.run_batch`).
    runs, seed, scale, client, workers, store, progress
        As :func:`sim.run_batch`.
    last_year : int
        Last year of the yearly series checked.

    Returns
    -------
    xarray.Dataset
        :func:`predictive_check` of the points, ``fitted`` marking the series a fit uses; attribute
        ``parameter_source``.
    """
    from ..batch import run_batch
    from .fit import scenario_observations
    from .observations import CHECKED_SECTORS, FITTED_SECTORS, SERIES, simulated

    ds = run_batch(scenario, runs, seed=seed, scale=scale, client=client, workers=workers, store=store,
                   progress=progress, parameters=parameters)
    observations = scenario_observations(scenario, last_year, sectors=CHECKED_SECTORS)
    fitted = tuple(name for name in SERIES if not name.startswith("emissions_")) + tuple(
        f"emissions_{s}" for s in FITTED_SECTORS)
    check = predictive_check(simulated(ds, observations), observations, seed=seed, fitted=fitted)
    check["observed_municipality"] = ("point", observations.municipality.astype(str),
                                      {"long_name": "municipality (data folder) of the point"})
    check.attrs.update(parameter_source=ds.attrs["parameter_source"],
                       scale=float(scenario.scale if scale is None else scale), seed=int(seed))
    return check


def holdout_errors(check: xr.Dataset, first_year: int) -> xr.Dataset:
    """Errors of the predictive check's points from ``first_year`` on (years held out of the fit).

    Parameters
    ----------
    check : xarray.Dataset
        From :func:`predictive_check`.
    first_year : int
        First year that was not fitted.

    Returns
    -------
    xarray.Dataset
        Along ``point`` (the held-out ones): the observation, the median, ``error`` (median minus observed,
        units of the series), ``relative_error`` (error over observed, 1), ``inside`` (0/1) and ``z`` (error over
        the half-width of the 90 % interval, 1: beyond 1 the observation is outside).
    """
    held = check.isel(point=np.flatnonzero(check["observed_year"].values >= first_year))
    error = held["median"] - held["observed_value"]
    half = 0.5 * (held["high"] - held["low"])
    out = held[["observed_series", "observed_year", "observed_value", "median", "inside"]].copy()
    out["error"] = error.assign_attrs(long_name="median of the replicates minus the observation (units of the series)")
    out["relative_error"] = (error / held["observed_value"]).assign_attrs(
        units="1", long_name="error over the observation")
    out["z"] = (np.abs(error) / half.where(half > 0)).assign_attrs(
        units="1", long_name="absolute error over the half-width of the predictive interval")
    out.attrs.update(check.attrs, first_held_out_year=int(first_year))
    return out


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / np.sum(weights)
    return np.interp(q, cumulative - 0.5 * weights[order] / np.sum(weights), values[order])


def _prior_quantile(kind: str, low: float, high: float, mode: float, q: np.ndarray) -> np.ndarray:
    if kind == "triangular":
        c = (mode - low) / (high - low)
        left = q < c
        return np.where(left, low + np.sqrt(q * (high - low) * (mode - low)),
                        high - np.sqrt((1 - q) * (high - low) * (high - mode)))
    return low + q * (high - low)


def parameter_widths(posterior: xr.Dataset) -> xr.Dataset:
    """What the data identified: each fitted parameter's 90 % interval under the prior and the posterior.

    Parameters
    ----------
    posterior : xarray.Dataset
        A posterior file (:func:`sim.calibration.posterior.read_posterior`).

    Returns
    -------
    xarray.Dataset
        Along ``parameter``: ``prior_low``/``prior_high`` (5th and 95th percentiles of the prior),
        ``posterior_low``/``posterior_median``/``posterior_high`` (weighted percentiles of the particles) in
        the parameter's units, and ``width_ratio`` (posterior over prior 90 % width, 1: near 1 the series
        did not identify the parameter, near 0 they pinned it).
    """
    tail = (1 - LEVEL) / 2
    q = np.array([tail, 0.5, 1 - tail])
    weights = posterior["weight"].values.astype(float)
    rows = []
    for k, name in enumerate(posterior["parameter"].values.astype(str)):
        mode = float(posterior["prior_mode"].values[k]) if "prior_mode" in posterior else float("nan")
        prior_q = _prior_quantile(str(posterior["prior_kind"].values[k]), float(posterior["prior_low"].values[k]),
                                  float(posterior["prior_high"].values[k]), mode, q[[0, 2]])
        rows.append((prior_q, _weighted_quantiles(posterior["sample"].values[:, k].astype(float), weights, q)))
    prior_q = np.array([r[0] for r in rows])
    post_q = np.array([r[1] for r in rows])
    units = posterior["parameter_units"].values.astype(str) if "parameter_units" in posterior else None
    ds = xr.Dataset({
        "prior_low": ("parameter", prior_q[:, 0], {"long_name": "5th percentile of the prior"}),
        "prior_high": ("parameter", prior_q[:, 1], {"long_name": "95th percentile of the prior"}),
        "posterior_low": ("parameter", post_q[:, 0], {"long_name": "5th weighted percentile of the posterior"}),
        "posterior_median": ("parameter", post_q[:, 1], {"long_name": "weighted median of the posterior"}),
        "posterior_high": ("parameter", post_q[:, 2], {"long_name": "95th weighted percentile of the posterior"}),
        "width_ratio": ("parameter", (post_q[:, 2] - post_q[:, 0]) / (prior_q[:, 1] - prior_q[:, 0]),
                        {"units": "1", "long_name": "posterior over prior width of the 90 % interval"}),
    }, coords={"parameter": posterior["parameter"].values})
    if units is not None:
        ds["parameter_units"] = ("parameter", units, {"long_name": "units of the parameter"})
    return ds
