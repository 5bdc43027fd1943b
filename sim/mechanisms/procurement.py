"""Procurement demands of the municipal group on its suppliers (ODD step 2).

From the lever's year, suppliers with work machinery run it fossil free; the
group pays the extra fuel cost. Procurement criteria on the group's own
purchases act on its scope 3 in :mod:`sim.mechanisms.accounting`.
"""
from __future__ import annotations

import numpy as np

from ..declarations.codes import Payer
from ..state import State, YearContext


def step(state: State, context: YearContext) -> None:
    """Fossil-free machinery demanded of suppliers from ``fossil_free_machinery_year``."""
    if context.year < context.p["fossil_free_machinery_year"]:
        return
    firms = state.firms
    state.machinery_fossil_free |= firms.municipal_supplier & (firms.machinery_energy > 0)
    state.costs[Payer.MUNICIPAL_GROUP] += (context.tech["machinery"]["fossil_free_cost_sek_per_mwh"]
                                           * float(np.sum(firms.machinery_energy[state.machinery_fossil_free]))
                                           * state.weight)
