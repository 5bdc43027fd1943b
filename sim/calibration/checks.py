"""The checks a researcher asks of a fit: the posterior predictive interval of every observed point.

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
