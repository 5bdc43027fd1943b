"""Pledges: signing local climate pledges, and what pledged organisations deliver."""
import numpy as np
from numba import njit

from .rng import uniform, uniform_at


@njit(cache=True)
def sign_pledges(kind, present, attitude, pledge_year, exposure, hazard_by_kind, social_weight, year, key):
    """Let agents that have not pledged sign this year.

    The hazard of signing is ``(h_kind + w_social * e_i) * 2 a_i``: a base and
    arena hazard by kind of actor, a social term in the share of pledged
    neighbours, scaled by environmental attitude ``a_i`` (mean 0.5).

    Parameters
    ----------
    kind : int8[n]
        0 household, 1 firm, 2 municipal unit.
    present : bool[n]
        Agents in the municipality this year; the absent sign nothing.
    attitude : float64[n]
    pledge_year : int32[n]
        Year signed, 0 if not; updated in place.
    exposure : float64[n]
        Share of pledged neighbours.
    hazard_by_kind : float64[3]
        Yearly hazard from base rate and arena events, by kind.
    social_weight : float
    year : int
    key : uint64
    """
    for i in range(kind.shape[0]):
        if pledge_year[i] != 0 or not present[i]:
            continue
        hazard = (hazard_by_kind[kind[i]] + social_weight * exposure[i]) * 2.0 * attitude[i]
        if hazard > 0.0 and uniform(key, i) < 1.0 - np.exp(-hazard):
            pledge_year[i] = year


@njit(cache=True)
def pledge_strength(pledge_year, year, decay, out):
    """Behavioural strength of each pledge: 1 when signed, decaying ``exp(-decay * age)``."""
    for i in range(pledge_year.shape[0]):
        if pledge_year[i] == 0 or pledge_year[i] > year:
            out[i] = 0.0
        else:
            out[i] = np.exp(-decay * (year - pledge_year[i]))


@njit(cache=True)
def delivery_factor(pledge_year, year, commitment, fulfilment, ramp_years, seed_key, out):
    """Remaining share of fossil energy of each pledged organisation.

    A pledged organisation works toward ``commitment * f_i`` of its fossil use,
    reached linearly over ``ramp_years``; ``f_i`` is its own fulfilment, drawn
    once from the widest uniform inside [0, 1] whose mean is ``fulfilment``
    (``[0, 2f]`` for f <= 0.5, ``[2f - 1, 1]`` above), so that organisations
    differ and the mean is exactly the parameter.

    Parameters
    ----------
    pledge_year : int32[n]
    year : int
    commitment, fulfilment : float
    ramp_years : float
    seed_key : uint64
        Key of the run's pledge-fulfilment stream (not per year: ``f_i`` is fixed).
    out : float64[n]
        Written: multiplier of fossil energy, 1 for the unpledged.
    """
    for i in range(pledge_year.shape[0]):
        if pledge_year[i] == 0 or pledge_year[i] > year:
            out[i] = 1.0
            continue
        low = max(0.0, 2.0 * fulfilment - 1.0)
        high = min(1.0, 2.0 * fulfilment)
        own = low + (high - low) * uniform_at(seed_key, i, 0)
        progress = min(1.0, (year - pledge_year[i] + 1) / ramp_years)
        out[i] = 1.0 - commitment * own * progress
