"""Influence: each agent's exposure to adopters and pledgers among its neighbours."""
from numba import njit, prange


@njit(cache=True, parallel=True)
def neighbour_share(indptr, indices, signals, out):
    """Share of each agent's neighbours showing each signal.

    A sparse matrix product on CSR, row-normalised: ``out[i, s]`` is the mean
    of ``signals[j, s]`` over the neighbours ``j`` of ``i`` (0 for an isolated
    agent). Each row is summed in a fixed order, so the result is
    bit-identical at any thread count.

    Parameters
    ----------
    indptr : int64[n + 1]
    indices : int32[nnz]
    signals : uint8[n, k] or float64[n, k]
        For example 1 where an agent owns a BEV, 0 elsewhere; the engine
        passes bytes, which keeps the neighbours' rows in cache.
    out : float64[n, k]
        Written in place.
    """
    n, k = signals.shape
    for i in prange(n):
        start, stop = indptr[i], indptr[i + 1]
        for s in range(k):
            total = 0.0
            for p in range(start, stop):
                total += signals[indices[p], s]
            out[i, s] = total / (stop - start) if stop > start else 0.0
