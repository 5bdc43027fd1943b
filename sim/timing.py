"""Lever timing: the year each lever takes effect, and every parameter's value year by year.

A scenario's levers act from their effect year (by default the
municipality's contract decision year); before it each lever keeps its
baseline value, its declared default. So a scenario equals the baseline,
bit for bit, in every year before its levers take effect: the random
streams are keyed by seed, year and stream, never by lever values.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from .declarations.parameters import BY_NAME


def yearly_values(values: Mapping[str, float | str], lever_years: Mapping[str, int],
                  years: Sequence[int]) -> tuple[Mapping[str, float | str], ...]:
    """Every parameter's value in each year of a run.

    Parameters
    ----------
    values : mapping
        The run's lever and uncertainty values (:func:`sim.sampling.parameter_values`), and any other
        names (constants promoted to values), which hold in every year.
    lever_years : mapping
        Year each lever takes effect; a lever not named, or one at its default, holds from the start.
    years : sequence of int
        The run's years.

    Returns
    -------
    tuple of mapping
        One read-only mapping per year: a lever before its effect year has its declared default.
    """
    before = {name: BY_NAME[name].default for name, year in lever_years.items()
              if name in values and values[name] != BY_NAME[name].default}
    out = []
    for year in years:
        now = dict(values)
        now.update({name: default for name, default in before.items() if year < lever_years[name]})
        out.append(MappingProxyType(now))
    return tuple(out)


def paths(yearly: Sequence[Mapping[str, float | str]]) -> dict[str, np.ndarray]:
    """Each numeric parameter's value along the run's years (float64 arrays)."""
    return {name: np.array([float(values[name]) for values in yearly])
            for name, value in yearly[0].items() if not isinstance(value, str)}

