"""Influence: each agent's exposure to adopters and pledgers among its neighbours.

Each agent keeps, per signal, the number of its neighbours showing it. A
year changes the signals of few agents, so the counts are updated from the
agents whose signal byte changed (each visits its own ties; the network is
undirected), not recomputed over every tie. Counts are exact integers, so
the shares do not depend on the order of the updates.
"""
import numpy as np
from numba import njit


@njit(cache=True)
def update_counts(indptr, indices, shown, new_bits, counts):
    """Move the neighbours' counts from the signals ``shown`` to ``new_bits``, then record them as shown.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
        Undirected CSR: ``j`` is a neighbour of ``i`` iff ``i`` is one of ``j``.
    shown : uint8[n]
        Signal bits the counts hold now; overwritten with ``new_bits``.
    new_bits : uint8[n]
        Bit ``s`` set where the agent shows signal ``s`` this year.
    counts : int32[n, k]
        ``counts[i, s]``: neighbours of ``i`` showing signal ``s``; updated in place.
    """
    n, k = counts.shape
    for i in range(n):
        changed = shown[i] ^ new_bits[i]
        if changed == 0:
            continue
        for s in range(k):
            if (changed >> s) & 1:
                delta = 1 if (new_bits[i] >> s) & 1 else -1
                for p in range(indptr[i], indptr[i + 1]):
                    counts[indices[p], s] += delta
        shown[i] = new_bits[i]


@njit(cache=True)
def shares(counts, signal, present_signal, start, out):
    """Share of present neighbours showing ``signal`` for agents ``start .. start + len(out)`` (0 without any).

    Parameters
    ----------
    counts : int32[n, k]
    signal : int
    present_signal : int
        The signal every present agent shows (``Signal.PRESENT``): its count
        is the number of present neighbours, the degree when all are there.
    start : int
    out : float64[m]
        Written.
    """
    for i in range(out.shape[0]):
        agent = start + i
        present = counts[agent, present_signal]
        out[i] = counts[agent, signal] / present if present > 0 else 0.0


@njit(cache=True)
def household_signals(car_owner, plug_in_car, low_carbon_heat, low_meat_diet, car_bit, heat_bit, diet_bit, out):
    """Add the households' signal bits: a plug-in car, low-carbon heat, a low-meat diet.

    Parameters
    ----------
    car_owner : int32[c]
    plug_in_car : bool[c]
    low_carbon_heat, low_meat_diet : bool[n_households]
    car_bit, heat_bit, diet_bit : int
        Bit positions of the three signals (``Signal`` codes).
    out : uint8[n_households]
        The three bits are set where shown; other bits are kept.
    """
    for i in range(out.shape[0]):
        out[i] |= (np.uint8(low_carbon_heat[i]) << heat_bit) | (np.uint8(low_meat_diet[i]) << diet_bit)
    for c in range(car_owner.shape[0]):
        if plug_in_car[c]:
            out[car_owner[c]] |= np.uint8(1) << car_bit
