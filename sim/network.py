"""The Climatevolution network, handed to kernels as CSR arrays.

Agents share one index space: households ``[0, n_h)``, firms ``[n_h, n_h + n_f)``,
municipal units after them. Layers:

- household social ties: a spatial small world (Watts-Strogatz ring within
  zones, so that ring neighbours live near each other) or, as a scenario
  choice, a random graph of equal mean degree, among the households of the
  start year; each household that may arrive later joins the ring at a random
  place in its zone's stretch (:func:`arrival_ties`), so the start
  households' ties among themselves do not depend on the growth to come;
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

from .declarations.codes import FIRM_SECTORS, Stream
from .declarations.constants import VALUES as CONSTANTS
from .kernels.network import edges_to_csr, small_world_edges
from .kernels.rng import make_key, uniforms
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


def arrival_ties(zone: np.ndarray, n_start: int, ties: int, rewiring: float,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ties of the households after ``n_start`` (those that may arrive) to the start households' ring.

    Each joins the ring (the start households sorted by zone, as in
    :func:`build_network`) at a uniformly drawn place in its own zone's
    stretch and ties to the ``ties`` ring households around that place, half
    on each side; each tie is rewired with probability ``rewiring`` to a
    household drawn uniformly from all (as in Watts-Strogatz). A ring node
    owns ``ties`` = half its degree, so the mean degree stays ``2 x ties``.
    Draws: stream ``ARRIVAL_TIES``, ``1 + 2 x ties`` per household.

    Returns
    -------
    source, target : int32[(len(zone) - n_start) x ties]
    """
    n_h = len(zone)
    m = n_h - n_start
    order = np.argsort(zone[:n_start], kind="stable")
    ring_zone = zone[:n_start][order]
    newcomer = np.arange(n_start, n_h)
    low = np.searchsorted(ring_zone, zone[newcomer], side="left")
    length = np.searchsorted(ring_zone, zone[newcomer], side="right") - low
    low, length = np.where(length > 0, low, 0), np.where(length > 0, length, n_start)  # a zone nobody lives in yet
    u = uniforms(seed, 0, Stream.ARRIVAL_TIES, m * (1 + 2 * ties)).reshape(m, 1 + 2 * ties)
    place = low + np.minimum((u[:, 0] * length).astype(np.int64), length - 1)
    around = (place[:, None] + np.arange(ties) - ties // 2) % n_start
    target = order[around]
    rewired = u[:, 1:1 + ties] < rewiring
    pick = (u[:, 1 + ties:] * (n_h - 1)).astype(np.int64)
    pick += pick >= newcomer[:, None]      # anyone but itself
    target = np.where(rewired, pick, target)
    return np.repeat(newcomer, ties).astype(np.int32), target.ravel().astype(np.int32)


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
    n_start = population.households_at_start
    if n_start > 1:
        order = np.argsort(households.zone[:n_start], kind="stable").astype(np.int32)
        half = min(HOUSEHOLD_DEGREE // 2, (n_start - 1) // 2) or 1
        rewiring = CONSTANTS["rewiring"] if topology == "small_world" else 1.0
        s, t = small_world_edges(order, half, rewiring, make_key(seed, 0, Stream.NETWORK))
        sources.append(s)
        targets.append(t)
        s, t = arrival_ties(households.zone, n_start, half, rewiring, seed)
        sources.append(s)
        targets.append(t)

    rng_seed = int(make_key(seed, 0, Stream.NETWORK_CLUSTERS) % np.uint64(2**32))
    join = uniforms(seed, 0, Stream.NETWORK_CLUSTER_JOIN, n_f) < CONSTANTS["cluster_join"]
    for number, members in enumerate(CLUSTERS.values()):
        ids = np.flatnonzero(np.isin(firms.sector, [FIRM_SECTORS.index(s) for s in members]) & join)
        if len(ids) > 3:
            cluster = nx.barabasi_albert_graph(len(ids), int(CONSTANTS["cluster_attachment"]), seed=rng_seed + number)
            edges = np.array(cluster.edges, dtype=np.int64).reshape(-1, 2)
            sources.append((n_h + ids[edges[:, 0]]).astype(np.int32))
            targets.append((n_h + ids[edges[:, 1]]).astype(np.int32))
    unit_ids = n_h + n_f + np.arange(n_u)
    first, second = np.triu_indices(n_u, k=1)
    sources.append(unit_ids[first].astype(np.int32))
    targets.append(unit_ids[second].astype(np.int32))
    spend = units.procurement.sum(axis=1)
    suppliers = np.flatnonzero(firms.municipal_supplier)
    pick = uniforms(seed, 0, Stream.NETWORK_SUPPLIERS, len(suppliers))
    buyer = np.searchsorted(np.cumsum(spend) / spend.sum(), pick, side="right")
    sources.append((n_h + suppliers).astype(np.int32))
    targets.append(unit_ids[np.minimum(buyer, n_u - 1)].astype(np.int32))
    source, target = np.concatenate(sources), np.concatenate(targets)
    del sources, targets
    indptr, indices = edges_to_csr(n, source, target)
    return Network(indptr=indptr, indices=indices)
