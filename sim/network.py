"""The Climatevolution network, handed to kernels as CSR arrays.

Agents share one index space: households ``[0, n_h)``, firms ``[n_h, n_h + n_f)``,
municipal units after them. Layers:

- household social ties: a spatial small world (Watts-Strogatz ring within
  zones, so that ring neighbours live near each other) or, as a scenario
  choice, a random graph of equal mean degree;
- firm clusters (transport, construction, manufacturing, retail and the
  circular-economy group around the reuse mall): preferential-attachment graphs
  built with networkx;
- procurement links between municipal units and supplier firms, and the
  municipal group's own ties (networkx);
- the arena itself enters the pledge rule as a reach per event, not as edges.

The household layer has tens of thousands of nodes; networkx needs about 1.5 s
to build and convert it at full scale, so the same Watts-Strogatz algorithm
runs as a numba kernel here, checked against ``networkx.watts_strogatz_graph``
in the tests. The smaller layers use networkx directly.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numba import njit

from .declarations.codes import FIRM_SECTORS, Stream
from .declarations.constants import VALUES as CONSTANTS
from .kernels.rng import make_key, uniform_at, uniforms
from .population import Population

HOUSEHOLD_DEGREE = int(CONSTANTS["household_degree"])
CLUSTERS = {"transport": ("transport",), "construction": ("construction",),
            "manufacturing": ("manufacturing", "energy"), "circular_retail": ("retail",)}


@dataclass(frozen=True)
class Network:
    """Undirected multiplex network flattened to CSR (unweighted, no self loops)."""

    indptr: np.ndarray   # int64, n_agents + 1
    indices: np.ndarray  # int32, n_edges * 2

    @property
    def n_agents(self) -> int:
        return len(self.indptr) - 1

    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    def to_networkx(self) -> nx.Graph:
        """The network as a networkx graph, for analysis and plots."""
        matrix = sp.csr_array((np.ones(len(self.indices)), self.indices, self.indptr),
                              shape=(self.n_agents, self.n_agents))
        return nx.from_scipy_sparse_array(matrix)


@njit(cache=True)
def small_world_edges(order, half_degree, rewiring, key):
    """Watts-Strogatz edges on a ring of households.

    Parameters
    ----------
    order : int64[n]
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
    source, target : int64[n * half_degree]
        Edge list (self loops removed as -1 pairs are never produced).
    """
    n = order.shape[0]
    source = np.empty(n * half_degree, dtype=np.int64)
    target = np.empty(n * half_degree, dtype=np.int64)
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


def build_network(population: Population, seed: int, topology: str = "small_world") -> Network:
    """Build the Climatevolution network for a population.

    Parameters
    ----------
    population : Population
    seed : int
    topology : {"small_world", "random"}
        Household layer: spatial small world or random graph of equal degree.

    Returns
    -------
    Network
    """
    households, firms, units = population.households, population.firms, population.units
    n_h, n_f, n_u = len(households.zone), len(firms.sector), len(units.name)
    n = n_h + n_f + n_u
    sources, targets = [], []
    if n_h > 1:
        order = np.argsort(households.zone, kind="stable").astype(np.int64)
        half = min(HOUSEHOLD_DEGREE // 2, (n_h - 1) // 2) or 1
        rewiring = CONSTANTS["rewiring"] if topology == "small_world" else 1.0
        s, t = small_world_edges(order, half, rewiring, make_key(seed, 0, Stream.NETWORK))
        sources.append(s)
        targets.append(t)

    graph = nx.Graph()
    rng_seed = int(make_key(seed, 0, Stream.NETWORK_CLUSTERS) % np.uint64(2**32))
    join = uniforms(seed, 0, Stream.NETWORK_CLUSTER_JOIN, n_f) < CONSTANTS["cluster_join"]
    for number, members in enumerate(CLUSTERS.values()):
        ids = np.flatnonzero(np.isin(firms.sector, [FIRM_SECTORS.index(s) for s in members]) & join)
        if len(ids) > 3:
            cluster = nx.barabasi_albert_graph(len(ids), int(CONSTANTS["cluster_attachment"]), seed=rng_seed + number)
            graph.add_edges_from((n_h + ids[a], n_h + ids[b]) for a, b in cluster.edges)
    unit_ids = n_h + n_f + np.arange(n_u)
    graph.add_edges_from((a, b) for i, a in enumerate(unit_ids) for b in unit_ids[i + 1:])
    spend = units.procurement.sum(axis=1)
    suppliers = np.flatnonzero(firms.municipal_supplier)
    pick = uniforms(seed, 0, Stream.NETWORK_SUPPLIERS, len(suppliers))
    buyer = np.searchsorted(np.cumsum(spend) / spend.sum(), pick, side="right")
    graph.add_edges_from(zip((n_h + suppliers).tolist(), unit_ids[np.minimum(buyer, n_u - 1)].tolist()))
    if graph.number_of_edges():
        edges = np.array(graph.edges, dtype=np.int64)
        sources.append(edges[:, 0])
        targets.append(edges[:, 1])
    return _to_csr(n, sources, targets)


def _to_csr(n: int, sources: list[np.ndarray], targets: list[np.ndarray]) -> Network:
    if sources:
        s = np.concatenate(sources)
        t = np.concatenate(targets)
    else:
        s = t = np.empty(0, dtype=np.int64)
    keep = s != t
    s, t = s[keep], t[keep]
    rows, cols = np.concatenate([s, t]), np.concatenate([t, s])
    matrix = sp.coo_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    return Network(indptr=matrix.indptr.astype(np.int64), indices=matrix.indices.astype(np.int32))
