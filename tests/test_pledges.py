"""Pledge kernels: signing, behavioural strength and delivery of pledged organisations."""
import math

import numpy as np
import pytest
import reference as ref

from sim.kernels import pledges
from sim.kernels.rng import make_key, uniform, uniform_at


def test_sign_pledges_matches_reference(rng):
    """Who signs, and in which year, agrees exactly with the reference on the same draws."""
    n = 5000
    kind = rng.integers(0, 3, n).astype(np.int8)
    attitude = rng.random(n)
    pledge_year = np.where(rng.random(n) < 0.1, 2021, 0).astype(np.int32)
    exposure = rng.random(n)
    hazard = np.array([0.01, 0.2, 0.6])
    key = make_key(4, 2024, 6)
    want = ref.sign_pledges(kind, attitude, pledge_year, exposure, hazard, 0.3, 2024, key, uniform)
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), attitude, pledge_year, exposure, hazard, 0.3, 2024, key)
    np.testing.assert_array_equal(pledge_year, want)
    assert np.count_nonzero(pledge_year == 2024) > 100


def test_sign_pledges_keeps_earlier_pledges_and_needs_hazard(rng):
    """A signed pledge keeps its year; with zero hazard nobody signs; attitude 0 never signs."""
    n = 2000
    kind = rng.integers(0, 3, n).astype(np.int8)
    pledge_year = np.where(np.arange(n) % 2 == 0, 2021, 0).astype(np.int32)
    before = pledge_year.copy()
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), rng.random(n), pledge_year, np.zeros(n), np.zeros(3), 0.0,
                         2025, make_key(1, 2025, 6))
    np.testing.assert_array_equal(pledge_year, before)
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), np.zeros(n), pledge_year, np.ones(n), np.ones(3), 1.0, 2026,
                         make_key(1, 2026, 6))
    np.testing.assert_array_equal(pledge_year, before)
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), rng.random(n), pledge_year, rng.random(n), np.full(3, 0.5),
                         0.2, 2027, make_key(1, 2027, 6))
    assert np.all(pledge_year[before != 0] == 2021)
    assert np.count_nonzero(pledge_year == 2027) > 0


def test_absent_agents_never_sign(rng):
    """An agent not present this year does not sign, however high its hazard; the present sign as before."""
    n = 3000
    kind = rng.integers(0, 3, n).astype(np.int8)
    present = rng.random(n) < 0.6
    args = (rng.random(n) + 0.5, np.zeros(n, dtype=np.int32), np.ones(n), np.full(3, 5.0), 1.0, 2028,
            make_key(3, 2028, 6))
    everyone = args[1].copy()
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), args[0], everyone, *args[2:])
    pledges.sign_pledges(kind, present, *args)
    assert np.all(args[1][~present] == 0)
    np.testing.assert_array_equal(args[1][present], everyone[present])
    assert np.count_nonzero(everyone[~present]) > 0


def test_sign_rate_matches_hazard():
    """The share signing in a year is 1 - exp(-(h + w e) 2 a) within 5 binomial standard deviations."""
    n = 100_000
    pledge_year = np.zeros(n, dtype=np.int32)
    hazard = 0.05 + 0.2 * 0.5
    pledges.sign_pledges(np.ones(n, dtype=np.int8), np.ones(n, dtype=bool), np.full(n, 0.5), pledge_year,
                         np.full(n, 0.5), np.array([0.0, 0.05, 0.0]), 0.2, 2030, make_key(2, 2030, 6))
    p = 1 - math.exp(-hazard)
    assert abs(np.count_nonzero(pledge_year) - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_pledge_strength_matches_reference():
    """Strength is 1 in the signing year, exp(-decay * age) after, 0 when unpledged or signed later."""
    pledge_year = np.array([0, 2020, 2023, 2025, 2026, 2030], dtype=np.int32)
    out = np.full(6, np.nan)
    pledges.pledge_strength(pledge_year, 2025, 0.25, out)
    np.testing.assert_allclose(out, ref.pledge_strength(pledge_year, 2025, 0.25), rtol=1e-15)
    assert out[3] == 1.0 and out[0] == 0.0 and out[4] == 0.0
    assert np.all(np.diff(out[1:4]) > 0)


def test_delivery_factor_matches_reference(rng):
    """Delivery factors agree with the reference: ramped, per-organisation fulfilment, 1 when unpledged."""
    n = 3000
    pledge_year = np.where(rng.random(n) < 0.5, rng.integers(2021, 2030, n), 0).astype(np.int32)
    key = make_key(9, 0, 60)
    out = np.full(n, np.nan)
    pledges.delivery_factor(pledge_year, 2026, 0.4, 0.6, 5.0, key, out)
    want = ref.delivery_factor(pledge_year, 2026, 0.4, 0.6, 5.0, key, uniform_at)
    np.testing.assert_allclose(out, want, rtol=1e-15)
    unpledged = (pledge_year == 0) | (pledge_year > 2026)
    assert np.all(out[unpledged] == 1.0)
    assert np.all(out[~unpledged] >= 1 - 0.4) and np.all(out[~unpledged] <= 1.0)


def test_delivery_factor_fixed_per_organisation_and_ramped():
    """An organisation's fulfilment does not change between years; its cut grows until the ramp ends."""
    n = 1000
    pledge_year = np.full(n, 2022, dtype=np.int32)
    key = make_key(9, 0, 60)
    by_year = []
    for year in range(2022, 2030):
        out = np.empty(n)
        pledges.delivery_factor(pledge_year, year, 0.5, 0.5, 5.0, key, out)
        by_year.append(1 - out)
    cut = np.array(by_year)
    np.testing.assert_allclose(cut[:5] / cut[4], np.outer(np.arange(1, 6) / 5, np.ones(n)), rtol=1e-12)
    np.testing.assert_array_equal(cut[4:], np.tile(cut[4], (4, 1)))


@pytest.mark.parametrize("fulfilment", [0.0, 0.2, 0.5, 0.75, 0.9, 1.0])
def test_mean_fulfilment_equals_parameter(fulfilment):
    """The mean delivered share of a commitment is pledge_fulfilment (5 standard errors, sd <= 0.29 / sqrt(n))."""
    n = 100_000
    out = np.empty(n)
    pledges.delivery_factor(np.full(n, 2020, dtype=np.int32), 2030, 1.0, fulfilment, 5.0, make_key(3, 0, 60), out)
    own = 1 - out
    assert own.min() >= 0.0 and own.max() <= 1.0
    assert abs(own.mean() - fulfilment) < 5 * 0.29 / math.sqrt(n) + 1e-12
    if 0.0 < fulfilment < 1.0:
        assert own.std() > 0.05   # organisations differ
