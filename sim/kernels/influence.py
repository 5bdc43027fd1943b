"""Influence: each agent's exposure to adopters and pledgers among its neighbours."""
import numpy as np
from numba import njit

_LANE_BITS = 12                         # each signal's count in its own 12-bit lane of one int64
_LANE_MASK = (1 << _LANE_BITS) - 1
_FLUSH = _LANE_MASK                     # neighbours summed before the lanes are emptied, so none overflows


@njit(cache=True)
def neighbour_share(indptr, indices, signal_bits, out):
    """Share of each agent's neighbours showing each signal.

    A sparse matrix product on CSR, row-normalised: ``out[i, s]`` is the mean
    over the neighbours ``j`` of ``i`` of bit ``s`` of ``signal_bits[j]`` (0
    for an isolated agent). A neighbour's byte is read once per tie and added
    to all signal counts at once: a table spreads its bits into 12-bit lanes
    of one integer, emptied every 4,095 ties. Counts are exact integers, so
    the result does not depend on the order of the sums.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
    signal_bits : uint8[n]
        Bit ``s`` set where the agent shows signal ``s``.
    out : float64[n, k]
        Written in place; ``k`` signals, at most 5.
    """
    n, k = out.shape
    spread = np.zeros(256, dtype=np.int64)
    for byte in range(256):
        for s in range(k):
            spread[byte] += ((byte >> s) & 1) << (_LANE_BITS * s)
    counts = np.zeros(k, dtype=np.int64)
    for i in range(n):
        start, stop = indptr[i], indptr[i + 1]
        counts[:] = 0
        lanes = 0
        pending = 0
        for p in range(start, stop):
            lanes += spread[signal_bits[indices[p]]]
            pending += 1
            if pending == _FLUSH:
                for s in range(k):
                    counts[s] += (lanes >> (_LANE_BITS * s)) & _LANE_MASK
                lanes = 0
                pending = 0
        for s in range(k):
            counts[s] += (lanes >> (_LANE_BITS * s)) & _LANE_MASK
        degree = stop - start
        for s in range(k):
            out[i, s] = counts[s] / degree if degree > 0 else 0.0
