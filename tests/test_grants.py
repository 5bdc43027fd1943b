"""Climate grants: ranking by claimed tonnes per krona, budget, free riders, delivery and lottery mode."""
import numpy as np
import pytest
import reference as ref

from sim.kernels.grants import allocate_grants
from sim.kernels.rng import make_key, uniform_at


def proposals(rng, m):
    cost = rng.uniform(1e4, 2e6, m)
    true = rng.uniform(0, 200, m)
    claimed = true * (1 + rng.uniform(0, 1, m))
    return cost, claimed, true


def run(cost, claimed, true, budget, lottery=False, free=0.0, delivery=1.0, key=None, ids=None):
    key = make_key(1, 2025, 10) if key is None else key
    ids = np.arange(len(cost), dtype=np.int64) if ids is None else ids
    funded = np.zeros(len(cost), dtype=bool)
    executed = np.zeros(len(cost), dtype=bool)
    spend, credited = allocate_grants(cost, claimed, true, ids, budget, lottery, free, delivery, key, funded,
                                      executed)
    return funded, executed, spend, credited


@pytest.mark.parametrize("m,budget,lottery,free,delivery", [
    (1, 1e6, False, 0.0, 1.0), (20, 5e6, False, 0.3, 0.8), (200, 3e7, False, 0.5, 0.6),
    (200, 3e7, True, 0.2, 0.9), (50, 0.0, False, 0.1, 1.0), (50, 1e12, True, 0.0, 0.7)])
def test_matches_reference(rng, m, budget, lottery, free, delivery):
    """Funded and executed projects, spend and credited abatement agree with the reference."""
    cost, claimed, true = proposals(rng, m)
    key = make_key(2, 2026, 10)
    ids = rng.permutation(3 * m).astype(np.int64)[:m]   # stable identities, not positions
    funded, executed, spend, credited = run(cost, claimed, true, budget, lottery, free, delivery, key, ids)
    f, e, _, s, c = ref.allocate_grants(cost, claimed, true, budget, lottery, free, delivery, key, uniform_at, ids)
    np.testing.assert_array_equal(funded, f)
    np.testing.assert_array_equal(executed, e)
    assert spend == pytest.approx(s, rel=1e-12)
    assert credited == pytest.approx(c, rel=1e-12, abs=1e-12)


def test_ranking_by_claimed_tonnes_per_krona():
    """With room for two of three, the two best claimed t/SEK are funded, even if true abatement says otherwise."""
    cost = np.array([100.0, 100.0, 100.0])
    claimed = np.array([1.0, 3.0, 2.0])
    true = np.array([50.0, 0.1, 0.1])   # the overclaiming projects win: the rule ranks claims
    funded, _, spend, credited = run(cost, claimed, true, 200.0)
    np.testing.assert_array_equal(funded, [False, True, True])
    assert spend == 200.0 and credited == pytest.approx(0.2)


def test_skips_what_does_not_fit_and_funds_smaller_later():
    """A top-ranked proposal larger than what is left is skipped; a cheaper lower-ranked one is still funded."""
    cost = np.array([80.0, 50.0, 10.0])
    claimed = np.array([80.0, 60.0, 1.0])   # t/SEK: 1.0, 1.2, 0.1 -> order 1, 0, 2
    funded, _, spend, _ = run(cost, claimed, claimed, 100.0)
    np.testing.assert_array_equal(funded, [False, True, True])
    assert spend == 60.0


def test_budget_never_exceeded_and_spend_is_funded_cost(rng):
    """Over many random draws, spend equals the funded proposals' cost and never exceeds the budget."""
    for trial in range(200):
        m = int(rng.integers(1, 60))
        cost, claimed, true = proposals(rng, m)
        budget = float(rng.uniform(0, cost.sum() * 1.2))
        funded, executed, spend, credited = run(cost, claimed, true, budget, lottery=bool(trial % 2),
                                                free=0.3, delivery=0.8, key=make_key(trial, 2030, 10))
        assert spend <= budget
        assert spend == pytest.approx(cost[funded].sum(), rel=1e-12, abs=0)
        # greedy: nothing left unfunded would still fit
        assert np.all(cost[~funded] > budget - spend)
        assert 0.0 <= credited <= true[funded & executed].sum() + 1e-9


def test_free_riders_never_credited():
    """With every project a free rider, all are executed and paid but no abatement is credited."""
    cost = np.full(10, 100.0)
    true = np.arange(1.0, 11.0)
    funded, executed, spend, credited = run(cost, true, true, 1e9, free=1.0, delivery=1.0)
    assert funded.all() and executed.all() and spend == 1000.0
    assert credited == 0.0


def test_free_riders_go_ahead_without_grant_and_undelivered_do_nothing():
    """An unfunded free rider is executed; an undelivered project is never executed nor credited."""
    cost = np.full(10, 100.0)
    true = np.ones(10)
    funded, executed, _, credited = run(cost, true, true, 0.0, free=1.0, delivery=1.0)
    assert not funded.any() and executed.all() and credited == 0.0
    funded, executed, spend, credited = run(cost, true, true, 1e9, free=0.0, delivery=0.0)
    assert funded.all() and not executed.any() and credited == 0.0 and spend == 1000.0


def test_credited_is_additional_delivered_true_abatement():
    """Credit is the true (not claimed) abatement of funded, delivered, non-free-rider projects."""
    m = 400
    rng = np.random.default_rng(5)
    cost, claimed, true = proposals(rng, m)
    key = make_key(7, 2031, 10)
    funded, _, _, credited = run(cost, claimed, true, 1e12, free=0.25, delivery=0.7, key=key)
    free = np.array([uniform_at(key, p, 1) < 0.25 for p in range(m)])
    delivered = np.array([uniform_at(key, p, 2) < 0.7 for p in range(m)])
    assert credited == pytest.approx(true[funded & delivered & ~free].sum(), rel=1e-12)
    assert 0.15 < free.mean() < 0.35 and 0.6 < delivered.mean() < 0.8


def test_lottery_ignores_claims():
    """In lottery mode the funded set is drawn at random: it does not follow the claimed t/SEK ranking."""
    m = 100
    cost = np.full(m, 1.0)
    claimed = np.arange(m, dtype=float)   # best claims at the end
    picks = np.zeros(m)
    for seed in range(30):
        funded, _, spend, _ = run(cost, claimed, claimed, 10.0, lottery=True, key=make_key(seed, 2030, 10))
        assert funded.sum() == 10 and spend == 10.0
        picks += funded
    ranked, _, _, _ = run(cost, claimed, claimed, 10.0)
    assert ranked[-10:].all() and not ranked[:-10].any()
    assert picks[:-10].sum() > 200   # about 270 of the 300 lottery picks fall outside the ranking's top 10


def test_a_project_keeps_its_draws_whatever_else_is_proposed():
    """Free-rider and delivery draws follow a proposal's id: dropping other proposals changes nothing for it."""
    m = 300
    rng = np.random.default_rng(8)
    cost, claimed, true = proposals(rng, m)
    key = make_key(3, 2027, 10)
    _, all_executed, _, _ = run(cost, claimed, true, 0.0, free=0.4, delivery=0.8, key=key)
    keep = np.flatnonzero(rng.random(m) < 0.5)
    _, executed, _, _ = run(cost[keep], claimed[keep], true[keep], 0.0, free=0.4, delivery=0.8, key=key,
                            ids=keep.astype(np.int64))
    np.testing.assert_array_equal(executed, all_executed[keep])
    assert 0 < executed.sum() < len(keep)
