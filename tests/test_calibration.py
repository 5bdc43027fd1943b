"""Calibration: distances, posterior files, batches drawing from a posterior, and a synthetic recovery."""
import numpy as np
import pytest
from testdata import BASELINE, ROOT, scenario_text

import sim
from sim.calibration import (
    Observations,
    calibrate,
    coverage_by_series,
    distance,
    load_observations,
    noise_sd,
    predictive_check,
    simulated,
)
from sim.calibration.distances import OBSERVATION_ERROR
from sim.calibration.observations import CHECKED_SECTORS
from sim.calibration.posterior import posterior_design, read_posterior, write_posterior
from sim.scenario import parse_scenario


def _obs(values, series):
    return Observations(np.array(series), np.arange(2018, 2018 + len(values)), np.array(values, float), "test")


def test_observations_of_the_data_folder():
    """The observed points are the data folder's: shares from counts, the pledge count last."""
    obs = load_observations("eskilstuna")
    bev_2020 = obs.values[(obs.series == "new_car_bev_share") & (obs.years == 2020)]
    assert bev_2020 == pytest.approx(154 / 2234)
    fleet_phev_2021 = obs.values[(obs.series == "fleet_phev_share") & (obs.years == 2021)]
    assert fleet_phev_2021 == pytest.approx(1365 / 49779)
    assert obs.series[-1] == "pledged_organisations" and obs.values[-1] == 60 and obs.years[-1] == 2023
    assert set(obs.select(obs.years <= 2016).years) == {2015, 2016}
    assert set(obs.municipality) == {"eskilstuna"}
    assert "emissions_electricity_district_heating" not in obs.series   # checked, not fitted
    checked = load_observations("eskilstuna", sectors=CHECKED_SECTORS)
    dh_2021 = checked.values[(checked.series == "emissions_electricity_district_heating") & (checked.years == 2021)]
    assert dh_2021 == 8941
    with pytest.raises(ValueError, match="sectors: allowed sectors of the inventory"):
        load_observations("eskilstuna", sectors=("aviation",))


def test_distance_properties():
    """Zero at the observations; grows with the error; each series weighs the same whatever its units or
    number of points; a missing (NaN) point makes the distance infinite."""
    obs = _obs([10.0, 20.0, 0.1], ["emissions_transport", "emissions_transport", "new_car_bev_share"])
    sd = np.array([1.0, 2.0, 0.01])
    assert distance(obs.values, obs, sd) == 0
    small, large = obs.values + 0.5 * sd, obs.values + 2.0 * sd
    assert distance(small, obs, sd) < distance(large, obs, sd)
    # one point of the one-point series off by 1 sd counts as much as both points of the other off by 1 sd
    off_share = obs.values + np.array([0, 0, 1.0]) * sd
    off_emissions = obs.values + np.array([1.0, 1.0, 0]) * sd
    assert distance(off_share, obs, sd) == pytest.approx(distance(off_emissions, obs, sd)) == pytest.approx(
        np.sqrt(0.5))
    # changing a series' units (x1000) changes nothing when its sd changes with it
    scale = np.array([1000.0, 1000.0, 1.0])
    rescaled = _obs(obs.values * scale, list(obs.series))
    assert distance(off_share * scale, rescaled, sd * scale) == pytest.approx(distance(off_share, obs, sd))
    assert distance(np.array([[np.nan, 20.0, 0.1]]), obs, sd)[0] == np.inf


def test_noise_sd_combines_pilot_spread_and_observation_error():
    obs = _obs([100.0, 0.0], ["emissions_transport", "new_car_bev_share"])
    pilot = np.array([[98.0, 0.0], [102.0, 0.0], [100.0, 0.0]])
    sd = noise_sd(pilot, obs)
    assert sd[0] == pytest.approx(np.sqrt(np.std(pilot[:, 0], ddof=1) ** 2 + (OBSERVATION_ERROR * 100) ** 2))
    assert sd[1] == sd[0]   # no spread and no observed value: the smallest positive sd, not a division by 0
    with pytest.raises(ValueError, match="pilot: allowed an array"):
        noise_sd(pilot[:1], obs)


def _posterior(tmp_path, weights=(0.0, 0.2, 0.8)):
    """A small posterior file made by hand: three particles of two fitted parameters."""
    import xarray as xr

    obs = _obs([0.1], ["new_car_bev_share"])
    ds = xr.Dataset({"sample": (("particle", "parameter"), np.array([[0.5, 1.0], [0.6, 2.0], [0.7, 3.0]])),
                     "weight": ("particle", np.array(weights)), "distance": ("particle", np.array([1.0, 0.5, 0.2]))},
                    coords={"parameter": ["cost_weight", "social_weight"]}).merge(obs.to_dataset())
    ds.attrs.update(library="pyabc", library_version="0.13.0", scale=0.02, seed=1)
    return ds, write_posterior(ds, tmp_path / "posterior_test.nc")


def test_posterior_round_trip_and_errors(tmp_path):
    ds, path = _posterior(tmp_path)
    back = read_posterior(path)
    for name in ("sample", "weight", "distance", "observed_value"):
        np.testing.assert_array_equal(back[name].values, ds[name].values)
    assert back.attrs["library"] == "pyabc" and back.attrs["seed"] == 1
    assert list(back["observed_series"].values) == ["new_car_bev_share"]
    bad = ds.copy()
    bad["weight"] = ("particle", np.array([0.0, -1.0, 0.0]))
    with pytest.raises(ValueError, match="field 'weight': allowed non-negative"):
        read_posterior(write_posterior(bad, tmp_path / "bad.nc"))
    with pytest.raises(ValueError, match="'parameters': allowed 'prior' or a posterior file"):
        read_posterior(tmp_path / "missing.nc")


def test_posterior_design_resamples_whole_particles_by_weight(tmp_path):
    """Rows are whole particles (the correlation is kept), drawn in proportion to the weights."""
    ds, _ = _posterior(tmp_path)
    runs = 4000
    design = posterior_design(ds, runs, seed=5)
    pairs = set(zip(design["cost_weight"], design["social_weight"]))
    assert pairs <= {(0.6, 2.0), (0.7, 3.0)}   # never the zero-weight particle, never a mixed row
    share = np.mean(design["cost_weight"] == 0.7)
    assert abs(share - 0.8) < 4 * np.sqrt(0.8 * 0.2 / runs)
    np.testing.assert_array_equal(posterior_design(ds, runs, seed=5)["cost_weight"], design["cost_weight"])


def test_parameter_source_of_a_batch(tmp_path):
    """A batch says where its uncertainties came from; a posterior batch runs the resampled particles."""
    _, path = _posterior(tmp_path)
    scenario = parse_scenario(scenario_text(end_year=2021))
    prior = sim.run_batch(scenario, 2, seed=3, workers=1, parameters="prior")
    post = sim.run_batch(scenario, 2, seed=3, workers=1, parameters=path, store=tmp_path / "post.zarr")
    assert prior.attrs["parameter_source"] == "prior" and post.attrs["parameter_source"] == "posterior"
    assert not any(k.startswith("posterior") for k in prior.attrs)
    assert post.attrs["posterior_file"] == str(path)   # not shipped: as given
    assert post.attrs["posterior_parameters"].split(", ") == list(read_posterior(path)["parameter"].values)
    design = posterior_design(read_posterior(path), 2, seed=3)
    np.testing.assert_array_equal(post["cost_weight"].values[0], design["cost_weight"])
    stored = sim.open_results(tmp_path / "post.zarr").attrs
    assert stored["parameter_source"] == "posterior" and stored["posterior_file"] == str(path)
    assert not np.array_equal(prior["cost_weight"].values, post["cost_weight"].values)


def test_synthetic_recovery(tmp_path):
    """Data made by the model at a known PHEV constant: two generations move the posterior mean toward the
    truth by more than twice its Monte Carlo error (sd / sqrt(distinct particles)), and narrow it.

    The PHEV constant moves the PHEV share of new cars and of the fleet over its prior range by far more
    than the sd between seeds at scale 0.05, so a single run's shares identify it; the other
    uncertainties are drawn from their ranges in the fit, as in the real one.
    """
    scenario = parse_scenario(scenario_text(start_year=2018, end_year=2022, scale=0.05, levers_from=None))
    truth = {"phev_barrier": -1.3}
    template = load_observations(scenario.municipality, (2018, 2021), pledges=False)
    keep = np.isin(template.series, ["new_car_bev_share", "new_car_phev_share", "fleet_phev_share"])
    run = sim.simulate(scenario, seed=7, params=truth)
    obs = Observations(template.series[keep], template.years[keep], simulated(run, template)[keep], "synthetic")
    post = calibrate(scenario, tmp_path / "fit", particles=30, generations=2, seed=3, fitted=list(truth),
                     observations=obs, pilot_runs=5, workers=2)
    w, v = post["weight"].values, post["sample"].values[:, 0]
    mean = np.sum(w * v)
    sd = np.sqrt(np.sum(w * (v - mean) ** 2))
    ess = len(np.unique(v))   # equal weights: the distinct particles bound the effective sample size
    prior_mean, prior_sd = -0.8, 1.6 / np.sqrt(12)   # uniform -1.6-0
    assert abs(mean - truth["phev_barrier"]) < abs(prior_mean - truth["phev_barrier"]) - 2 * sd / np.sqrt(ess)
    assert sd < prior_sd
    assert post.attrs["library"] == "pyabc" and post.attrs["scale"] == 0.05
    # resumable: a rerun of the same call recomputes nothing and gives the same posterior
    again = calibrate(scenario, tmp_path / "fit", particles=30, generations=2, seed=3, fitted=list(truth),
                      observations=obs, pilot_runs=5, workers=2)
    np.testing.assert_array_equal(again["sample"].values, post["sample"].values)


def test_calibrate_refuses_bad_arguments(tmp_path):
    scenario = sim.load_scenario(BASELINE)
    with pytest.raises(ValueError, match="fitted.grant_budget: allowed an uncertainty"):
        calibrate(scenario, tmp_path, fitted=["grant_budget"])
    with pytest.raises(ValueError, match="particles: allowed a whole number >= 2"):
        calibrate(scenario, tmp_path, particles=1)


def test_calibrate_command_refuses_a_non_netcdf_output(tmp_path, capsys):
    from sim.cli import EXIT_ERROR, main

    hindcast = str(ROOT / "scenarios" / "hindcast_2015.toml")
    assert main(["calibrate", hindcast, "--out", str(tmp_path / "p.zarr")]) == EXIT_ERROR
    assert "--out: allowed a path ending in .nc" in capsys.readouterr().err


def test_the_predictive_interval_holds_the_observation_error():
    """A replicate is a run's value plus the observation error: a model exactly 1 observation sd off still
    covers the observation (|z| < 1.645), one 2.5 sd off does not, and a model whose runs spread around the
    observation covers it; the coverages are the shares of points inside."""
    observed = np.array([100.0, 100.0, 10.0])
    obs = Observations(np.array(["emissions_transport", "emissions_transport", "fleet_bev_share"]),
                       np.array([2019, 2020, 2020]), observed, "synthetic")
    rng = np.random.default_rng(1)
    runs = 4000
    sd = OBSERVATION_ERROR * observed
    points = np.column_stack([np.full(runs, 100.0 + 1.0 * sd[0]), np.full(runs, 100.0 + 2.5 * sd[1]),
                              10.0 + rng.standard_normal(runs)])
    check = predictive_check(points, obs, seed=2, fitted=("emissions_transport",))
    assert check["inside"].values.tolist() == [1, 0, 1]
    # the interval of a constant run is the observation error's: +-1.645 sd, to the sampling error of a
    # 5 % or 95 % quantile of `runs` normal draws, sqrt(0.05 x 0.95 / runs) / phi(1.645), four times over
    half_width = (check["high"] - check["low"]).values[0] / 2 / sd[0]
    quantile_se = np.sqrt(0.05 * 0.95 / runs) / (np.exp(-1.645 ** 2 / 2) / np.sqrt(2 * np.pi))
    assert abs(half_width - 1.645) < 4 * quantile_se
    assert check.attrs["coverage"] == pytest.approx(2 / 3) and check.attrs["coverage_fitted"] == 0.5
    assert coverage_by_series(check) == {"emissions_transport": 0.5, "fleet_bev_share": 1.0}
    with pytest.raises(ValueError, match="simulated_points: allowed an array"):
        predictive_check(points[:1], obs)


def test_pooled_distance_weighs_every_city_series_the_same():
    """In a pooled fit a series is one city's: one city's one-point series off by 1 sd counts as much as the other
    city's two-point series off by 1 sd, and a series of one city never dilutes another city's."""
    a = Observations(np.array(["emissions_transport"] * 2), np.array([2015, 2016]), np.array([10.0, 20.0]), "a",
                     np.array(["malmo", "malmo"]))
    b = Observations(np.array(["emissions_transport"]), np.array([2015]), np.array([5.0]), "b", np.array(["lund"]))
    both = Observations.concatenate([a, b])
    assert both.groups == [("malmo", "emissions_transport"), ("lund", "emissions_transport")]
    sd = np.ones(3)
    off_lund = both.values + np.array([0.0, 0.0, 1.0])
    off_malmo = both.values + np.array([1.0, 1.0, 0.0])
    assert distance(off_lund, both, sd) == pytest.approx(distance(off_malmo, both, sd)) == pytest.approx(np.sqrt(0.5))
    # pooled as one city, the same errors would weigh 1/3 and 2/3
    one = Observations(both.series, both.years, both.values, "one")
    assert distance(off_lund, one, sd) == pytest.approx(np.sqrt(1 / 3))
    with pytest.raises(ValueError, match="observations.municipality: allowed one name per point"):
        Observations(a.series, a.years, a.values, "a", np.array(["malmo"]))


def test_simulated_compares_each_point_with_its_own_city(tmp_path):
    """A run of two cities: every point takes the run of its own municipality, as a run of that city alone."""
    scenario = parse_scenario(scenario_text(start_year=2015, end_year=2018, scale=0.02, levers_from=None))
    two = scenario.with_municipalities(["eskilstuna", "lund"])
    observations = sim.calibration.scenario_observations(two, last_year=2017)
    assert set(observations.municipality) == {"eskilstuna", "lund"}
    assert "pledged_organisations" not in observations.series   # an out-of-sample fit: no 2023 count
    both = sim.simulate(two, seed=4)
    points = simulated(both, observations)
    for city in ("eskilstuna", "lund"):
        mine = observations.municipality == city
        alone = simulated(both.sel(municipality=city), observations.select(mine))
        np.testing.assert_array_equal(points[mine], alone)
    assert not np.array_equal(points[observations.municipality == "eskilstuna"][:7],
                              points[observations.municipality == "lund"][:7])


def test_holdout_errors_of_a_check():
    """The errors of the held-out years only: median minus observed, relative, and over the interval's half-width."""
    obs = Observations(np.array(["emissions_transport"] * 3), np.array([2018, 2019, 2020]),
                       np.array([100.0, 100.0, 100.0]), "test")
    runs = np.tile(np.array([[100.0, 100.0, 110.0]]), (400, 1)) + np.random.default_rng(1).normal(0, 1, (400, 3))
    check = predictive_check(runs, obs)
    held = sim.calibration.holdout_errors(check, 2020).isel(point=0)
    assert int(held["observed_year"]) == 2020
    assert float(held["error"]) == pytest.approx(float(check["median"][2]) - 100.0)
    assert float(held["relative_error"]) == pytest.approx(float(held["error"]) / 100.0)
    half = 0.5 * float(check["high"][2] - check["low"][2])
    assert float(held["z"]) == pytest.approx(abs(float(held["error"])) / half)
    assert int(held["inside"]) == 0 and float(held["z"]) > 1    # 10 off with an interval of about +-3.9
    assert sim.calibration.holdout_errors(check, 2019).sizes["point"] == 2
    assert held.attrs["first_held_out_year"] == 2020


def test_parameter_widths_against_the_prior(tmp_path):
    """Prior 90 % intervals from the stored range (uniform and triangular, as scipy's), posterior ones as weighted
    percentiles: a posterior that pins a parameter has a small ratio, one left at its prior a ratio near 1."""
    from scipy import stats

    rng = np.random.default_rng(2)
    n = 4000
    pinned = rng.normal(0.5, 0.02, n)
    loose = rng.triangular(0.0, 1.0, 4.0, n)
    ds, _ = _posterior(tmp_path)
    import xarray as xr

    post = xr.Dataset({"sample": (("particle", "parameter"), np.stack([pinned, loose], axis=1)),
                       "weight": ("particle", np.full(n, 1.0 / n)),
                       "prior_low": ("parameter", [0.0, 0.0]), "prior_high": ("parameter", [1.0, 4.0]),
                       "prior_kind": ("parameter", ["uniform", "triangular"]),
                       "prior_mode": ("parameter", [np.nan, 1.0]),
                       "parameter_units": ("parameter", ["1", "1/yr"])},
                      coords={"parameter": ["cost_weight", "social_weight"]})
    widths = sim.calibration.parameter_widths(post)
    np.testing.assert_allclose(widths["prior_low"].values, [0.05, stats.triang.ppf(0.05, 0.25, 0, 4)])
    np.testing.assert_allclose(widths["prior_high"].values, [0.95, stats.triang.ppf(0.95, 0.25, 0, 4)])
    assert widths["width_ratio"].sel(parameter="cost_weight") == pytest.approx(2 * 1.645 * 0.02 / 0.9, rel=0.1)
    assert widths["width_ratio"].sel(parameter="social_weight") == pytest.approx(1.0, abs=0.05)
    assert widths["posterior_median"].sel(parameter="cost_weight") == pytest.approx(0.5, abs=0.005)
    # weights count: the same particles, all weight on the upper half of the pinned one, move its median up
    heavy = post.copy()
    heavy["weight"] = ("particle", np.where(pinned > 0.5, 2.0, 0.0) / n)
    assert sim.calibration.parameter_widths(heavy)["posterior_median"].sel(parameter="cost_weight") > 0.51


def test_check_batch_and_its_figure(tmp_path):
    """The predictive check of a small hindcast batch covers every observed point to the last year (the fitted
    series and the checked electricity and district heat) and its figure has a panel per series."""
    from sim.calibration.plots import plot_predictive

    scenario = parse_scenario(scenario_text(start_year=2015, end_year=2018, scale=0.02, levers_from=None))
    check = sim.calibration.check_batch(scenario, "prior", 4, seed=2, last_year=2017, workers=1)
    series = set(check["observed_series"].values.astype(str))
    assert "emissions_electricity_district_heating" in series and "new_car_bev_share" in series
    assert set(check["observed_year"].values) == {2015, 2016, 2017}
    checked_only = np.isin(check["observed_series"].values,
                           [f"emissions_{s}" for s in CHECKED_SECTORS if s not in ("transport", "own_heating")])
    assert checked_only.sum() == 6 * 3   # every other SMHI sector, three years
    assert np.all(check["fitted"].values[checked_only] == 0) and np.all(check["fitted"].values[~checked_only] == 1)
    assert check.attrs["parameter_source"] == "prior" and check.attrs["scale"] == 0.02
    fig = plot_predictive(check, "test", held_out_from=2017)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(series)
    assert all(ax.get_ylabel() for ax in panels)


def test_default_parameters_own_then_pooled_then_prior(tmp_path, monkeypatch):
    """A batch of one city with its own posterior draws from it; contract cities without one (or several of them)
    from the pooled posterior of the contract cities; any other folder from the prior."""
    from sim.calibration import posterior

    _, own = _posterior(tmp_path)
    own.rename(tmp_path / "posterior_eskilstuna.nc")
    monkeypatch.setattr(posterior, "POSTERIOR_ROOT", tmp_path)
    assert posterior.default_parameters(["eskilstuna"]) == tmp_path / "posterior_eskilstuna.nc"
    assert posterior.default_parameters(["malmo"]) == "prior"           # no pooled fit shipped (yet)
    (tmp_path / "posterior_contract_cities.nc").write_bytes((tmp_path / "posterior_eskilstuna.nc").read_bytes())
    pooled = tmp_path / "posterior_contract_cities.nc"
    assert posterior.default_parameters(["malmo"]) == pooled
    assert posterior.default_parameters(["eskilstuna", "malmo"]) == pooled
    assert posterior.default_parameters(["testville"]) == "prior"
    assert posterior.default_parameters(["malmo", "testville"]) == "prior"
    with pytest.raises(ValueError, match="'parameters': allowed 'posterior' for a batch of one municipality"):
        posterior.parameters_design("posterior", None, 2, 1, ["testville"])
