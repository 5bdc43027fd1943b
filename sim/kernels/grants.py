"""Climate grants (klimatmedel): ranking proposals and counting additional abatement."""
import numpy as np
from numba import njit

from .rng import uniform_at


@njit(cache=True)
def allocate_grants(cost, claimed, true_abatement, ids, budget, lottery, free_rider_share, delivery, key,
                    free_rider_key, funded, executed):
    """Fund proposals within the year's budget and credit only additional abatement.

    Proposals are ranked by claimed tonnes cut per krona (the Swedish
    investment-grant rule) or, with ``lottery``, in random order, and funded in
    that order while they fit in what is left of the budget. Each proposal is a
    free rider with probability ``free_rider_share`` (it goes ahead without a
    grant, whether or not there is a budget; drawn once per run, so a project
    that would go ahead anyway does so whenever it is proposed) and is
    delivered this year with probability ``delivery``. A project is executed when it is delivered and either funded
    or a free rider; only funded, delivered projects that are not free riders
    count as grant abatement. Each proposal's draws are keyed by its ``ids``
    entry, so a project keeps its draws whatever else is proposed.

    Parameters
    ----------
    cost : float64[m]
        SEK asked.
    claimed : float64[m]
        Abatement claimed, t CO2e/yr (true times an overestimate).
    true_abatement : float64[m]
        Abatement if executed, t CO2e/yr.
    ids : int64[m]
        Stable identity of each proposal (the counter of its draws).
    budget : float
        SEK available this year.
    lottery : bool
    free_rider_share, delivery : float
    key : uint64
        Key of this year's grant draws; proposal ``p`` uses draws 0 (lottery) and 2 (delivery) of counter ``ids[p]``.
    free_rider_key : uint64
        Key of the run's free-rider draws (year 0); proposal ``p`` uses draw 0 of counter ``ids[p]``.
    funded, executed : bool[m]
        Written.

    Returns
    -------
    spend : float
        SEK paid out.
    credited : float
        Additional abatement, t CO2e/yr.
    """
    m = cost.shape[0]
    rank = np.empty(m)
    for p in range(m):
        if lottery:
            rank[p] = -uniform_at(key, ids[p], 0)
        else:
            rank[p] = -claimed[p] / cost[p] if cost[p] > 0.0 else -np.inf
    order = np.argsort(rank, kind="mergesort")
    remaining = budget
    spend = 0.0
    credited = 0.0
    for p in range(m):
        funded[p] = False
    for r in range(m):
        p = order[r]
        if cost[p] <= remaining:
            funded[p] = True
            remaining -= cost[p]
            spend += cost[p]
    for p in range(m):
        free_rider = uniform_at(free_rider_key, ids[p], 0) < free_rider_share
        delivered = uniform_at(key, ids[p], 2) < delivery
        executed[p] = delivered and (funded[p] or free_rider)
        if funded[p] and delivered and not free_rider:
            credited += true_abatement[p]
    return spend, credited
