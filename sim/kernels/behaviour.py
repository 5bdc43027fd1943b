"""Behaviour: kilometres and mode shift, diet, consumption, efficiency steps, heat recovery."""
import numpy as np
from numba import njit

from .rng import uniform


@njit(cache=True)
def household_behaviour(zone, attitude, strength, exposure_diet, low_meat_diet, zone_km_factor,
                        mode_shift, pledge_km_cut, diet_shift_rate, key, km_factor):
    """Yearly car use and diet of households.

    Car use is the zone's factor times what is left after the mode shift to
    cycling and transit in that zone, cut further by a fresh pledge. A
    household turns to a low-meat diet with hazard
    ``rate * 2 a_i * (1 + pledge strength + neighbours' share on such a diet)``.

    Parameters
    ----------
    zone : int8[n]
    attitude, strength, exposure_diet : float64[n]
    low_meat_diet : bool[n]
        Updated in place (a diet change is kept).
    zone_km_factor, mode_shift : float64[3]
        Relative car use and mode-shift share by zone.
    pledge_km_cut, diet_shift_rate : float
    key : uint64
    km_factor : float64[n]
        Written: multiplier of the base kilometres of the household's cars.
    """
    for i in range(zone.shape[0]):
        z = zone[i]
        km_factor[i] = zone_km_factor[z] * (1.0 - mode_shift[z]) * (1.0 - pledge_km_cut * strength[i])
        if not low_meat_diet[i]:
            hazard = diet_shift_rate * 2.0 * attitude[i] * (1.0 + strength[i] + exposure_diet[i])
            if uniform(key, i) < 1.0 - np.exp(-hazard):
                low_meat_diet[i] = True


@njit(cache=True)
def climb_energy_steps(energy_step, top_step, pledged, exposure_steps, base_rate, support,
                       pledge_factor, social_weight, key):
    """Firms climb the energy-efficiency ladder (Energitrappan).

    Hazard of a step: ``base (1 + 2 support)(1 + pledge_factor * pledged) +
    social * share of neighbours past step 0``.

    Parameters
    ----------
    energy_step : int8[n]
        Updated in place, capped at ``top_step``.
    top_step : int
    pledged, exposure_steps : float64[n]
    base_rate, support, pledge_factor, social_weight : float
    key : uint64
    """
    for i in range(energy_step.shape[0]):
        if energy_step[i] >= top_step:
            continue
        hazard = (base_rate * (1.0 + 2.0 * support) * (1.0 + pledge_factor * pledged[i])
                  + social_weight * exposure_steps[i])
        if uniform(key, i) < 1.0 - np.exp(-hazard):
            energy_step[i] += 1


@njit(cache=True)
def connect_heat_recovery(eligible, connected, pledged, base_rate, support_rate, support, key):
    """Eligible firms connect their surplus heat to district heating.

    Hazard ``base + support_rate * support + base * pledged``.

    Parameters
    ----------
    eligible, connected : bool[n]
        ``connected`` is updated in place.
    pledged : float64[n]
    base_rate, support_rate, support : float
    key : uint64
    """
    for i in range(eligible.shape[0]):
        if not eligible[i] or connected[i]:
            continue
        hazard = base_rate * (1.0 + pledged[i]) + support_rate * support
        if uniform(key, i) < 1.0 - np.exp(-hazard):
            connected[i] = True
