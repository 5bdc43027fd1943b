"""The investment plan reads at a glance: settings in words with readable units, a cost curve whose labels
neither overlap nor leave the axes, and a page title in words. No batch is run: the plan is made up."""
from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path

import numpy as np
import xarray as xr

from sim.declarations.parameters import LEVERS
from sim.plan import _setting, levers_at_defaults
from sim.plan_report import CURVE_HEIGHT_IN, draw_cost_curve, plan_title
from sim.report import pyplot
from sim.report_style import PRINT_WIDTH_IN, print_style
from sim.scenario import load_scenario
from sim.words import quantity_words, words

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "scenarios" / "klimatkontrakt_2024.toml"

# the contract's levers as the shipped plan draws them: two savers, then narrow bars side by side
BARS = {"efficiency_support": (5.8, -21_500.0), "rail_freight_share_2030": (15.0, -4_100.0),
        "grant_budget": (9.5, 2_400.0), "arena_events_per_year": (1.9, 6_000.0),
        "municipal_fleet_ev_year": (6.6, 14_700.0), "charge_points_per_year": (3.4, 28_800.0),
        "transit_growth": (71.2, 26_200.0), "fossil_free_machinery_year": (100.0, 3_500.0)}
"""Lever -> (emissions avoided, kt CO2e; cost per tonne, SEK/t CO2e)."""


def test_quantities_in_words():
    assert quantity_words(2e7, "SEK/yr") == "20,000,000 SEK/yr"
    assert quantity_words(0.03, "1/yr") == "0.03 per yr"
    assert quantity_words(0.5, "1") == "0.5"
    assert quantity_words(5000.0, "t CO2e/yr") == "5,000 t CO2e/yr"


def test_plan_settings_are_in_words():
    """The plan's 'baseline -> package' cells: no "1" as a unit, no exponent, no snake_case."""
    contract = load_scenario(CONTRACT)
    assert _setting(contract, "grant_budget") == "20,000,000 SEK/yr from 2023"
    assert _setting(contract, "transit_growth") == "0.03 per yr from 2023"
    assert _setting(contract, "efficiency_support") == "0.5 from 2023"
    for scenario in (contract, levers_at_defaults(contract)):
        for p in LEVERS:
            text = _setting(scenario, p.name)
            assert not re.search(r"\d 1(/| |$)", text) and "e+" not in text and "_" not in text, (p.name, text)


def _plan(bars: dict[str, tuple[float, float]]) -> xr.Dataset:
    levers = list(bars)
    per_lever = np.array([[bars[lever][k] for lever in levers] for k in (0, 1)])
    statistic = np.ones((3, 2, 1))  # median, p05, p95 alike; alone and removed alike
    return xr.Dataset(
        {"cumulative_abatement_2045_summary": (("statistic", "attribution", "lever"), statistic * per_lever[0] * 1e3),
         "cost_per_tonne_summary": (("statistic", "attribution", "lever"), statistic * per_lever[1]),
         "no_cost_reason": (("attribution", "lever"), np.full((2, len(levers)), ""))},
        coords={"statistic": ["median", "p05", "p95"], "attribution": ["alone", "removed"], "lever": levers},
        attrs={"appraisal_period": "2020-2045", "runs": 6, "seed": 1,
               "scenario_text": '[scenario]\nname = "klimatkontrakt_2024"\nmunicipality = "eskilstuna"\n'})


def test_cost_curve_labels_neither_overlap_nor_leave_the_axes():
    """At the report's size; the shipped plan's labels of narrow bars once ran into each other and the title."""
    plt = pyplot()
    with print_style():
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, CURVE_HEIGHT_IN), layout="constrained")
        left_out, alt = draw_cost_curve(ax, _plan(BARS))
        fig.canvas.draw()
        labels = {t.get_text(): t.get_window_extent() for t in ax.texts}
        assert set(labels) == {words(lever) for lever in BARS} and not left_out
        for (a, box_a), (b, box_b) in combinations(labels.items(), 2):
            assert not box_a.overlaps(box_b), (a, b)
        inside = ax.bbox.padded(1.0)
        for label, box in labels.items():
            assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), label
            assert not box.overlaps(ax.title.get_window_extent()), label
        assert "municipal fleet EV year 6.6 kt at 14,700 SEK/t" in alt
        ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        assert all(re.fullmatch(r"[\u2212-]?\d{1,3}(,\d{3})*", t) for t in ticks), ticks   # thousands set apart
        assert any(len(t) > 5 for t in ticks), ticks
        plt.close(fig)


def test_plan_title_is_in_words():
    assert plan_title(_plan(BARS)) == "Eskilstuna: investment plan of klimatkontrakt 2024 \u2014 8 levers, 6 runs, seed 1"
