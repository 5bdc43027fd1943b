"""The explorer's state and compute without a browser: controls, batches on common random numbers, summaries,
figures and one session's update."""
from __future__ import annotations

import asyncio
import math
from pathlib import Path

import matplotlib.pyplot
import numpy as np
import pytest

from sim.declarations.parameters import LEVERS
from sim.explore.compute import BASELINE, EXPLORED, Explorer
from sim.explore.controls import lever_controls
from sim.explore.figures import cost_figure, emissions_figure
from sim.explore.summaries import change_against_baseline, probability, target_probabilities, wilson_interval
from sim.scenario import ScenarioError, load_scenario
from sim.words import unit_words, words

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = load_scenario(ROOT / "scenarios" / "klimatkontrakt_2024.toml")
RUNS, SCALE = 4, 0.01
BIOCHAR = 100_000.0  # t CO2e/yr stored: net emissions fall in every run


def test_wilson_interval_known_values():
    # Newcombe (1998), Statistics in Medicine 17, 857, table I: 8 of 10 -> 0.4902 to 0.9433 (95 %)
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=5e-5) and high == pytest.approx(0.9433, abs=5e-5)
    # no success in n: from 0 to z^2 / (n + z^2)
    z2 = 1.959963984540054 ** 2
    assert wilson_interval(0, 20) == pytest.approx((0.0, z2 / (20 + z2)))
    assert wilson_interval(20, 20) == pytest.approx((20 / (20 + z2), 1.0))
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_wilson_interval_covers_at_its_level():
    """Over many binomial draws (fixed seed) the 95 % interval holds the true p in about 95 % of them."""
    rng = np.random.default_rng(12)
    p, n, draws = 0.3, 40, 4000
    hits = np.array([lo <= p <= hi for lo, hi in (wilson_interval(int(k), n) for k in rng.binomial(n, p, draws))])
    # Wilson's actual coverage at n = 40 varies with p between about 0.93 and 0.97; 4 sd of the draws' mean
    assert abs(hits.mean() - 0.95) < 0.02 + 4 * math.sqrt(0.95 * 0.05 / draws)


def test_probability_leaves_undefined_runs_out():
    result = probability(np.array([1.0, 0.0, np.nan, 1.0]))
    assert (result.met, result.runs) == (2, 3) and result.value == pytest.approx(2 / 3)


def test_controls_follow_the_declarations():
    controls = {c.name: c for c in lever_controls(SCENARIO)}
    assert set(controls) == {p.name for p in LEVERS}
    for p in LEVERS:
        control = controls[p.name]
        assert control.value == SCENARIO.levers[p.name] and control.default == p.default
        if p.is_choice:
            assert control.kind == "choice" and control.choices == p.choices
        else:
            assert control.kind == ("int" if p.integer else "float")
            assert (control.low, control.high) == (p.low, p.high) and 0 < control.step <= p.high - p.low
            assert unit_words(p.units) in control.label or p.units == "1"
        assert "_" not in control.label and control.label.startswith(words(p.name))
        assert control.meaning.startswith(p.meaning)
    assert controls["transit_growth"].label == "transit growth (per yr)"   # not "(1/yr)"
    assert controls["municipal_fleet_ev_year"].label == "municipal fleet EV year (year)"
    assert "2100 = not used" in controls["municipal_fleet_ev_year"].meaning
    assert controls["biochar_capacity"].meaning.endswith("takes effect from 2026")  # the scenario's year
    assert "takes effect" not in controls["network_topology"].meaning  # shapes the run from its start


@pytest.fixture(scope="module")
def explorer():
    from sim.cluster import connect

    with connect(None, 1) as client:  # one cluster for the module, as the app keeps one for its lifetime
        yield Explorer(SCENARIO, RUNS, SCALE, seed=3, client=client)


@pytest.fixture(scope="module")
def biochar(explorer):
    return explorer.run({**explorer.initial_settings(), "biochar_capacity": BIOCHAR})


def test_baseline_has_the_declared_defaults(explorer):
    assert dict(explorer.baseline.levers) == {p.name: p.default for p in LEVERS}
    assert explorer.baseline.uncertainties == explorer.scenario.uncertainties


def test_a_bad_setting_names_the_lever(explorer):
    with pytest.raises(ScenarioError, match="levers.offsets_per_year"):
        explorer.explored({**explorer.initial_settings(), "offsets_per_year": -1.0})


def test_batch_pairs_the_runs_and_is_cached(explorer, biochar):
    ds = biochar.dataset
    assert list(ds["scenario"].values) == [BASELINE, EXPLORED] and ds.sizes["run"] == RUNS
    assert float(ds["biochar_capacity"].sel(scenario=EXPLORED)) == BIOCHAR
    # common random numbers: run i has the same sampled uncertainties in both scenarios
    values = ds["discount_rate_households"]
    np.testing.assert_array_equal(values.sel(scenario=BASELINE), values.sel(scenario=EXPLORED))
    again = explorer.run(dict(biochar.settings))
    assert again.seconds == 0.0 and again.dataset is ds


def test_summaries_of_a_batch(biochar):
    ds = biochar.dataset
    rows = target_probabilities(ds)
    assert len(rows) == 7
    for _, base, explored in rows:
        assert base.runs == explored.runs == RUNS and base.low <= base.value <= base.high
    change = change_against_baseline(ds)
    net = ds["net_emissions"].sum("year")
    paired = (net.sel(scenario=BASELINE) - net.sel(scenario=EXPLORED)).values / 1e3
    assert change.share_less_emitted == 1.0 and (paired > 0).all()
    assert change.avoided_p05 <= change.avoided_median <= change.avoided_p95


def test_figures_have_one_legend_clear_of_the_axes(biochar):
    """No legend sits on the lines: one legend per figure, below its axes, naming every line."""
    from sim.explore.figures import draw_cost, draw_emissions

    for fig in (draw_emissions(biochar.dataset), draw_cost(biochar.dataset)):
        fig.canvas.draw()
        assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)
        legend = fig.legends[0].get_window_extent()
        assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)  # not clipped
        named = {t.get_text() for t in fig.legends[0].get_texts()}
        for ax in fig.axes:
            assert not legend.overlaps(ax.get_window_extent()), ax.get_title()
            assert {a.get_label() for a in ax.lines + ax.containers if not a.get_label().startswith("_")} <= named
        matplotlib.pyplot.close(fig)


def test_figures_are_png_with_text_alternatives(biochar):
    ds = biochar.dataset
    emissions, cost = emissions_figure(ds), cost_figure(ds)
    for figure in (emissions, cost):
        assert figure.png.startswith(b"\x89PNG\r\n\x1a\n") and len(figure.alt) > 80
    median = float(ds["net_emissions"].sel(scenario=EXPLORED, year=2030).median("run")) / 1e3
    assert f"{median:,.1f} kt CO2e per year" in emissions.alt
    households = float(ds["costs"].sel(scenario=BASELINE, payer="households").sum("year").median("run")) / 1e6
    assert f"households {households:,.1f} in the baseline" in cost.alt


def test_dataset_download_is_a_checked_netcdf(biochar, tmp_path):
    from sim.explore.layout import _netcdf_bytes
    from sim.store import open_results

    path = tmp_path / "explorer.nc"
    path.write_bytes(_netcdf_bytes(biochar).getvalue())
    ds = open_results(path)  # verifies the checksums
    np.testing.assert_array_equal(ds["net_emissions"].values, biochar.dataset["net_emissions"].values)


def test_session_reruns_on_a_lever_change_and_pins(explorer):
    from sim.explore.layout import Session

    session = Session(explorer)
    asyncio.run(session.update())
    first = session.view
    assert session.updates == 1 and "offsets counted" in first.probabilities
    session.widgets["biochar_capacity"].value = BIOCHAR
    asyncio.run(session.update())
    assert session.updates == 2 and session.view.result.settings["biochar_capacity"] == BIOCHAR
    assert session.view.change != first.change and session.emissions.object != ""
    assert "levers changed from the scenario: biochar capacity = 100,000 t CO2e/yr" in session.status.object
    fitted = len(session.view.result.dataset.attrs["posterior_parameters"].split(", "))
    assert (f"{fitted} fitted uncertainties drawn from the posterior calibration/posterior_eskilstuna.nc"
            in session.status.object)
    for _ in range(3):
        session._on_pin(None)
    assert len(session.pinned.objects) == 2
    card = session.pinned.objects[-1]
    shown = [pane.object for pane in card.objects]   # a pin keeps the targets and the change against the baseline
    assert session.view.probabilities in shown and session.view.change in shown


def test_command_line_errors(tmp_path, capsys):
    from sim.cli import EXIT_ERROR, EXIT_USAGE, main

    assert main(["explore", str(ROOT / "scenarios" / "baseline.toml"), "--port", "70000"]) == EXIT_USAGE
    assert "--port: allowed a whole number >= 1 and <= 65535" in capsys.readouterr().err
    missing = tmp_path / "missing.toml"
    assert main(["explore", str(missing)]) == EXIT_ERROR
    assert str(missing) in capsys.readouterr().err
    assert main(["explore", str(ROOT / "scenarios" / "baseline.toml"), "--scale", "0.001"]) == EXIT_ERROR
    assert "--scale" in capsys.readouterr().err
