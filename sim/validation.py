"""Checks of the run-level arguments shared by every entry point (engine, Mesa reference, batches, CLI).

The bounds are what the model can represent: a seed of the counter-based generator, a scale at which
the sampled population stands for the real one and fits in memory, a number of runs a store can hold.
"""
from __future__ import annotations

import math
import numbers
from functools import lru_cache
from typing import TYPE_CHECKING

from .declarations.codes import FIRM_SECTORS

if TYPE_CHECKING:
    from .data import MunicipalityData

SEED_LIMIT = 2**64

MAX_SCALE = 100.0
"""Largest population scale. Assumption: scale 1 is about 57,000 agents at about 240 B each
(benchmarks/README.md), so scale 100 needs about 1.4 GB per run and worker, just above the largest run
measured (scale 88, 5 million agents); more does not fit a worker of a usual machine."""

MAX_RUNS = 100_000
"""Most runs per scenario. Assumption: a batch's results are held in memory at the end (about 13 kB per run
and scenario for all outputs from 2020 to 2050), so 100,000 runs is about 1.3 GB per scenario; a Monte
Carlo probability is within 0.3 % (95 %) at 100,000 runs, so more buys nothing."""

FIRM_COUNT_TOLERANCE = 0.05
"""Largest relative error of the sampled firms' weighted count against the real count (1). Assumption:
5 % is within the uncertainty of the workplace counts themselves (their service split is assumption A2)."""


class ArgumentError(ValueError):
    """A run-level argument out of bounds: ``"<name>: allowed <rule>; given <value>"``, the rule kept apart."""

    def __init__(self, name: str, allowed: str, given: object):
        self.name, self.allowed, self.given = name, allowed, given
        super().__init__(f"{name}: allowed {allowed}; given {given!r}")


def check_seed(seed: object, name: str = "seed") -> int:
    """A seed as an int in [0, 2**64), or an ArgumentError naming the argument, what is allowed and what was given."""
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < SEED_LIMIT:
        raise ArgumentError(name, "a whole number in [0, 2**64)", seed)
    return int(seed)


def check_scale(scale: object, name: str = "scale") -> float:
    """A population scale as a finite float in (0, :data:`MAX_SCALE`], or an ArgumentError naming the argument."""
    if (not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not math.isfinite(scale)
            or not scale > 0):
        raise ArgumentError(name, "a finite number > 0", scale)
    if scale > MAX_SCALE:
        raise ArgumentError(name, f"at most {MAX_SCALE:g} (memory: about 1.4 GB per run at {MAX_SCALE:g}; "
                            "1.0 = the whole municipality)", scale)
    return float(scale)


def check_scale_for(data: MunicipalityData, scale: float, name: str = "scale") -> float:
    """``scale`` if it is at least the data's :func:`smallest_scale`, else an ArgumentError naming that scale."""
    lowest = smallest_scale(data)
    if not scale >= lowest:
        raise ArgumentError(name, f"a number >= {lowest:g} for {data.name}: below it the one-agent floor of each "
                            f"firm sector puts the firms more than {FIRM_COUNT_TOLERANCE:.0%} off their real count",
                            scale)
    return scale


def smallest_scale(data: MunicipalityData) -> float:
    """The smallest population scale at which the firms, one agent at least per sector, stand for their real count.

    Each firm sector keeps at least one agent of weight ``1/scale`` (:mod:`sim.population`). At this
    scale and every larger one the sampled firms times ``1/scale`` are within
    :data:`FIRM_COUNT_TOLERANCE` of the municipality's workplaces; below it the floors inflate them (at
    scale 1e-4, 70,000 firms for Eskilstuna's 8,574). Rounded up to two significant digits.
    """
    return _smallest_scale(tuple(float(data.assumptions["firm_sectors"][s]) for s in FIRM_SECTORS))


@lru_cache(maxsize=256)   # one entry per data folder: the 23 contract cities and test folders
def _smallest_scale(counts_real: tuple[float, ...]) -> float:
    import numpy as np

    counts = np.asarray(counts_real)
    # the floors act only where a sector rounds to no agent, below 0.5 / the smallest sector's count
    scales = np.geomspace(1e-7, 1.0 / counts.min(), 200_001)
    sampled = np.maximum(1, np.round(np.outer(scales, counts))).sum(axis=1) / scales
    off = np.abs(sampled / counts.sum() - 1.0) > FIRM_COUNT_TOLERANCE
    lowest = scales[np.flatnonzero(off)[-1] + 1] if off.any() else scales[0]
    digits = 1 - int(np.floor(np.log10(lowest)))
    return float(np.ceil(lowest * 10**digits) / 10**digits)
