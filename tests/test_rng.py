"""Counter-based generator: bit-exact against a pure-Python SplitMix64, uniform, independent, deterministic."""
import math

import numpy as np
import pytest
import reference as ref
from scipy import stats

from sim.kernels import rng

N = 100_000
ALPHA = 1e-4  # false-alarm rate of each statistical test; the seeds are fixed, so the outcome is too


def ks_bound(n: int, alpha: float = ALPHA) -> float:
    """Asymptotic Kolmogorov-Smirnov critical value sqrt(-ln(alpha/2) / (2 n))."""
    return math.sqrt(-math.log(alpha / 2.0) / (2.0 * n))


def test_mix64_matches_pure_python():
    """The SplitMix64 finaliser is the published one, bit for bit."""
    for x in [0, 1, 2, 12345, 2**32 + 7, 2**63, 2**64 - 1]:
        assert int(rng.mix64(np.uint64(x))) == ref.mix64(x)


def test_stream_key_and_draws_match_pure_python():
    """Keys and draws equal the pure-Python reference for many (seed, year, stream, agent, draw)."""
    for seed, year, stream in [(0, 0, 0), (1, 2020, 1), (987654321, 2035, 60), (2**40 + 3, 2050, 301)]:
        key = rng.make_key(seed, year, stream)
        assert isinstance(key, np.uint64)
        assert int(key) == ref.stream_key(seed, year, stream)
        for agent in (0, 1, 17, 49_999, 2**31 + 5):
            assert rng.uniform(key, agent) == ref.uniform(int(key), agent)
            for draw in range(3):
                assert rng.uniform_at(key, agent, draw) == ref.uniform_at(int(key), agent, draw)


def test_uniforms_fill_by_agent_index():
    """``uniforms`` gives agent i the draw ``uniform(key, i)`` in index order."""
    out = rng.uniforms(5, 2021, 3, 1000)
    key = rng.make_key(5, 2021, 3)
    assert out.shape == (1000,) and out.dtype == np.float64
    assert all(out[i] == ref.uniform(int(key), i) for i in range(0, 1000, 37))


def test_range_is_half_open_unit_interval():
    """Draws lie in [0, 1) and use 53 bits (multiples of 2**-53)."""
    u = rng.uniforms(1, 2020, 1, N)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert np.all(u * 2.0**53 == np.floor(u * 2.0**53))
    assert ((2**64 - 1) >> 11) * 2.0**-53 < 1.0  # the largest possible draw stays below 1


@pytest.mark.parametrize("seed,year,stream", [(0, 2020, 1), (1, 2031, 7), (123456, 2045, 300)])
def test_uniform_ks(seed, year, stream):
    """Kolmogorov-Smirnov distance to U(0, 1) below the critical value for n draws at alpha 1e-4."""
    u = rng.uniforms(seed, year, stream, N)
    d = stats.kstest(u, "uniform").statistic
    assert d < ks_bound(N)


def test_uniform_at_draws_ks():
    """Each counter position (draw 0, 1, 2) of uniform_at is uniform too."""
    key = rng.make_key(3, 2022, 5)
    for draw in range(3):
        u = np.array([rng.uniform_at(key, i, draw) for i in range(20_000)])
        assert stats.kstest(u, "uniform").statistic < ks_bound(len(u))


def _independent(u, v, n):
    """Pearson correlation within 4.5 / sqrt(n) (about alpha 1e-5) and a 2-D chi-square on a 10 x 10 grid."""
    assert abs(np.corrcoef(u, v)[0, 1]) < 4.5 / math.sqrt(n)
    counts, _, _ = np.histogram2d(u, v, bins=10, range=[[0, 1], [0, 1]])
    chi2 = ((counts - n / 100) ** 2 / (n / 100)).sum()
    assert chi2 < stats.chi2.ppf(1 - ALPHA, 99)


def test_streams_years_and_seeds_independent():
    """Draws of neighbouring streams, years and seeds are uncorrelated and jointly uniform."""
    base = rng.uniforms(1, 2025, 1, N)
    for other in (rng.uniforms(1, 2025, 2, N), rng.uniforms(1, 2026, 1, N), rng.uniforms(2, 2025, 1, N)):
        assert not np.array_equal(base, other)
        _independent(base, other, N)


def test_agents_independent():
    """Consecutive agents' draws are uncorrelated (lag-1 pairs), and so are draw 0 and draw 1 of one agent."""
    u = rng.uniforms(9, 2030, 4, N + 1)
    _independent(u[:-1], u[1:], N)
    key = rng.make_key(9, 2030, 4)
    n = 20_000
    first = np.array([rng.uniform_at(key, i, 0) for i in range(n)])
    second = np.array([rng.uniform_at(key, i, 1) for i in range(n)])
    _independent(first, second, n)


def test_deterministic_and_order_free():
    """A draw is a pure function of its key: repeated, reversed or chunked evaluation gives the same numbers."""
    a = rng.uniforms(42, 2040, 11, 5000)
    b = rng.uniforms(42, 2040, 11, 5000)
    np.testing.assert_array_equal(a, b)
    key = rng.make_key(42, 2040, 11)
    backwards = np.array([rng.uniform(key, i) for i in range(4999, -1, -1)])[::-1]
    np.testing.assert_array_equal(a, backwards)
    np.testing.assert_array_equal(rng.uniforms(42, 2040, 11, 100), a[:100])


def test_distinct_keys_for_every_engine_stream():
    """No two (year, stream) pairs the engine uses share a key for one seed."""
    keys = {int(rng.make_key(7, year, stream)) for year in range(2101)
            for stream in list(range(1, 12)) + [50, 60] + list(range(100, 120)) + [300, 301, 302, 303]
            if year == 0 or year >= 2015}
    expected = (1 + 2100 - 2015 + 1) * (11 + 2 + 20 + 4)
    assert len(keys) == expected
