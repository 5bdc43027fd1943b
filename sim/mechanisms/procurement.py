"""Procurement demands of the municipal group on its suppliers (ODD step 2).

From the lever's year, suppliers with work machinery run it fossil free; the
group pays the extra fuel cost. Procurement criteria on the group's own
purchases act on its scope 3 in :mod:`sim.mechanisms.accounting`; the group
pays their price premium on the spend they cover.
"""
from __future__ import annotations

import numpy as np

from ..declarations.codes import Payer
from ..state import State, YearContext


def criteria_cost(context: YearContext, spend_sek: float) -> float:
    """The price premium (SEK) the group pays this year on the part of its procurement ``spend_sek`` (SEK/yr)
    under climate criteria."""
    return (context.drivers.procurement_criteria[context.t] * spend_sek
            * context.tech["consumption"]["criteria_cost_share"])


def step(state: State, context: YearContext) -> None:
    """Climate criteria's premium on the group's purchases; fossil-free machinery demanded of suppliers from
    ``fossil_free_machinery_year``."""
    state.pay(Payer.MUNICIPAL_GROUP, criteria_cost(context, float(np.sum(state.units.procurement))),
              investment=False)
    if context.year < context.p["fossil_free_machinery_year"]:
        return
    firms = state.firms
    state.machinery_fossil_free |= firms.municipal_supplier & (firms.machinery_energy > 0)
    state.pay(Payer.MUNICIPAL_GROUP, context.tech["machinery"]["fossil_free_cost_sek_per_mwh"]
              * float(np.sum(firms.machinery_energy[state.machinery_fossil_free])) * state.weight, investment=False)
