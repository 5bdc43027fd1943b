"""Influence kernel: row-normalised neighbour shares on CSR."""
import numpy as np
import pytest
import reference as ref

from sim.kernels import influence


def pack(signals):
    """A 0/1 signal matrix as the bytes the kernels read (bit s = column s)."""
    bits = np.zeros(len(signals), dtype=np.uint8)
    for s in range(signals.shape[1]):
        bits |= (signals[:, s] > 0).astype(np.uint8) << s
    return bits


def present_counts(indptr, indices, signals, present=None):
    """Counts brought up to date from no signals, as the engine's first year does, with a last column of presence."""
    n, k = signals.shape
    present = np.ones(n) if present is None else present
    shown = np.column_stack([signals * present[:, None], present])
    counts = np.zeros((n, k + 1), dtype=np.int32)
    influence.update_counts(indptr, indices, np.zeros(n, dtype=np.uint8), pack(shown), counts)
    return counts


def neighbour_share(indptr, indices, signals, out):
    """Shares of every signal when every agent is present."""
    k = signals.shape[1]
    counts = present_counts(indptr, indices, signals)
    for s in range(k):
        influence.shares(counts, s, k, 0, out[:, s])


def random_csr(rng, n, mean_degree, isolated=0):
    """A random undirected simple graph as CSR; the last ``isolated`` agents have no ties."""
    m = int(n * mean_degree / 2)
    live = n - isolated
    source = rng.integers(0, live, m)
    target = rng.integers(0, live, m)
    return ref.csr_from_edges(n, source, target)


@pytest.mark.parametrize("n,k,degree", [(1, 1, 0), (50, 1, 4), (300, 5, 8), (1000, 3, 2)])
def test_matches_reference(rng, n, k, degree):
    """Each agent's share equals the mean of its neighbours' signals, as the reference computes it."""
    indptr, indices = random_csr(rng, n, degree, isolated=min(3, n))
    signals = (rng.random((n, k)) < 0.3).astype(float)
    out = np.full((n, k), np.nan)
    neighbour_share(indptr, indices, signals, out)
    np.testing.assert_allclose(out, ref.neighbour_share(indptr, indices, signals), rtol=1e-12, atol=0)


def test_isolated_agents_get_zero(rng):
    """An agent without neighbours has exposure 0, whatever the output held before."""
    indptr, indices = random_csr(rng, 40, 3, isolated=5)
    out = np.full((40, 2), 7.0)
    neighbour_share(indptr, indices, np.ones((40, 2)), out)
    assert np.all(out[-5:] == 0.0)
    assert np.all(out[np.diff(indptr) > 0] == 1.0)


def test_shares_in_unit_interval(rng):
    """Binary signals give shares in [0, 1], in steps of 1/degree."""
    indptr, indices = random_csr(rng, 500, 6)
    signals = (rng.random((500, 2)) < 0.5).astype(float)
    out = np.empty((500, 2))
    neighbour_share(indptr, indices, signals, out)
    assert out.min() >= 0.0 and out.max() <= 1.0
    degree = np.diff(indptr)
    has = degree > 0
    np.testing.assert_allclose(out[has] * degree[has, None], np.round(out[has] * degree[has, None]), atol=1e-9)


def test_high_degree_counts_exactly(rng):
    """A hub with more ties than one 12-bit lane holds (4,095) still counts every signal exactly."""
    n = 10_000
    indptr, indices = ref.csr_from_edges(n, np.zeros(n - 1, dtype=np.int64), np.arange(1, n))
    signals = (rng.random((n, 5)) < 0.7).astype(float)
    out = np.empty((n, 5))
    neighbour_share(indptr, indices, signals, out)
    np.testing.assert_array_equal(out[0], signals[1:].sum(axis=0) / (n - 1))


def test_star_graph():
    """Hand-checked case: the centre of a star sees the mean of the leaves, each leaf sees the centre."""
    indptr, indices = ref.csr_from_edges(5, [0, 0, 0, 0], [1, 2, 3, 4])
    signals = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])
    out = np.empty((5, 1))
    neighbour_share(indptr, indices, signals, out)
    np.testing.assert_array_equal(out[:, 0], [0.5, 1.0, 1.0, 1.0, 1.0])


def test_incremental_update_equals_recount(rng):
    """Counts moved year by year from the changed agents equal counts made afresh from the final signals."""
    n, k = 800, 5
    indptr, indices = random_csr(rng, n, 10, isolated=4)
    counts = np.zeros((n, k + 1), dtype=np.int32)
    shown = np.zeros(n, dtype=np.uint8)
    for _ in range(6):
        signals = (rng.random((n, k)) < rng.uniform(0.05, 0.6)).astype(float)
        bits = pack(np.column_stack([signals, np.ones(n)]))
        influence.update_counts(indptr, indices, shown, bits, counts)
        assert np.array_equal(shown, bits)
    np.testing.assert_array_equal(counts, present_counts(indptr, indices, signals))
    out = np.empty(n)
    influence.shares(counts, 2, k, 0, out)
    np.testing.assert_array_equal(out, ref.neighbour_share(indptr, indices, signals)[:, 2])


def test_shares_of_a_slice(rng):
    """Shares of a slice of agents are those agents' rows of the whole."""
    indptr, indices = random_csr(rng, 300, 6)
    signals = (rng.random((300, 3)) < 0.4).astype(float)
    counts = present_counts(indptr, indices, signals)
    whole, part = np.empty(300), np.empty(100)
    influence.shares(counts, 1, 3, 0, whole)
    influence.shares(counts, 1, 3, 150, part)
    np.testing.assert_array_equal(part, whole[150:250])


def test_absent_neighbours_are_not_in_the_share(rng):
    """With some agents absent (showing nothing, not even presence), a share is over the present neighbours only."""
    n = 400
    indptr, indices = random_csr(rng, n, 8, isolated=3)
    signals = (rng.random((n, 2)) < 0.5).astype(float)
    present = (rng.random(n) < 0.7).astype(float)
    counts = present_counts(indptr, indices, signals, present)
    out = np.empty(n)
    influence.shares(counts, 0, 2, 0, out)
    for i in range(n):
        around = indices[indptr[i]:indptr[i + 1]]
        there = around[present[around] > 0]
        assert out[i] == (signals[there, 0].sum() / len(there) if len(there) else 0.0)
    assert np.any((np.diff(indptr) > 0) & (counts[:, 2] < np.diff(indptr)))   # some agents did lose neighbours
