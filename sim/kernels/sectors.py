"""Sector measures: the uptake of each measure as it ramps up toward its lever's path."""
from numba import njit


@njit(cache=True)
def ramp(levels, ramp_years, uptake):
    """Uptake that follows each lever's path, gaining at most ``level / ramp_years`` a year.

    ``u[m, t] = min(L[m, t], u[m, t-1] + L[m, t] / R[m])`` with ``u[m, -1] = 0`` and ``L`` clipped to
    [0, 1]: a lever set from year index ``t0`` gives ``L x min(1, (t - t0 + 1) / R)``; a lever lowered
    takes effect at once.

    Parameters
    ----------
    levels : float64[m, n_years]
        Each measure's lever in each year of the run.
    ramp_years : float64[m]
        Years to reach a level (values below 1 count as 1).
    uptake : float64[m, n_years]
        Written: the uptake of each measure in each year, in [0, 1].
    """
    for m in range(levels.shape[0]):
        step_years = max(1.0, ramp_years[m])
        previous = 0.0
        for t in range(levels.shape[1]):
            level = min(max(levels[m, t], 0.0), 1.0)
            previous = min(level, previous + level / step_years)
            uptake[m, t] = previous
