"""The investment plan (sim.plan): per-lever attribution on common random numbers, its bookkeeping and its file."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.batch import run_batch
from sim.plan import investment_plan, plan_variants
from sim.plan_report import write_plan_report
from sim.scenario import load_scenario, parse_scenario
from sim.store import open_results

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "scenarios" / "klimatkontrakt_2024.toml"
RUNS, SEED, SCALE = 3, 5, 0.02

SMALL = """[scenario]
name = "small_package"
start_year = 2020
end_year = 2035
scale = 0.02

[levers]
biochar_capacity = {value = 4000, from = 2025}
charge_points_per_year = 400
"""


@pytest.fixture(scope="module")
def client():
    """One local cluster of two workers for the module's batches."""
    from sim.cluster import connect

    with connect(None, 2) as dask_client:
        yield dask_client


def without(scenario, reference, lever):
    """``scenario`` with ``lever`` set back to ``reference``'s value and year, built here, not by sim.plan."""
    setting = {"value": reference.levers[lever], "from": reference.lever_years[lever]}
    return dataclasses.replace(scenario.with_levers(**{lever: setting}), name=f"without {lever}")


@pytest.fixture(scope="module")
def contract_plan(client):
    """The plan of the contract scenario, and a plain batch on the same seed of its baseline, its package and
    the package without each lever (the first two scenarios are the baseline and the package)."""
    scenario = load_scenario(CONTRACT)
    plan = investment_plan(scenario, RUNS, SEED, scale=SCALE, client=client)
    reference = plan_variants(scenario).reference
    levers = [str(lever) for lever in plan["lever"].values]
    plain = run_batch([reference, scenario, *(without(scenario, reference, lever) for lever in levers)], RUNS, SEED,
                      scale=SCALE, client=client)
    return scenario, plan, plain


def test_removed_plus_interaction_is_the_package(contract_plan):
    """The identity of the attribution, against an independent batch on the same seed: each lever's
    removed-from-package abatement is (package without it) - package, and these summed over the levers plus the
    interaction equal the package's paired difference (baseline - package), per run and year and cumulated."""
    _, plan, plain = contract_plan
    net = plain["net_emissions"]
    names = [str(n) for n in plain["scenario"].values]
    paired = net.sel(scenario=names[0]) - net.sel(scenario=names[1])
    levers = [str(lever) for lever in plan["lever"].values]
    removed = xr.concat([net.sel(scenario=f"without {lever}") - net.sel(scenario=names[1]) for lever in levers],
                        dim="lever").assign_coords(lever=levers)
    np.testing.assert_array_equal(plan["abatement"].sel(attribution="removed").transpose(*removed.dims).values,
                                  removed.values)
    np.testing.assert_array_equal(plan["package_abatement"].values, paired.values)
    np.testing.assert_allclose((removed.sum("lever") + plan["interaction"]).values, paired.values,
                               rtol=1e-12, atol=1e-6)
    to_2045 = {"year": slice(None, 2045)}
    cumulative = removed.sel(to_2045).sum(("year", "lever")) + plan["cumulative_interaction_2045"]
    np.testing.assert_allclose(cumulative.values, paired.sel(to_2045).sum("year").values, rtol=1e-12, atol=1e-6)
    assert len(levers) >= 10 and float(np.abs(paired.sum("year")).min()) > 0
    assert float(np.abs(plan["interaction"]).max()) > 0  # the levers overlap: the identity is not 0 = 0


def test_baseline_variant_is_the_plain_baseline(contract_plan, client):
    """Common random numbers: the plan's baseline and package variants (pledge counterfactual off) are bit for
    bit a plain batch of the baseline and the scenario as loaded, on the same seed."""
    scenario, _, plain = contract_plan
    names = [str(n) for n in plain["scenario"].values]
    variants = plan_variants(scenario)
    batch = run_batch(variants.scenarios[:2], RUNS, SEED, scale=SCALE, client=client)
    for name in ("net_emissions", "costs", "emissions"):
        np.testing.assert_array_equal(batch[name].sel(scenario="baseline").values,
                                      plain[name].sel(scenario=names[0]).values)
        np.testing.assert_array_equal(batch[name].sel(scenario="package").values,
                                      plain[name].sel(scenario=names[1]).values)


def test_clearly_effective_levers_abate(contract_plan):
    """Biochar and rewetting store carbon directly: added alone they cut net emissions in every run, by at
    most the biochar capacity a year; cycle lanes and fossil-free machinery cut on the median run."""
    _, plan, _ = contract_plan
    alone = plan["abatement"].sel(attribution="alone")
    biochar = alone.sel(lever="biochar_capacity")
    assert bool((biochar.sel(year=slice(2030, None)) > 0).all())
    assert bool((biochar <= 5000 * (1 + 1e-9)).all())
    assert bool((biochar.sel(year=slice(None, 2025)) == 0).all())  # before its year, no effect
    assert bool((plan["cumulative_abatement_2045"].sel(attribution="alone", lever="rewetting_per_year") > 0).all())
    for lever in ("cycle_lanes_per_year", "fossil_free_machinery_year"):
        assert float(plan["cumulative_abatement_2045_summary"].sel(attribution="alone", lever=lever,
                                                                 statistic="median")) > 0


def test_every_contract_lever_has_a_cost_per_tonne_or_a_reason(contract_plan):
    """Each lever of the contract scenario: a finite, nonzero median cost per tonne, or a stated reason."""
    scenario, plan, _ = contract_plan
    per_t = plan["cost_per_tonne_summary"].sel(statistic="median")
    reasons = plan["no_cost_reason"]
    for attribution in plan["attribution"].values:
        for lever in plan["lever"].values:
            value = float(per_t.sel(attribution=attribution, lever=lever))
            reason = str(reasons.sel(attribution=attribution, lever=lever).values)
            assert (np.isfinite(value) and value != 0) != bool(reason), (attribution, lever, value, reason)
    assert set(plan["lever"].values) == {k for k, v in scenario.levers.items() if v != plan_variants(
        scenario).reference.levers[k]}


def test_procurement_criteria_act_on_scope_3_and_say_so(contract_plan):
    """Climate criteria cut the group's purchases' emissions (scope 3), not territorial ones: no territorial
    tonnes, and the reason gives the scope-3 tonnes it does cut (positive in every run) and their cost."""
    _, plan, _ = contract_plan
    where = {"lever": "procurement_criteria"}
    assert bool((plan["cumulative_abatement_2045"].sel(**where) == 0).all())
    assert bool((plan["cumulative_scope3_abatement_2045"].sel(**where) > 0).all())
    for attribution in ("alone", "removed"):
        reason = str(plan["no_cost_reason"].sel(attribution=attribution, **where).values)
        assert reason.startswith("no territorial abatement") and "SEK per tonne of scope 3" in reason, reason
    biochar = plan["cumulative_scope3_abatement_2045"].sel(lever="biochar_capacity")
    assert bool((biochar == 0).all())  # a territorial lever leaves the group's purchases alone


def test_units_on_every_variable(contract_plan):
    """Every numeric variable and coordinate has units and every variable a long_name; the attrs say how."""
    _, plan, _ = contract_plan
    for name, var in plan.variables.items():
        assert var.attrs.get("long_name"), name
        if var.dtype.kind in "fiu":
            assert var.attrs.get("units"), name
    for key in ("scenario_text", "seed", "runs", "sim_version", "discount_rate", "price_year",
                "discount_base_year"):
        assert key in plan.attrs, key
    assert plan.attrs["discount_rate"] == 0.035 and plan.attrs["seed"] == SEED and plan.attrs["runs"] == RUNS
    summary = plan["present_cost_summary"]
    assert summary.dims[0] == "statistic" and list(summary["statistic"].values) == ["median", "p05", "p95"]
    assert bool((summary.sel(statistic="p05") <= summary.sel(statistic="p95")).all())


def test_present_cost_is_discounted(contract_plan, tmp_path):
    """The present cost discounts each year's extra cost to the base year at the stated rate."""
    _, plan, plain = contract_plan
    names = [str(n) for n in plain["scenario"].values]
    assert plan.attrs["net_cost_terms"] == "costs + energy_expenditure"
    cost = plain["costs"] + plain["energy_expenditure"]
    extra = (cost.sel(scenario=names[1]) - cost.sel(scenario=names[0])).sel(year=slice(None, 2045))
    factor = 1.035 ** -(extra["year"] - plan.attrs["discount_base_year"])
    np.testing.assert_allclose(plan["present_package_cost"].values,
                               (extra * factor).sum("year").transpose("run", "payer").values, rtol=1e-12)
    page = write_plan_report(plan, tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "SEK/t CO2e" in page and "biochar capacity" in page


def test_cli_writes_the_plan(tmp_path, client):
    """``sim plan`` writes a NetCDF plan that opens with its checksums, and the HTML page."""
    scenario = tmp_path / "small.toml"
    scenario.write_text(SMALL)
    out, page = tmp_path / "plan.nc", tmp_path / "plan.html"
    done = subprocess.run([sys.executable, "-m", "sim", "plan", str(scenario), "--runs", "2", "--seed", "3",
                           "--workers", "1", "--out", str(out), "--report", str(page), "--quiet"],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    ds = open_results(out)
    assert list(ds["lever"].values) == ["charge_points_per_year", "biochar_capacity"]
    assert ds.sizes["run"] == 2 and "interaction" in ds and page.stat().st_size > 1000
    expected = investment_plan(parse_scenario(SMALL), 2, 3, client=client)
    xr.testing.assert_allclose(ds["abatement"], expected["abatement"], rtol=0, atol=0)


def test_the_batch_report_carries_the_plan(contract_plan, tmp_path):
    """``sim report --plan`` adds the plan's cost curve and per-lever table to the batch report."""
    _, plan, plain = contract_plan
    results, plan_file, page = tmp_path / "batch.nc", tmp_path / "plan.nc", tmp_path / "report.html"
    plain.to_netcdf(results)
    plan.to_netcdf(plan_file)
    done = subprocess.run([sys.executable, "-m", "sim", "report", str(results), "--out", str(page),
                           "--plan", str(plan_file)], capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    assert "Investment plan: what each lever buys" in text and "biochar capacity" in text
    assert "Net emissions" in text  # the batch report itself is still there
    wrong = subprocess.run([sys.executable, "-m", "sim", "report", str(results), "--out", str(page),
                            "--plan", str(results)], capture_output=True, text=True, timeout=300, check=False,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert wrong.returncode != 0 and "field 'plan'" in wrong.stderr


def test_a_multi_city_scenario_is_refused():
    scenario = load_scenario(CONTRACT).with_municipalities(["malmo", "lund"])
    with pytest.raises(ValueError, match="field 'scenario.municipality'.*given 2: malmo, lund"):
        plan_variants(scenario)


def test_a_scenario_without_levers_is_refused():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    with pytest.raises(ValueError, match="field 'levers'"):
        plan_variants(scenario, baseline=scenario)


def test_the_discount_rate_is_the_analysis_lever_never_attributed():
    """``appraisal_discount_rate`` set in a scenario is the plan's rate, not one of its levers."""
    from sim.plan import _discount_rate

    scenario = load_scenario(CONTRACT).with_levers(appraisal_discount_rate=0.05)
    assert "appraisal_discount_rate" not in plan_variants(scenario).levers
    assert _discount_rate(scenario, None) == 0.05 and _discount_rate(scenario, 0.02) == 0.02
    with pytest.raises(ValueError, match="discount_rate"):
        _discount_rate(scenario, 1.5)


def test_horizons_are_the_municipalitys_target_years(client):
    """The cumulative figures end in the reduction and climate-positive years of the batch's targets (its data),
    not in years written in the code: targets of 2027 and 2033 give periods 2020-2027 and 2020-2033."""
    from sim.plan import plan_dataset

    variants = plan_variants(parse_scenario(SMALL))
    batch = run_batch(variants.scenarios, RUNS, SEED, client=client)
    batch.attrs.update(target_reduction_year=2027, target_climate_positive_year=2033)
    plan = plan_dataset(batch, variants, 0.035)
    assert plan["cumulative_abatement_2030"].attrs["period"] == "2020-2027"
    assert plan["cumulative_abatement_2045"].attrs["period"] == "2020-2033" == plan.attrs["appraisal_period"]
    for suffix, end in (("2030", 2027), ("2045", 2033)):
        np.testing.assert_array_equal(plan[f"cumulative_abatement_{suffix}"].values,
                                      plan["abatement"].sel(year=slice(None, end)).sum("year").values)
