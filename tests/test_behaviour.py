"""Behaviour kernels: car use and diet, energy-efficiency steps, heat recovery."""
import math

import numpy as np
import reference as ref

from sim.kernels import behaviour
from sim.kernels.rng import make_key, uniform


def test_household_behaviour_matches_reference(rng):
    """Kilometre factors and diet changes agree with the reference on the same draws."""
    n = 5000
    zone = rng.integers(0, 3, n).astype(np.int8)
    attitude, strength, exposure = rng.random(n), rng.random(n) * (rng.random(n) < 0.2), rng.random(n)
    diet = rng.random(n) < 0.1
    zone_km, shift = np.array([0.7, 1.0, 1.3]), np.array([0.1, 0.05, 0.0])
    key = make_key(3, 2025, 7)
    want_km, want_diet = ref.household_behaviour(zone, attitude, strength, exposure, diet, zone_km, shift, 0.05,
                                                 0.2, key, uniform)
    km = np.full(n, np.nan)
    behaviour.household_behaviour(zone, attitude, strength, exposure, diet, zone_km, shift, 0.05, 0.2, key, km)
    np.testing.assert_allclose(km, want_km, rtol=1e-15)
    np.testing.assert_array_equal(diet, want_diet)
    assert want_diet.sum() > 600


def test_diet_change_is_kept_and_never_reversed(rng):
    """Households already on a low-meat diet stay on it; with zero rate nobody changes."""
    n = 1000
    diet = np.arange(n) % 3 == 0
    before = diet.copy()
    km = np.empty(n)
    args = (np.zeros(n, dtype=np.int8), rng.random(n), np.zeros(n), np.zeros(n))
    behaviour.household_behaviour(*args, diet, np.ones(3), np.zeros(3), 0.05, 0.0, make_key(1, 2030, 7), km)
    np.testing.assert_array_equal(diet, before)
    behaviour.household_behaviour(*args, diet, np.ones(3), np.zeros(3), 0.05, 1.0, make_key(1, 2031, 7), km)
    assert diet[before].all() and diet.sum() > before.sum()


def test_climb_energy_steps_matches_reference(rng):
    """Step changes agree with the reference; at most one step a year and never past the top."""
    n = 5000
    steps = rng.integers(0, 5, n).astype(np.int8)
    before = steps.copy()
    pledged = (rng.random(n) < 0.3).astype(float)
    exposure = rng.random(n)
    key = make_key(2, 2027, 8)
    want = ref.climb_energy_steps(steps, 4, pledged, exposure, 0.1, 0.5, 1.0, 0.2, key, uniform)
    behaviour.climb_energy_steps(steps, 4, pledged, exposure, 0.1, 0.5, 1.0, 0.2, key)
    np.testing.assert_array_equal(steps, want)
    assert set(np.unique(steps - before)) == {0, 1}
    assert steps.max() == 4 and np.all(steps[before == 4] == 4)


def test_energy_step_rate():
    """Share climbing equals 1 - exp(-base (1 + 2 support)) without pledge or neighbours (5 sigma)."""
    n = 100_000
    steps = np.zeros(n, dtype=np.int8)
    behaviour.climb_energy_steps(steps, 4, np.zeros(n), np.zeros(n), 0.04, 0.5, 1.0, 0.1, make_key(5, 2030, 8))
    p = 1 - math.exp(-0.04 * 2.0)
    assert abs(steps.sum() - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_heat_recovery_matches_reference(rng):
    """Connections agree with the reference; ineligible firms never connect and connections are kept."""
    n = 4000
    eligible = rng.random(n) < 0.3
    connected = eligible & (rng.random(n) < 0.2)
    before = connected.copy()
    pledged = (rng.random(n) < 0.5).astype(float)
    key = make_key(4, 2029, 9)
    want = ref.connect_heat_recovery(eligible, connected, pledged, 0.2, 0.5, 0.6, key, uniform)
    behaviour.connect_heat_recovery(eligible, connected, pledged, 0.2, 0.5, 0.6, key)
    np.testing.assert_array_equal(connected, want)
    assert not connected[~eligible].any() and connected[before].all()
    assert connected.sum() > before.sum()
