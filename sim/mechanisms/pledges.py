"""Pledges: organisations and households sign local climate pledges and work toward them (ODD step 4).

Households and firms sign with a hazard (arena, base rate, pledged neighbours,
attitude). Municipal units do not sign: each has its own climate plan from a
year and at a planned yearly cut (``plan_year`` and ``plan_reduction_rate`` of
``municipal_units.csv``); from that year its plan is its pledge.
"""
from __future__ import annotations

import numpy as np

from ..declarations.codes import Signal, Stream
from ..kernels import pledges
from ..state import State, YearContext
from .influence import exposure


def hazard_by_kind(context: YearContext) -> np.ndarray:
    """Yearly base hazard of signing by ActorKind: base rate and arena events, zero before the programme.

    Municipal units' entry is 0: they pledge through their plans (:func:`sign_unit_plans`).
    """
    p, t = context.p, context.t
    arena = context.year >= p["arena_start_year"]   # local pledges exist once the programme runs
    organisations = p["pledge_base_rate"] + p["arena_reach"] * context.drivers.arena_events[t]
    return np.array([p["household_pledge_rate"], organisations, 0.0]) * arena


def unit_plans(context: YearContext) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's plan year (int64) and planned yearly relative cut (1/yr), from the municipality's data."""
    units = context.data.municipal_units
    return units["plan_year"].astype(np.int64), units["plan_reduction_rate"].astype(float)


def sign_unit_plans(state: State, context: YearContext) -> None:
    """Units whose plan has started count as pledged from this year: the plan year, or the run's first year after it."""
    plan_year, _ = unit_plans(context)
    pledge_year = state.pledge_year[state.unit_slice]
    pledge_year[(pledge_year == 0) & (plan_year <= context.year)] = context.year


def step(state: State, context: YearContext) -> None:
    """Signing, then each pledge's strength and each organisation's delivery factor this year."""
    p = context.p
    before = state.pledge_year == 0
    signers = slice(0, state.unit_slice.start)      # households and firms
    pledges.sign_pledges(state.kind[signers], state.present[signers], state.attitude[signers],
                         state.pledge_year[signers], exposure(state, context, Signal.PLEDGED, signers),
                         hazard_by_kind(context), p["pledge_social_weight"], context.year, context.key(Stream.PLEDGES))
    sign_unit_plans(state, context)
    new = before & (state.pledge_year != 0)
    state.pledge_baseline[new] = state.direct[new]
    pledges.pledge_strength(state.pledge_year, context.year, p["pledge_decay"], state.strength)
    fulfilment_key = context.run_key(Stream.FULFILMENT)
    pledges.delivery_factor(state.pledge_year, context.year, p["pledge_commitment"], p["pledge_fulfilment"],
                            p["pledge_ramp_years"], fulfilment_key, state.delivery)
    pledges.plan_delivery_factor(state.pledge_year[state.unit_slice], unit_plans(context)[1], context.year,
                                 p["pledge_fulfilment"], fulfilment_key, state.unit_slice.start,
                                 state.delivery[state.unit_slice])
