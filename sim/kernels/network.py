"""Network kernels: the household small world and the conversion of edge lists to CSR."""
import numpy as np
from numba import njit

from .rng import uniform_at


@njit(cache=True)
def small_world_edges(order, half_degree, rewiring, key):
    """Watts-Strogatz edges on a ring of households.

    Parameters
    ----------
    order : int32[n]
        Household index at each ring position.
    half_degree : int
        Ties to each side on the ring (mean degree is twice this).
    rewiring : float
        Probability that a tie is rewired to a uniformly chosen household
        (Watts and Strogatz 1998); ``1.0`` gives a random graph.
    key : uint64
        Stream key of the counter-based generator.

    Returns
    -------
    source, target : int32[n * half_degree]
        Edge list (self loops removed as -1 pairs are never produced).
    """
    n = order.shape[0]
    source = np.empty(n * half_degree, dtype=np.int32)
    target = np.empty(n * half_degree, dtype=np.int32)
    m = 0
    for position in range(n):
        for step in range(1, half_degree + 1):
            other = order[(position + step) % n]
            if uniform_at(key, position, 2 * step) < rewiring:
                pick = int(uniform_at(key, position, 2 * step + 1) * (n - 1))
                other = order[pick if pick < position else pick + 1]
            source[m] = order[position]
            target[m] = other
            m += 1
    return source[:m], target[:m]


@njit(cache=True)
def edges_to_csr(n, source, target):
    """An undirected edge list as CSR: both directions, rows sorted, duplicates and self loops dropped.

    Parameters
    ----------
    n : int
        Number of nodes.
    source, target : int32[m]
        Edge ends (either order; an edge may repeat).

    Returns
    -------
    indptr : int64[n + 1]
    indices : int32[nnz]
        The neighbours of node ``i`` are ``indices[indptr[i]:indptr[i + 1]]``, ascending.
    """
    degree = np.zeros(n + 1, dtype=np.int64)
    for e in range(source.shape[0]):
        if source[e] != target[e]:
            degree[source[e] + 1] += 1
            degree[target[e] + 1] += 1
    start = np.cumsum(degree)
    fill = start[:n].copy()
    indices = np.empty(start[n], dtype=np.int32)
    for e in range(source.shape[0]):
        a, b = source[e], target[e]
        if a != b:
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    write = 0
    for i in range(n):
        row = indices[start[i]:start[i + 1]]
        if row.shape[0] > 32:
            row.sort()
        else:  # the usual row is a dozen ties: insertion sort in place, no allocation
            for a in range(1, row.shape[0]):
                value = row[a]
                b = a - 1
                while b >= 0 and row[b] > value:
                    row[b + 1] = row[b]
                    b -= 1
                row[b + 1] = value
        previous = -1
        for j in row:
            if j != previous:
                indices[write] = j
                write += 1
                previous = j
        indptr[i + 1] = write
    return indptr, indices[:write].copy()
