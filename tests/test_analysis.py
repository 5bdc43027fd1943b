"""The analyses: Sobol indices (SALib), PRIM scenario discovery (EMA Workbench), NSGA-II portfolios (pymoo)."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from testdata import scenario_text

from sim.batch import run_batch
from sim.cli import main
from sim.cluster import connect
from sim.discovery import discover, prim_boxes
from sim.factors import Factor, appraisal_base_year, factors_of, outcome_values
from sim.optimise import non_dominated, what_it_takes
from sim.plan import levers_at_defaults
from sim.scenario import parse_scenario
from sim.sensitivity import join_blocks, saltelli_design, sobol_analyse, sobol_indices, split_blocks

# Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: the analytic indices (Saltelli et al. 2008, Global Sensitivity
# Analysis: The Primer, section 4.5; SALib's test function)
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


@pytest.fixture(scope="module")
def client():
    with connect(None, 2) as c:
        yield c


@pytest.fixture(scope="module")
def small():
    """A short scenario (to 2031: the 2030 target is decided) at a tiny scale."""
    return parse_scenario(scenario_text(end_year=2031, scale=0.02, levers="transit_growth = 0.02\n"
                                                                          "cycle_lanes_per_year = 5"))


def test_sobol_recovers_the_ishigami_indices():
    """Through the design's blocks and back, SALib's estimators find the analytic indices within their intervals."""
    from SALib.test_functions import Ishigami

    factors = [Factor(f"x{i}", "uncertainty", -np.pi, np.pi, "1") for i in range(3)]
    blocks = split_blocks(saltelli_design(1024, factors, seed=3), len(factors))
    outputs = [Ishigami.evaluate(np.column_stack([f.values(b[:, i]) for i, f in enumerate(factors)])) for b in blocks]
    result = sobol_analyse(factors, {"y": join_blocks(outputs)}, seed=1).sel(outcome="y")
    # the intervals are 95 % bootstrap half-widths: twice that is about four standard errors
    assert np.all(np.abs(result["S1"].values - ISHIGAMI_S1) <= 2 * result["S1_conf"].values)
    assert np.all(np.abs(result["ST"].values - ISHIGAMI_ST) <= 2 * result["ST_conf"].values)
    assert np.all(result["ST_conf"].values < 0.1)  # the check is not vacuous
    for name in ("S1", "S1_conf", "ST", "ST_conf"):
        assert result[name].attrs["units"] == "1" and result[name].attrs["long_name"]


def test_design_blocks_are_the_saltelli_matrices():
    """Block k of the design is A with column k from B: the estimators compare the right points."""
    factors = [Factor(f"x{i}", "uncertainty", 0.0, 1.0, "1") for i in range(4)]
    blocks = split_blocks(saltelli_design(8, factors, seed=0), 4)
    a, b = blocks[0], blocks[-1]
    for k in range(4):
        expected = a.copy()
        expected[:, k] = b[:, k]
        np.testing.assert_array_equal(blocks[1 + k], expected)


def test_the_appraisal_rate_is_varied_or_searched_only_when_named(small):
    """The discount rate weighs costs; it is not a policy or a future: no default factor, never a decision lever."""
    from sim.optimise import contract_levers

    assert "appraisal_discount_rate" not in [f.name for f in factors_of(small)]
    assert [f.name for f in factors_of(small, ["appraisal_discount_rate"])] == ["appraisal_discount_rate"]
    assert contract_levers(small.with_levers(appraisal_discount_rate=0.05)) == ["cycle_lanes_per_year",
                                                                              "transit_growth"]
    with pytest.raises(ValueError, match="levers: allowed numeric levers .* other than appraisal_discount_rate"):
        what_it_takes(small, ["transit_growth", "appraisal_discount_rate"], runs=1)


def test_bad_sobol_arguments_are_named(small):
    with pytest.raises(ValueError, match="n: allowed a power of 2"):
        saltelli_design(6, factors_of(small, ["transit_growth"]), 0)
    with pytest.raises(ValueError, match="factors: allowed names of levers or uncertainties"):
        factors_of(small, ["transit_grwth"])
    with pytest.raises(ValueError, match="outcomes: allowed"):
        sobol_indices(small, ["transit_growth"], n=2, outcomes=["net_emissions_2031"])


def test_a_factor_the_outcome_cannot_depend_on_gets_total_index_zero(small, client):
    """Offsets are bought outside net emissions: ST is 0 within its interval; transit growth is not 0."""
    result = sobol_indices(small, ["offsets_per_year", "transit_growth", "blend_diesel_2030"], n=4, seed=2,
                           outcomes=["net_emissions_2030", "cost"], client=client)
    net = result.sel(outcome="net_emissions_2030")
    offsets = net.sel(factor="offsets_per_year")
    assert abs(float(offsets["ST"])) <= float(offsets["ST_conf"]) + 1e-12
    assert float(net["ST"].sel(factor="transit_growth")) > 0 and float(net["ST"].sel(factor="blend_diesel_2030")) > 0
    assert float(result["ST"].sel(factor="offsets_per_year", outcome="cost")) > 0  # offsets are paid for
    assert result.attrs["runs"] == 4 * (3 + 2)
    assert list(result["role"].values) == ["lever", "lever", "uncertainty"]


def test_sobol_resumes_from_its_store(small, client, tmp_path, monkeypatch):
    """With ``store``, each block's batch is kept: the same call again runs nothing and gives the same indices."""
    import sim.batch

    kwargs = dict(n=2, seed=3, outcomes=["net_emissions_2030", "cost"], client=client, store=tmp_path / "sobol")
    first = sobol_indices(small, ["transit_growth"], **kwargs)
    assert sorted(p.name for p in (tmp_path / "sobol").glob("block_*")) == ["block_0.zarr", "block_1.zarr", "block_2.zarr"]

    def refuse(*args, **kwargs):
        raise AssertionError("a finished design was run again")

    monkeypatch.setattr(sim.batch, "_execute", refuse)
    xr.testing.assert_identical(sobol_indices(small, ["transit_growth"], **kwargs), first)


def _planted(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "c": rng.random(n),
                      "d": pd.Categorical(rng.choice(["u", "v"], n))})
    inside = (x["a"] > 0.6) & (x["b"] < 0.3)
    y = np.where(inside, rng.random(n) < 0.95, rng.random(n) < 0.05)
    return x, y


def test_prim_finds_a_planted_box():
    """Runs meet the target with probability 0.95 in a > 0.6, b < 0.3 and 0.05 elsewhere: PRIM's first box is it."""
    x, y = _planted()
    box = prim_boxes(x, y, threshold=0.8).isel(box=0)
    assert list(box["restricted"].values) == [True, True, False, False]
    assert abs(float(box["box_low"].sel(factor="a")) - 0.6) < 0.05
    assert abs(float(box["box_high"].sel(factor="b")) - 0.3) < 0.07
    inside = ((x["a"] >= float(box["box_low"].sel(factor="a"))) & (x["b"] <= float(box["box_high"].sel(factor="b"))))
    # coverage and density recomputed from the box's bounds on the data
    assert float(box["density"]) == pytest.approx(y[inside].mean(), abs=1e-12)
    assert float(box["coverage"]) == pytest.approx(y[inside].sum() / y.sum(), abs=1e-12)
    assert float(box["density"]) >= 0.8 and float(box["coverage"]) > 0.6


def test_discover_reads_a_batch_and_reports_no_box_when_nothing_meets_the_target():
    x, y = _planted()
    ds = xr.Dataset({k: (("scenario", "run"), np.asarray(x[k])[None], {"role": "uncertainty"}) for k in x},
                    coords={"scenario": ["s"]})
    ds["target_2030_met"] = (("scenario", "run"), y[None].astype(float))
    ds["climate_positive_2045"] = (("scenario", "run"), np.zeros((1, len(y))))
    result = discover(ds, threshold=0.8, max_boxes=1)
    assert int(result["runs_meeting"].sel(outcome="climate_positive_2045")) == 0
    assert np.isnan(result["density"].sel(outcome="climate_positive_2045")).all()
    assert float(result["density"].sel(outcome="target_2030_met", box=0)) >= 0.8


def test_non_dominated_by_hand():
    cost = np.array([1.0, 2.0, 2.0, 3.0, 0.5])
    probability = np.array([0.2, 0.5, 0.4, 0.5, 0.0])
    assert list(non_dominated(cost, probability)) == [True, True, False, False, True]


def test_optimiser_front_is_non_dominated_and_probabilities_come_from_the_runs(small, client):
    """Every portfolio on the same runs; the front and the answers follow from the stored runs."""
    result = what_it_takes(small, ["transit_growth", "cycle_lanes_per_year"], runs=3, seed=4, population=4,
                           generations=2, rate=0.035, client=client)
    np.testing.assert_allclose(result["probability"], result["target_met"].mean("run"), rtol=0, atol=1e-12)
    np.testing.assert_allclose(result["cost"], result["run_cost"].mean("run"), rtol=1e-12)
    cost, probability, front = result["cost"].values, result["probability"].values, result["on_front"].values
    for i in np.flatnonzero(front):  # brute force: no portfolio at least as good in both and better in one
        strictly = (cost < cost[i]) | (probability > probability[i])
        better = (cost <= cost[i]) & (probability >= probability[i]) & strictly
        assert not better.any()
    assert front[~front].size + front.sum() == result.sizes["portfolio"] and front.any()
    for p, best in zip(result["p"].values, result["cheapest"].values):
        ok = probability >= p
        assert best == (np.flatnonzero(ok)[np.argmin(cost[ok])] if ok.any() else -1)
    assert 0.0 <= float(result["transit_growth"].min()) and float(result["transit_growth"].max()) <= 0.10
    assert all(result[v].attrs.get("units") for v in ("cost", "probability", "excess_2030", "gap_2030"))
    # the first portfolio is the scenario's own: its cost is its extra present net cost against the baseline,
    # recomputed from plain batches of the two on the same seed (net spending discounted at 3.5 % to 2020)
    assert result.attrs["discount_base_year"] == 2020 and result.attrs["price_year"] == 2020
    own, base = (run_batch(s, runs=3, seed=4, client=client) for s in (small, levers_at_defaults(small)))

    def present(ds):
        spending = (ds["costs"] + ds["energy_expenditure"]).sum("payer").isel(scenario=0)
        return (spending * 1.035 ** -(ds["year"] - 2020.0)).sum("year").values

    np.testing.assert_allclose(result["run_cost"].isel(portfolio=0).values, present(own) - present(base), rtol=1e-9)
    assert float(result["cost"].isel(portfolio=0)) > 0  # transit and cycle lanes cost more than they save


def test_cost_outcome_is_the_present_net_cost_at_each_runs_rate(small, client):
    """The analyses' ``cost``: net spending (costs + energy expenditure) over payers, discounted at the run's own
    appraisal_discount_rate (here sampled as a range) to the base year, summed to 2045."""
    ranged = parse_scenario(scenario_text(end_year=2047, scale=0.02, levers_from=2023,
                                          levers="appraisal_discount_rate = {low = 0.0, high = 0.1}"))
    ds = run_batch(ranged, runs=3, seed=5, client=client).isel(scenario=0)
    rate = ds["appraisal_discount_rate"].values
    assert len(np.unique(rate)) == 3
    spending = (ds["costs"] + ds["energy_expenditure"]).sum("payer").sel(year=slice(None, 2045)).values
    years = np.arange(2020, 2046)
    expected = (spending * (1.0 + rate[:, None]) ** -(years[None, :] - 2023.0)).sum(axis=1)
    got = outcome_values(ds, ["cost"], base_year=appraisal_base_year(ranged))["cost"].values
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_cli_discover_writes_boxes_and_plot(small, client, tmp_path, capsys):
    """`sim discover` on a batch whose lever is a range writes the boxes (NetCDF) and the peeling plot."""
    import sim

    ranged = small.with_levers(transit_growth={"low": 0.0, "high": 0.1})
    sim.run_batch(ranged, runs=6, seed=1, client=client, store=tmp_path / "b.zarr")
    out = tmp_path / "boxes.nc"
    code = main(["discover", str(tmp_path / "b.zarr"), "--outcomes", "target_2030_met", "--threshold", "0.5",
                 "--out", str(out), "--plot", str(tmp_path / "peel.png")])
    assert code == 0, capsys.readouterr().err
    boxes = xr.open_dataset(out)
    assert "transit_growth" in boxes["factor"].values and boxes.attrs["threshold"] == 0.5
    assert (tmp_path / "peel_target_2030_met.png").stat().st_size > 0


@pytest.mark.parametrize("argv, message", [
    (["sensitivity", "s.toml", "--out", "x.zarr"], "--out: allowed a path ending in .nc"),
    (["discover", "b.zarr", "--threshold", "1.5", "--out", "x.nc"], "--threshold: allowed a probability in (0, 1]"),
    (["optimise", "s.toml", "--discount-rate", "-0.1", "--out", "x.nc"], "--discount-rate: allowed a rate in [0, 1)"),
])
def test_cli_refuses_bad_arguments(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
