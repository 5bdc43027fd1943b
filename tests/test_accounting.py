"""Accounting kernels: households' and firms' emissions and energy against a serial reference."""
import numpy as np
import pytest
import reference as ref

from sim.kernels import accounting


def household_inputs(rng, n=2000):
    n_cars = int(n * 1.1)
    return dict(
        car_owner=np.sort(rng.integers(0, n, n_cars)).astype(np.int32),
        car_fuel=rng.integers(0, 5, n_cars).astype(np.int8),
        km_per_car=12_000.0, km_factor=rng.uniform(0.5, 1.5, n),
        fossil_kg_per_km=np.array([0.15, 0.12, 0.06, 0.0, 0.016]),
        footprint_kg_per_km=np.array([0.2, 0.19, 0.11, 0.052, 0.2]),
        heating=rng.integers(0, 5, n).astype(np.int8), heat_demand=rng.choice([10.0, 20.0], n),
        oil_system=3, oil_t_per_mwh=0.29, heat_electricity=np.array([0.0, 0.333, 1.0, 0.05, 0.05]),
        heat_district=np.array([1.0, 0.0, 0.0, 0.0, 0.0]), persons=rng.uniform(1, 4, n),
        low_meat_diet=rng.random(n) < 0.2, food=np.array([1.8, 1.2]))


def test_household_accounts_match_reference(rng):
    """The six household totals equal the serial reference exactly (same sums in the same order)."""
    args = household_inputs(rng)
    totals = np.full(6, np.nan)
    accounting.household_accounts(*args.values(), totals)
    np.testing.assert_array_equal(totals, ref.household_accounts(*args.values()))


def test_household_accounts_hand_case():
    """One oil-heated household with one petrol car: totals checked by hand."""
    totals = np.empty(6)
    accounting.household_accounts(np.array([0], dtype=np.int32), np.array([0], dtype=np.int8), 10_000.0,
                                  np.array([0.5]), np.array([0.2, 0, 0, 0, 0.0]), np.array([0.3, 0, 0, 0, 0.0]),
                                  np.array([3], dtype=np.int8), np.array([20.0]), 3, 0.3,
                                  np.array([0.0, 0.333, 1.0, 0.05, 0.05]), np.array([1.0, 0, 0, 0, 0]),
                                  np.array([2.0]), np.array([True]), np.array([1.8, 1.2]), totals)
    np.testing.assert_allclose(totals, [1.0, 1.5, 6.0, 0.0, 1.0, 2.4], rtol=1e-14)


def test_household_accounts_reset_totals(rng):
    """Totals are overwritten, not accumulated, across calls."""
    args = household_inputs(rng, 100)
    totals = np.full(6, 1e9)
    accounting.household_accounts(*args.values(), totals)
    first = totals.copy()
    accounting.household_accounts(*args.values(), totals)
    np.testing.assert_array_equal(totals, first)
    assert totals.max() < 1e8


def firm_inputs(rng, n=1500):
    return dict(
        sector=rng.integers(0, 7, n).astype(np.int8), vehicle_energy=rng.uniform(0, 500, n),
        fleet_tech=rng.integers(0, 3, n).astype(np.int8), process_energy=rng.uniform(0, 2000, n) * (rng.random(n) < .3),
        process_electrified=rng.random(n) < 0.2, heating_fossil=rng.uniform(0, 100, n),
        machinery_energy=rng.uniform(0, 300, n), machinery_fossil_free=rng.random(n) < 0.3,
        electricity=rng.uniform(0, 500, n), district_heat=rng.uniform(0, 200, n),
        energy_step=rng.integers(0, 5, n).astype(np.int8), step_saving=0.05,
        delivery=np.where(rng.random(n) < 0.3, rng.uniform(0.5, 1, n), 1.0),
        freight_cut=np.array([0, 0, 0, 0, 0.1, 0, 0.0]), fleet_t_per_mwh=np.array([0.21, 0.0105, 0.0]),
        fuel_t_per_mwh=np.array([0.27, 0.313, 0.21]), electric_fleet=2, electric_efficiency=3.0)


def test_firm_accounts_match_reference(rng):
    """Firm totals and each firm's direct emissions equal the reference (rtol 1e-12: x**k may round differently)."""
    args = firm_inputs(rng)
    totals = np.full(6, np.nan)
    direct = np.full(len(args["sector"]), np.nan)
    accounting.firm_accounts(*args.values(), totals, direct)
    want_totals, want_direct = ref.firm_accounts(*args.values())
    np.testing.assert_allclose(totals, want_totals, rtol=1e-12)
    np.testing.assert_allclose(direct, want_direct, rtol=1e-12)
    np.testing.assert_allclose(direct.sum(), totals[:4].sum(), rtol=1e-12)


@pytest.mark.parametrize("change,index,factor", [
    (dict(delivery=0.5), [0, 1, 2, 3], 0.5),                  # a pledge's delivery cuts all fossil use
    (dict(energy_step=2), [1, 2], 0.95 ** 2),                 # steps cut process and heating, not vehicles
])
def test_firm_accounts_levers_scale_emissions(rng, change, index, factor):
    """Delivery factors and efficiency steps scale the documented emission totals by the documented factor."""
    args = firm_inputs(rng, 300)
    args.update(fleet_tech=np.zeros(300, dtype=np.int8), process_electrified=np.zeros(300, dtype=bool),
                machinery_fossil_free=np.zeros(300, dtype=bool), energy_step=np.zeros(300, dtype=np.int8),
                delivery=np.ones(300))
    base, direct = np.empty(6), np.empty(300)
    accounting.firm_accounts(*args.values(), base, direct)
    key = next(iter(change))
    args[key] = np.full(300, change[key], dtype=args[key].dtype)
    moved = np.empty(6)
    accounting.firm_accounts(*args.values(), moved, direct)
    np.testing.assert_allclose(moved[index], base[index] * factor, rtol=1e-12)


def test_firm_electrification_moves_fossil_to_electricity(rng):
    """Electric fleets and electrified processes emit nothing directly and add their energy to electricity."""
    args = firm_inputs(rng, 200)
    args.update(energy_step=np.zeros(200, dtype=np.int8), delivery=np.ones(200), freight_cut=np.zeros(7),
                fleet_tech=np.full(200, 2, dtype=np.int8), process_electrified=np.ones(200, dtype=bool))
    totals, direct = np.empty(6), np.empty(200)
    accounting.firm_accounts(*args.values(), totals, direct)
    assert totals[0] == 0.0 and totals[1] == 0.0
    expected_power = (args["electricity"] + args["vehicle_energy"] / 3 + args["process_energy"]).sum()
    assert totals[5] == pytest.approx(expected_power, rel=1e-12)
