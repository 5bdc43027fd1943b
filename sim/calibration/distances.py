"""Distance between simulated and observed series, and the noise that scales it.

Every point's error is divided by its noise sd,

    sd_i = sqrt(sampling_i ** 2 + (OBSERVATION_ERROR * observed_i) ** 2),

where ``sampling_i`` is the sd of the simulated point over a pilot batch at the prior centre of the
fitted parameters (other seeds, the unfitted uncertainties drawn from their ranges: the spread no fit
can remove, at the fit's scale) and the second term the observation error. The distance is the root
of the mean over series of each series' mean squared scaled error: every series weighs the same
whatever its number of points or its units, and a point the model misses by its noise sd adds 1. With
several municipalities (a pooled fit) a series is one city's: every city's series weigh the same.
"""
from __future__ import annotations

import numpy as np

from .observations import Observations

OBSERVATION_ERROR = 0.02
"""Relative sd of an observed value. Assumption: revisions of the SMHI inventory and of registrations
between editions are of a few per cent."""


def noise_sd(pilot: np.ndarray, observations: Observations) -> np.ndarray:
    """Noise sd of each point (see the module): pilot runs' spread and the observation error.

    Parameters
    ----------
    pilot : float64[runs, points]
        Simulated points of the pilot batch (:func:`sim.calibration.observations.simulated`), runs >= 2.
    observations : Observations

    Returns
    -------
    float64[points]
        Positive: a point with neither sampling spread nor observed value gets the smallest positive sd
        of the others.
    """
    pilot = np.asarray(pilot, dtype=float)
    if pilot.ndim != 2 or pilot.shape[0] < 2 or pilot.shape[1] != len(observations.values):
        raise ValueError(f"pilot: allowed an array [runs >= 2, {len(observations.values)} points]; "
                         f"given shape {pilot.shape}")
    sampling = np.nanstd(pilot, axis=0, ddof=1)
    sd = np.sqrt(np.nan_to_num(sampling) ** 2 + (OBSERVATION_ERROR * np.abs(observations.values)) ** 2)
    positive = sd[sd > 0]
    if positive.size == 0:
        raise ValueError("pilot: allowed runs that differ or non-zero observations; every noise sd is 0")
    return np.where(sd > 0, sd, positive.min())


def distance(sim: np.ndarray, observations: Observations, sd: np.ndarray) -> np.ndarray:
    """Distance of each run's points to the observations (see the module); ``inf`` where a point is NaN.

    Parameters
    ----------
    sim : float64[..., points]
    observations : Observations
    sd : float64[points]
        Noise sd of each point (:func:`noise_sd`).

    Returns
    -------
    float64[...]
    """
    sim = np.asarray(sim, dtype=float)
    z2 = ((sim - observations.values) / sd) ** 2
    per_series = np.stack([z2[..., observations.group_mask(g)].mean(axis=-1) for g in observations.groups], axis=-1)
    d = np.sqrt(per_series.mean(axis=-1))
    return np.where(np.isnan(d), np.inf, d)
