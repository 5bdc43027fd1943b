"""The Climatevolution network: the numba Watts-Strogatz layer against networkx, and the CSR contract."""
import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from sim.declarations.codes import FIRM_SECTORS
from sim.kernels.network import small_world_edges
from sim.kernels.rng import make_key
from sim.network import HOUSEHOLD_DEGREE, build_network
from sim.population import build_population

N, K, P, SEEDS = 2000, 10, 0.1, range(5)


def numba_graph(seed, rewiring=P, n=N, k=K):
    source, target = small_world_edges(np.arange(n, dtype=np.int64), k // 2, rewiring, make_key(seed, 0, 300))
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(source.tolist(), target.tolist()))
    return graph


@pytest.fixture(scope="module")
def clustering():
    """Average clustering and mean degree of both generators over the same number of seeds."""
    ours = [numba_graph(s) for s in SEEDS]
    theirs = [nx.watts_strogatz_graph(N, K, P, seed=s) for s in SEEDS]
    return ({"c": np.array([nx.average_clustering(g) for g in ours]),
             "degree": np.array([2 * g.number_of_edges() / N for g in ours])},
            {"c": np.array([nx.average_clustering(g) for g in theirs]),
             "degree": np.array([2 * g.number_of_edges() / N for g in theirs])})


def test_small_world_same_mean_degree(clustering):
    """Mean degree equals networkx's k = 10, less only the rare duplicate rewired ties (about p k / n each)."""
    ours, theirs = clustering
    assert np.all(theirs["degree"] == K)
    # a rewired tie duplicates an existing one with probability about k / n; expected loss p k^2 / n = 0.005
    assert np.all(np.abs(ours["degree"] - K) < 0.05)


def test_small_world_same_clustering(clustering):
    """Average clustering equals networkx's within 5 standard errors of the difference of the seed means."""
    ours, theirs = clustering
    m = len(SEEDS)
    standard_error = math.sqrt(ours["c"].var(ddof=1) / m + theirs["c"].var(ddof=1) / m)
    tolerance = 5 * standard_error   # about 0.015 here: each graph's clustering varies by about 0.005
    assert abs(ours["c"].mean() - theirs["c"].mean()) < tolerance
    # and both sit near the Barrat-Weigt value C(p) = 3 (k - 2) / (4 (k - 1)) (1 - p)^3 = 0.486
    assert abs(ours["c"].mean() - 0.75 * (K - 2) / (K - 1) * (1 - P) ** 3) < 0.02


def test_small_world_edges_valid():
    """Edges join distinct households; there are n * k / 2 of them before duplicates merge."""
    source, target = small_world_edges(np.arange(N, dtype=np.int64), K // 2, P, make_key(1, 0, 300))
    assert len(source) == N * K // 2
    assert np.all(source != target)
    assert source.min() >= 0 and max(source.max(), target.max()) < N
    unrewired = small_world_edges(np.arange(N, dtype=np.int64), K // 2, 0.0, make_key(1, 0, 300))
    assert np.all((unrewired[1] - unrewired[0]) % N <= K // 2)   # p = 0: the plain ring lattice


def test_random_topology_has_low_clustering():
    """Rewiring 1 (topology "random") gives clustering near k / n, far below the small world's."""
    random_c = nx.average_clustering(numba_graph(0, rewiring=1.0))
    assert random_c < 0.02
    assert random_c < nx.average_clustering(numba_graph(0)) / 10


@pytest.fixture(scope="module")
def population(eskilstuna):
    return build_population(eskilstuna, 2020, 5, 0.05)


@pytest.mark.parametrize("topology", ["small_world", "random"])
def test_csr_symmetric_simple(population, topology):
    """The CSR is symmetric, unweighted, without self loops or duplicate entries, and covers every agent."""
    net = build_network(population, 5, topology)
    n = population.n_agents
    assert net.n_agents == n and net.indptr[0] == 0 and net.indptr[-1] == len(net.indices)
    assert net.indptr.dtype == np.int64 and net.indices.dtype == np.int32
    a = sp.csr_array((np.ones(len(net.indices)), net.indices, net.indptr), shape=(n, n))
    assert (a - a.T).count_nonzero() == 0
    assert a.diagonal().sum() == 0
    for i in range(0, n, max(1, n // 200)):
        row = net.indices[net.indptr[i]:net.indptr[i + 1]]
        assert len(np.unique(row)) == len(row)


def test_layers(population):
    """Households have about 10 ties mostly within their zone; units are all linked; firms link only via layers."""
    net = build_network(population, 5)
    hh, firms = population.households, population.firms
    n_h, n_f, n_u = len(hh.zone), len(firms.sector), len(population.units.name)
    degree = net.degree()
    assert abs(degree[:n_h].mean() - HOUSEHOLD_DEGREE) < 0.1
    rows = np.repeat(np.arange(net.n_agents), degree)
    both_households = (rows < n_h) & (net.indices < n_h)
    same_zone = hh.zone[rows[both_households]] == hh.zone[net.indices[both_households]]
    assert same_zone.mean() > 0.85            # spatial ring: mostly neighbours of the same zone
    assert not np.any((rows < n_h) & (net.indices >= n_h))   # households tie only to households
    units = np.arange(n_h + n_f, n_h + n_f + n_u)
    for u in units:
        assert set(units) - {u} <= set(net.indices[net.indptr[u]:net.indptr[u + 1]].tolist())
    suppliers = n_h + np.flatnonzero(firms.municipal_supplier)
    assert np.all(degree[suppliers] >= 1)
    clustered = np.isin(firms.sector, [FIRM_SECTORS.index(s) for s in ("transport", "construction")])
    assert degree[n_h + np.flatnonzero(clustered)].sum() > 0


def test_deterministic_and_seed_dependent(population):
    """The same seed rebuilds the same network; another seed rewires differently."""
    a, b = build_network(population, 5), build_network(population, 5)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    c = build_network(population, 6)
    assert not (np.array_equal(a.indptr, c.indptr) and np.array_equal(a.indices, c.indices))


def test_to_networkx_round_trip(population):
    """to_networkx gives the same undirected edges as the CSR."""
    net = build_network(population, 5)
    graph = net.to_networkx()
    assert graph.number_of_nodes() == net.n_agents
    assert 2 * graph.number_of_edges() == len(net.indices)
    assert nx.number_of_selfloops(graph) == 0
