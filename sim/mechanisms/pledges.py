"""Pledges: organisations and households sign local climate pledges and work toward them (ODD step 4)."""
from __future__ import annotations

import numpy as np

from ..declarations.codes import Signal, Stream
from ..kernels import pledges
from ..state import State, YearContext
from .influence import exposure


def hazard_by_kind(context: YearContext) -> np.ndarray:
    """Yearly base hazard of signing by ActorKind: base rate and arena events, zero before the programme."""
    p, t = context.p, context.t
    arena = context.year >= p["arena_start_year"]   # local pledges exist once the programme runs
    organisations = p["pledge_base_rate"] + p["arena_reach"] * context.drivers.arena_events[t]
    return np.array([p["household_pledge_rate"], organisations, p["unit_pledge_factor"] * organisations]) * arena


def step(state: State, context: YearContext) -> None:
    """Signing, then each pledge's strength and each organisation's delivery factor this year."""
    p = context.p
    before = state.pledge_year == 0
    pledges.sign_pledges(state.kind, state.present, state.attitude, state.pledge_year,
                         exposure(state, context, Signal.PLEDGED), hazard_by_kind(context), p["pledge_social_weight"],
                         context.year, context.key(Stream.PLEDGES))
    new = before & (state.pledge_year != 0)
    state.pledge_baseline[new] = state.direct[new]
    pledges.pledge_strength(state.pledge_year, context.year, p["pledge_decay"], state.strength)
    pledges.delivery_factor(state.pledge_year, context.year, p["pledge_commitment"], p["pledge_fulfilment"],
                            p["pledge_ramp_years"], context.run_key(Stream.FULFILMENT), state.delivery)
