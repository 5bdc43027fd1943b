"""Adoption kernels: logit utilities, competing-hazard choice, and the Bass limiting case."""
import math

import numpy as np
import pytest
import reference as ref
from scipy import stats

from sim.kernels import adoption
from sim.kernels.rng import make_key, uniform_at


def random_inputs(rng, n, k):
    return dict(usage=rng.uniform(0, 30_000, n), attitude=rng.random(n), pledged=rng.random(n) * (rng.random(n) < 0.3),
                exposure=rng.random(n), capex=rng.uniform(0, 20_000, k), usage_cost=rng.uniform(0, 2, k),
                constant=rng.normal(0, 1, k), green=rng.random(k), cost_unit=10_000.0,
                weights=np.array([1.1, 2.0, 0.8, 0.4]))


@pytest.mark.parametrize("n,k", [(1, 2), (200, 3), (1000, 5)])
def test_utilities_match_reference(rng, n, k):
    """U_ij = constant_j - w_cost cost_ij / unit + (w_social e_i + w_att (a_i - 0.5) + w_pledge p_i) green_j."""
    args = random_inputs(rng, n, k)
    out = np.empty((n, k))
    adoption.utilities(args["usage"], args["attitude"], args["pledged"], args["exposure"], args["capex"],
                       args["usage_cost"], args["constant"], args["green"], args["cost_unit"], args["weights"], out)
    expected = ref.utilities(**args)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_utilities_direction():
    """More cost lowers utility; more exposure, attitude and pledge raise that of green options only."""
    base = dict(usage=np.array([1000.0]), attitude=np.array([0.5]), pledged=np.array([0.0]),
                exposure=np.array([0.0]), capex=np.array([0.0, 0.0]), usage_cost=np.array([1.0, 1.0]),
                constant=np.zeros(2), green=np.array([0.0, 1.0]), cost_unit=10_000.0,
                weights=np.array([1.0, 1.0, 1.0, 1.0]))

    def u(**change):
        args = {**base, **change}
        out = np.empty((1, 2))
        adoption.utilities(args["usage"], args["attitude"], args["pledged"], args["exposure"], args["capex"],
                           args["usage_cost"], args["constant"], args["green"], args["cost_unit"],
                           args["weights"], out)
        return out[0]

    u0 = u()
    assert u(capex=np.array([0.0, 5000.0]))[1] < u0[1]
    for key in ("exposure", "attitude", "pledged"):
        moved = u(**{key: np.array([1.0])})
        assert moved[1] > u0[1] and moved[0] == u0[0]


@pytest.mark.parametrize("n,k,dt", [(500, 2, 1.0), (3000, 3, 1.0), (3000, 5, 0.5), (50, 5, 0.01)])
def test_adopt_matches_reference(rng, n, k, dt):
    """Chosen options and events agree exactly with the reference using the same counter-based draws."""
    current = rng.integers(0, k, n).astype(np.int8)
    rate = rng.uniform(0, 0.6, n) * (rng.random(n) < 0.9)
    utilities = rng.normal(0, 2, (n, k))
    utilities[rng.random((n, k)) < 0.05] = -np.inf   # unavailable: neither chosen nor imitated
    utilities[rng.random((n, k)) < 0.02] = -1e30     # merely very unattractive: still imitated
    exposure = rng.random(n)
    imitation = rng.uniform(0, 0.5, k) * (rng.random(k) < 0.7)
    key = make_key(3, 2027, 1)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.empty(n, dtype=bool)
    adoption.adopt(current, rate, utilities, exposure, imitation, dt, key, chosen, replaced)
    want_chosen, want_replaced = ref.adopt(current, rate, utilities, exposure, imitation, dt, key, uniform_at)
    np.testing.assert_array_equal(replaced, want_replaced)
    np.testing.assert_array_equal(chosen, want_chosen)
    assert replaced.any() and (chosen != current).any()
    assert np.all(chosen[~replaced] == current[~replaced])


def test_adopt_nothing_without_hazard(rng):
    """Zero replacement rate and zero imitation: no event, everyone keeps their option."""
    n, k = 1000, 3
    current = rng.integers(0, k, n).astype(np.int8)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.ones(n, dtype=bool)
    adoption.adopt(current, np.zeros(n), rng.normal(size=(n, k)), rng.random(n), np.zeros(k), 1.0,
                   make_key(1, 2020, 1), chosen, replaced)
    assert not replaced.any()
    np.testing.assert_array_equal(chosen, current)


def test_adopt_event_rate_and_logit_shares():
    """Event frequency is 1 - exp(-r dt) and choices at events follow the logit shares (chi-square)."""
    n, r = 200_000, 0.3
    utilities = np.tile(np.array([0.0, 1.0, -0.5]), (n, 1))
    current = np.zeros(n, dtype=np.int8)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.empty(n, dtype=bool)
    adoption.adopt(current, np.full(n, r), utilities, np.zeros(n), np.zeros(3), 1.0, make_key(8, 2030, 2),
                   chosen, replaced)
    p_event = 1 - math.exp(-r)
    events = replaced.sum()
    assert abs(events - n * p_event) < 5 * math.sqrt(n * p_event * (1 - p_event))
    shares = np.exp([0.0, 1.0, -0.5])
    shares /= shares.sum()
    counts = np.bincount(chosen[replaced], minlength=3)
    chi2 = ((counts - events * shares) ** 2 / (events * shares)).sum()
    assert chi2 < stats.chi2.ppf(1 - 1e-4, 2)


@pytest.mark.parametrize("imitated", [0.0, 0.3])
def test_adopt_unavailable_option_never_chosen(rng, imitated):
    """An option with utility -inf (no district-heating connection) is never taken, even when others imitate it."""
    n = 20_000
    utilities = rng.normal(size=(n, 3))
    utilities[:, 0] = -np.inf
    current = rng.integers(1, 3, n).astype(np.int8)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.empty(n, dtype=bool)
    adoption.adopt(current, np.full(n, 0.5), utilities, rng.random(n), np.array([imitated, 0.3, 0.0]), 1.0,
                   make_key(2, 2033, 2), chosen, replaced)
    assert replaced.sum() > n // 4
    assert not np.any(chosen == 0)


def bass_simulation(n, p, q, dt, years, seed=1):
    """Drive ``adopt`` with Bass inputs: new option's logit share 1, exposure = current share F for all."""
    current = np.zeros(n, dtype=np.int8)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.empty(n, dtype=bool)
    utilities = np.tile(np.array([-1e9, 0.0]), (n, 1))
    rate = np.full(n, p)
    imitation = np.array([0.0, q])
    exposure = np.empty(n)
    steps = round(years / dt)
    curve = np.empty(steps + 1)
    curve[0] = 0.0
    for s in range(steps):
        exposure.fill(curve[s])
        adoption.adopt(current, rate, utilities, exposure, imitation, dt, make_key(seed, s, 1), chosen, replaced)
        current, chosen = chosen, current
        curve[s + 1] = np.count_nonzero(current) / n
    return np.arange(steps + 1) * dt, curve


def test_bass_limiting_case():
    """All-to-all network, no costs, innovation p and imitation q: adoption follows the closed-form Bass curve."""
    p, q, dt, years, n = 0.03, 0.38, 0.01, 15.0, 200_000
    t, curve = bass_simulation(n, p, q, dt, years)
    exact = ref.bass(t, p, q)
    # Tolerance. Sampling: each step is binomial, so the path's noise is of the order of the binomial
    # standard deviation sqrt(F (1 - F) / N) <= 0.5 / sqrt(2e5) = 0.0011; 5 of those is 0.0056.
    # Discretisation: within a step the exposure is frozen at F(t), an O(dt) error; the deterministic
    # recursion F' = F + (1 - F)(1 - exp(-dt (p + q F))) stays within q dt / 4 + O(dt^2) ~ 0.001 of the
    # closed form here (checked below). Their sum, about 0.007, is inside the 1 % the issue asks.
    recursion = np.zeros_like(t)
    for s in range(len(t) - 1):
        f = recursion[s]
        recursion[s + 1] = f + (1 - f) * (1 - math.exp(-dt * (p + q * f)))
    discretisation = np.abs(recursion - exact).max()
    assert discretisation < 0.002
    sampling = 5 * 0.5 / math.sqrt(n)
    assert sampling + discretisation < 0.01
    assert np.abs(curve - exact).max() < 0.01
    # the curve is genuinely S-shaped over the window, so the comparison is not trivial
    assert curve[-1] > 0.9 and abs(curve[int(5 / dt)] - exact[int(5 / dt)]) < 0.01


@pytest.mark.parametrize("blocked_option", [-1, 0])
def test_choose_equals_utilities_then_adopt(rng, blocked_option):
    """The fused kernel takes exactly the decisions of utilities then adopt, items read through their owners."""
    n_owners, n_items, k = 400, 700, 4
    owner = np.sort(rng.integers(0, n_owners, n_items)).astype(np.int32)
    rate = np.where(rng.random(n_owners) < 0.8, 0.3, 0.0)
    usage, attitude = rng.uniform(0.5, 2.0, n_owners), rng.random(n_owners)
    pledged, exposure = rng.random(n_owners) * (rng.random(n_owners) < 0.3), rng.random(n_owners)
    blocked = rng.random(n_owners) < 0.4
    capex, usage_cost = rng.uniform(0, 5000, k), rng.uniform(0, 2, k)
    constant, green = rng.normal(size=k), rng.random(k)
    constant[k - 1] = -np.inf                      # an option not offered at all
    imitation = np.array([0.0, 0.4, 0.2, 0.3])
    weights, current = np.array([1.0, 2.0, 1.5, 0.5]), rng.integers(0, k - 1, n_items).astype(np.int8)
    key = make_key(5, 2031, 1)
    utilities = np.empty((n_items, k))
    adoption.utilities(1.7 * usage[owner], attitude[owner], pledged[owner], exposure[owner], capex, usage_cost,
                       constant, green, 1000.0, weights, utilities)
    if blocked_option >= 0:
        utilities[blocked[owner], blocked_option] = -np.inf
    want, want_replaced = np.empty(n_items, dtype=np.int8), np.empty(n_items, dtype=bool)
    adoption.adopt(current, rate[owner], utilities, exposure[owner], imitation, 1.0, key, want, want_replaced)
    got, got_replaced = np.empty(n_items, dtype=np.int8), np.empty(n_items, dtype=bool)
    adoption.choose(current, owner, rate, 1.7, usage, attitude, pledged, exposure, blocked_option, blocked,
                    np.zeros(n_owners, dtype=np.int64), np.stack([capex, usage_cost, constant, green, imitation])[None],
                    1000.0, weights, key, got, got_replaced)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_replaced, want_replaced)
    assert want_replaced.sum() > 50 and (want != current).sum() > 20   # the case exercises real decisions
