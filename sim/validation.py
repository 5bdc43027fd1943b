"""Checks of the run-level arguments shared by every entry point (engine, Mesa reference, batches, CLI)."""
from __future__ import annotations

import math
import numbers

SEED_LIMIT = 2**64


def check_seed(seed: object, name: str = "seed") -> int:
    """A seed as an int in [0, 2**64), or a ValueError naming the argument, what is allowed and what was given."""
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"{name}: allowed a whole number in [0, 2**64); given {seed!r}")
    return int(seed)


def check_scale(scale: object, name: str = "scale") -> float:
    """A population scale as a finite float > 0, or a ValueError naming the argument."""
    if (not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not math.isfinite(scale)
            or not scale > 0):
        raise ValueError(f"{name}: allowed a finite number > 0; given {scale!r}")
    return float(scale)
