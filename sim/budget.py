"""The carbon budget as a pathway: the constant yearly cut that spends a fossil CO2 budget, year by year.

Discrete years, the budget's start year ``y0`` counted (the budget is what may
be emitted from 1 January of ``y0`` on). A path with a constant yearly cut
``r`` from the emissions ``E`` of a year ``y`` emits ``E (1 - r)**k`` in year
``y + k`` (k = 0, 1, ...), in all

    sum_{k >= 0} E (1 - r)**k = E / r,

so spending exactly what is left, ``R``, takes ``r = E / R``. When ``E >= R``
the year alone spends the rest: the cut is then 1 (everything stops after
the year) and the path overshoots ``R`` by ``E - R``.
"""
from __future__ import annotations

import numpy as np

from .data import CarbonBudget


def constant_cut(emissions: np.ndarray | float, left: np.ndarray | float) -> np.ndarray:
    """Yearly relative cut that spends ``left`` (t CO2) from a year emitting ``emissions`` (t CO2/yr).

    ``min(emissions / left, 1)``; NaN where nothing is left (``left <= 0``).
    """
    emissions, left = np.asarray(emissions, dtype=float), np.asarray(left, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(left > 0.0, np.minimum(emissions / left, 1.0), np.nan)


def budget_pathway(fossil_co2: np.ndarray, years: np.ndarray, budget: CarbonBudget) -> np.ndarray:
    """Fossil CO2 path (t CO2/yr) that spends the budget with one constant cut from its start year.

    ``P(y) = E0 (1 - r)**(y - y0)`` with ``E0`` the run's fossil CO2 in the
    start year ``y0`` and ``r = min(E0 / B, 1)``; its sum over all years from
    ``y0`` is ``B`` (see the module docstring). NaN before ``y0``, and
    everywhere when ``y0`` is not a year of the run.
    """
    path = np.full(len(years), np.nan)
    start = np.flatnonzero(years == budget.start_year)
    if start.size:
        first = float(fossil_co2[start[0]])
        rate = float(constant_cut(first, budget.budget_t_co2))
        after = years >= budget.start_year
        path[after] = first * (1.0 - rate) ** (years[after] - budget.start_year)
    return path


def budget_left(fossil_co2: np.ndarray, years: np.ndarray, budget: CarbonBudget) -> np.ndarray:
    """Budget left (t CO2) on 1 January of each year: the budget less fossil CO2 since its start year.

    NaN before the start year, and everywhere when the run does not include it.
    """
    left = np.full(len(years), np.nan)
    if years[0] <= budget.start_year <= years[-1]:
        after = years >= budget.start_year
        spent = np.concatenate(([0.0], np.cumsum(fossil_co2[after])[:-1]))
        left[after] = budget.budget_t_co2 - spent
    return left


def required_cut(fossil_co2: np.ndarray, years: np.ndarray, budget: CarbonBudget) -> np.ndarray:
    """Constant yearly cut (1/yr) from each year's fossil CO2 that spends what is left of the budget.

    :func:`constant_cut` of the year's emissions and :func:`budget_left`:
    NaN before the start year and once the budget is spent.
    """
    return constant_cut(fossil_co2, budget_left(fossil_co2, years, budget))


def exhausted_year(fossil_co2: np.ndarray, years: np.ndarray, budget: CarbonBudget) -> float:
    """First year whose fossil CO2 takes the total since the start year above the budget; NaN if none.

    NaN too when the run does not include the start year.
    """
    left = budget_left(fossil_co2, years, budget)
    over = np.flatnonzero(fossil_co2 > left)   # NaN compares False
    return float(years[over[0]]) if over.size else np.nan
