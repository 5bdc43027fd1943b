"""Adoption: logit choice at replacement events, with Bass-style imitation.

Agent ``i`` holding option ``c`` faces, for each option ``j``, the hazard::

    h_ij = r_i * s_ij + q_j * e_i * (j != c)

where ``r_i`` is its replacement rate, ``s_ij`` the logit share of ``j``
given utilities ``U_i`` (cost of ownership, social influence, infrastructure,
attitude, pledge), ``q_j`` the imitation rate of option ``j`` and ``e_i`` the
share of ``i``'s neighbours holding a low-carbon option. An event happens with probability
``1 - exp(-dt * sum_j h_ij)`` and then option ``j`` is taken with probability
``h_ij / sum_j h_ij`` (replacing like with like is an event too).

With two options, ``s_i,new = 1``, ``r_i = p`` and ``q_new = q`` on an
all-to-all network, a non-adopter's hazard is ``p + q F``: the Bass model.
"""
import numpy as np
from numba import njit

from .rng import uniform_at


@njit(cache=True)
def adopt(current, replacement_rate, utilities, exposure, imitation, dt, key, chosen, replaced):
    """One step of replacement and imitation for every agent.

    The logit shares sum to one, so the total hazard is
    ``r_i + e_i * sum_{j != c} q_j`` and the shares are computed only for the
    few agents with an event. As in the Bass model, imitation moves
    non-adopters only: an agent already holding an imitated option
    (``q_c > 0``) changes at replacement events alone. An option whose
    utility is ``-inf`` is not available to the agent: it is neither chosen
    nor imitated.

    Parameters
    ----------
    current : int8[n]
        Option each agent holds.
    replacement_rate : float64[n]
        Hazard of a replacement event per year (0 where the agent decides nothing).
    utilities : float64[n, k]
        Logit utilities of the options at a replacement event; ``-inf`` marks
        an option the agent cannot take.
    exposure : float64[n]
        Share of neighbours holding a low-carbon option.
    imitation : float64[k]
        Imitation hazard per unit exposure (0 for options nobody imitates).
    dt : float
        Step length in years.
    key : uint64
        Stream key; agent ``i`` uses draws 0 and 1 of counter ``i``.
    chosen : int8[n]
        Written: option held after the step.
    replaced : bool[n]
        Written: whether an event happened.
    """
    n, k = utilities.shape
    for i in range(n):
        c = current[i]
        chosen[i] = c
        replaced[i] = False
        imitating = imitation[c] == 0.0
        imitated = 0.0
        if imitating:
            for j in range(k):
                if j != c and utilities[i, j] != -np.inf:
                    imitated += imitation[j]
        total = replacement_rate[i] + exposure[i] * imitated
        if total <= 0.0 or uniform_at(key, i, 0) >= 1.0 - np.exp(-dt * total):
            continue
        top = utilities[i, 0]
        for j in range(1, k):
            top = max(top, utilities[i, j])
        denominator = 0.0
        for j in range(k):
            denominator += np.exp(utilities[i, j] - top)
        target = uniform_at(key, i, 1) * total
        cumulative = 0.0
        pick = -1
        last = c
        for j in range(k):
            hazard = replacement_rate[i] * np.exp(utilities[i, j] - top) / denominator
            if imitating and j != c and utilities[i, j] != -np.inf:
                hazard += imitation[j] * exposure[i]
            if hazard > 0.0:
                last = j
            cumulative += hazard
            if target < cumulative:
                pick = j
                break
        if pick < 0:  # rounding left the target above the total: the last possible option
            pick = last
        chosen[i] = pick
        replaced[i] = True


@njit(cache=True)
def utilities(usage, attitude, pledged, exposure, capex, usage_cost, constant, green, cost_unit,
              weights, out):
    """Logit utilities of a choice set at a replacement event.

    ``U_ij = constant_j - w_cost (capex_j + usage_i usage_cost_j) / cost_unit
    + (w_social e_i + w_attitude (a_i - 0.5) + w_pledge p_i) green_j``,
    the financial, social and barrier terms of published adoption models.

    Parameters
    ----------
    usage : float64[n]
        Use per year (km, MWh); multiplies ``usage_cost``.
    attitude : float64[n]
        Environmental attitude in [0, 1].
    pledged : float64[n]
        Strength of the agent's pledge (1 when fresh, decaying; 0 if none).
    exposure : float64[n]
        Share of neighbours holding a low-carbon option.
    capex : float64[k]
        Annualised capital cost of each option net of subsidies (SEK/yr).
    usage_cost : float64[k]
        Running cost per unit of use (SEK/km, SEK/MWh).
    constant : float64[k]
        Alternative-specific constants, infrastructure terms included.
    green : float64[k]
        How low-carbon each option is, in [0, 1].
    cost_unit : float
        SEK per unit of utility before the cost weight.
    weights : float64[4]
        Cost, social, attitude and pledge weights.
    out : float64[n, k]
        Written in place.
    """
    n, k = out.shape
    for i in range(n):
        lean = weights[1] * exposure[i] + weights[2] * (attitude[i] - 0.5) + weights[3] * pledged[i]
        for j in range(k):
            cost = capex[j] + usage[i] * usage_cost[j]
            out[i, j] = constant[j] - weights[0] * cost / cost_unit + lean * green[j]
