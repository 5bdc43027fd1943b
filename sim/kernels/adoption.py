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
def _pick(c, rate, row, exposure, imitation, imitating, total, target):
    """The option taken at an event: the hazard ``rate * share_j + q_j e`` reaches ``target`` (< ``total``)."""
    k = row.shape[0]
    top = row[0]
    for j in range(1, k):
        top = max(top, row[j])
    denominator = 0.0
    for j in range(k):
        denominator += np.exp(row[j] - top)
    cumulative = 0.0
    last = c
    for j in range(k):
        hazard = rate * np.exp(row[j] - top) / denominator
        if imitating and j != c and row[j] != -np.inf:
            hazard += imitation[j] * exposure
        if hazard > 0.0:
            last = j
        cumulative += hazard
        if target < cumulative:
            return j
    return last  # rounding left the target above the total: the last possible option


@njit(cache=True)
def _utility(usage, attitude, pledged, exposure, capex, usage_cost, constant, green, cost_unit, weights, j):
    """``U_j`` of one agent (see :func:`utilities`)."""
    lean = weights[1] * exposure + weights[2] * (attitude - 0.5) + weights[3] * pledged
    cost = capex[j] + usage * usage_cost[j]
    return constant[j] - weights[0] * cost / cost_unit + lean * green[j]


@njit(cache=True)
def adopt(current, replacement_rate, utilities, exposure, imitation, dt, key, chosen, replaced):
    """One step of replacement and imitation for every agent, given their utilities.

    The logit shares sum to one, so the total hazard is
    ``r_i + e_i * sum_{j != c} q_j`` and the shares are computed only for the
    few agents with an event. As in the Bass model, imitation moves
    non-adopters only: an agent already holding an imitated option
    (``q_c > 0``) changes at replacement events alone. An option whose
    utility is ``-inf`` is not available to the agent: it is neither chosen
    nor imitated. :func:`choose` takes the same decisions and computes the
    utilities only where an event happens.

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
        chosen[i] = _pick(c, replacement_rate[i], utilities[i], exposure[i], imitation, imitating, total,
                          uniform_at(key, i, 1) * total)
        replaced[i] = True


@njit(cache=True)
def choose(current, owner, rate, usage_scale, usage, attitude, pledged, exposure, blocked_option, blocked,
           group, choice, cost_unit, weights, key, chosen, replaced):
    """:func:`utilities` then :func:`adopt` in one pass, computing utilities only at events.

    Decisions are taken per item (a car, a heating system, a vehicle) held
    by an owner (a household, a firm, a unit); the owner's attributes are read
    through ``owner``, so nothing of item length is gathered beforehand.

    Parameters
    ----------
    current : int8[n]
        Option each item holds.
    owner : int32[n]
        Index of each item's owner into the owner arrays below.
    rate : float64[m]
        Replacement hazard per year by owner (0: decides nothing).
    usage_scale : float
        Multiplies ``usage`` (for example the calibrated km per car).
    usage, attitude, pledged, exposure : float64[m]
        By owner: use per year (before ``usage_scale``), attitude, pledge
        strength, share of neighbours holding a low-carbon option.
    blocked_option : int
        An option some owners cannot take (-1: none).
    blocked : bool[m]
        Owners that cannot take ``blocked_option``.
    group : int64[m]
        By owner: which of the choice tables it faces (0 where there is one).
    choice : float64[g, 5, k]
        One table per group; rows: annualised capex, usage cost, constant
        (``-inf``: not offered), greenness and imitation hazard of each option.
    cost_unit : float
    weights : float64[4]
        Cost, social, attitude and pledge weights.
    key : uint64
        Stream key; item ``i`` uses draws 0 and 1 of counter ``i``.
    chosen : int8[n]
        Written: option held after the step.
    replaced : bool[n]
        Written: whether an event happened.
    """
    n = current.shape[0]
    k = choice.shape[2]
    row = np.empty(k)
    for i in range(n):
        c = current[i]
        o = owner[i]
        g = group[o]
        chosen[i] = c
        replaced[i] = False
        imitating = choice[g, 4, c] == 0.0
        imitated = 0.0
        if imitating:
            for j in range(k):
                if j != c and choice[g, 2, j] != -np.inf and not (j == blocked_option and blocked[o]):
                    imitated += choice[g, 4, j]
        total = rate[o] + exposure[o] * imitated
        if total <= 0.0 or uniform_at(key, i, 0) >= 1.0 - np.exp(-total):
            continue
        # views of the table only at events: a view in the loop over every item costs reference counting
        table = choice[g]
        capex, usage_cost, constant, green, imitation = table[0], table[1], table[2], table[3], table[4]
        used = usage_scale * usage[o]
        for j in range(k):
            row[j] = _utility(used, attitude[o], pledged[o], exposure[o], capex, usage_cost, constant, green,
                              cost_unit, weights, j)
        if blocked_option >= 0 and blocked[o]:
            row[blocked_option] = -np.inf
        chosen[i] = _pick(c, rate[o], row, exposure[o], imitation, imitating, total, uniform_at(key, i, 1) * total)
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
        for j in range(k):
            out[i, j] = _utility(usage[i], attitude[i], pledged[i], exposure[i], capex, usage_cost, constant, green,
                                 cost_unit, weights, j)
