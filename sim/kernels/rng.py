"""Counter-based random numbers keyed by (seed, year, stream, agent).

A draw is a pure function of its key, so results do not depend on thread
count, chunking or the order agents are visited. The mixer is SplitMix64's
finaliser (Steele, Lea and Flood 2014), applied once per key component, which
passes BigCrush as a counter-based generator.
"""
import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True)
def mix64(x):
    """SplitMix64 finaliser of a uint64."""
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@njit(cache=True)
def stream_key(seed, year, stream):
    """Key shared by every agent's draws in one (seed, year, stream)."""
    key = mix64(np.uint64(seed))
    key = mix64(key ^ np.uint64(year))
    return mix64(key ^ np.uint64(stream))  # uint64; pass it back to kernels as is


@njit(cache=True)
def uniform(key, agent):
    """Uniform draw in [0, 1) for one agent under a stream key."""
    return float(mix64(np.uint64(key) ^ mix64(np.uint64(agent))) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def uniform_at(key, agent, draw):
    """The ``draw``-th uniform of one agent under a stream key."""
    return float(mix64(mix64(np.uint64(key) ^ mix64(np.uint64(agent))) ^ np.uint64(draw)) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def fill_uniform(key, out):
    """Write one uniform per agent into ``out`` (float64, length n)."""
    for agent in range(out.shape[0]):
        out[agent] = uniform(key, agent)


def make_key(seed: int, year: int, stream: int) -> np.uint64:
    """Stream key as a numpy uint64, the type every kernel expects."""
    return np.uint64(stream_key(np.uint64(seed), np.uint64(year), np.uint64(stream)))


def uniforms(seed: int, year: int, stream: int, n: int) -> np.ndarray:
    """``n`` uniforms in [0, 1), one per agent index, for (seed, year, stream)."""
    out = np.empty(n)
    fill_uniform(make_key(seed, year, stream), out)
    return out
