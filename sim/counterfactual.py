"""The pledge counterfactual: the same run, same draws, with the pledge's effect off.

"Delivered" means delivered because of the pledge. A run is made twice on
common random numbers: as it is, and with the pledge effect off (pledges are
still signed, on the same draws, but pledged organisations cut no fossil energy
and pledged actors get no bonus for low-carbon options). The reduction the
organisations that pledged in the run delivered is their direct emissions in
the counterfactual minus in the run: the counterfactual counts the run's
pledged organisations (``accounted_pledges`` of :func:`sim.engine.run`), since
its own signing can differ where the pledge's effect changed what neighbours
show.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

PLEDGE_EFFECT_OFF: dict[str, float] = {"pledge_fulfilment": 0.0, "pledge_bonus": 0.0}
"""Parameter values of the counterfactual: no delivery cut (firms' commitments, units' plans), no pledge bonus."""


def without_pledge_effect(values: Mapping[str, Any]) -> dict[str, Any]:
    """The run's parameter values with the pledge effect switched off."""
    return {**values, **PLEDGE_EFFECT_OFF}


def combine(run: dict[str, np.ndarray], counterfactual: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """The run's records with ``delivered_reduction`` from the counterfactual's (NaN without one).

    Parameters
    ----------
    run, counterfactual : dict
        Records of :func:`sim.engine.run` with and without the pledge effect,
        on the same seed; each holds ``pledged_direct`` (t CO2e/yr, the
        pledged organisations' direct emissions).
    """
    if counterfactual is None:
        run["delivered_reduction"][:] = np.nan
    else:
        run["delivered_reduction"][:] = counterfactual["pledged_direct"] - run["pledged_direct"]
    return run
