"""technology.toml is checked against its schema when a municipality folder is loaded.

Each case corrupts a copy of the Eskilstuna folder and expects a DataError that
names the file and the ``table.field`` at fault.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from testdata import ESKILSTUNA

from sim.data import DataError, load_municipality
from sim.declarations.codes import FUELS, HEATING_SYSTEMS

TECHNOLOGY = "technology.toml"

HEATING_OPTIONS = '["district_heating", "heat_pump", "direct_electric", "oil", "biofuel"]'
MACHINERY = '[machinery]\nfossil_free_cost_sek_per_mwh = 900.0\nsource = "assumption"\n'

# (id, old text, new text, field the error must name)
CORRUPTIONS = [
    ("missing_field", "oil_kg_per_mwh_heat = 313.0\n", "", "heating.oil_kg_per_mwh_heat"),
    ("list_too_short", "green = [0.0, 0.0, 0.5, 1.0, 0.7]", "green = [0.0, 0.0, 0.5, 1.0]", "car.green"),
    ("list_too_long", "zone_km_factor = [0.7, 1.0, 1.3]", "zone_km_factor = [0.7, 1.0, 1.3, 1.0]",
     "behaviour.zone_km_factor"),
    ("string_in_list", "zone_km_factor = [0.7, 1.0, 1.3]", 'zone_km_factor = [0.7, "1.0", 1.3]',
     "behaviour.zone_km_factor"),
    ("string_for_number", "fuel_kg_per_mwh = 270.0", 'fuel_kg_per_mwh = "270"', "firm_process.fuel_kg_per_mwh"),
    ("boolean_for_number", "base_rate = 0.04", "base_rate = true", "firm_steps.base_rate"),
    ("nan_for_number", "pledge_km_cut = 0.05", "pledge_km_cut = nan", "behaviour.pledge_km_cut"),
    ("fraction_for_whole", "fleet_batch = 10 ", "fleet_batch = 10.5 ", "grants.fleet_batch"),
    ("options_reversed", f"options = {HEATING_OPTIONS}",
     "options = " + '["' + '", "'.join(reversed(HEATING_SYSTEMS)) + '"]', "heating.options"),
    ("options_renamed", 'options = ["petrol", "diesel", "phev", "bev", "biogas"]',
     'options = ["petrol", "diesel", "phev", "ev", "biogas"]', "car.options"),
    ("by_year_not_a_year", "ets_price_sek_per_t = { 2020 = 270.0,", "ets_price_sek_per_t = { later = 5.0, 2020 = 270.0,",
     "firm_process.ets_price_sek_per_t"),
    ("by_year_not_a_table", "ets_price_sek_per_t = { 2020 = 270.0, 2023 = 900.0, 2030 = 1300.0, 2050 = 2000.0 }",
     "ets_price_sek_per_t = 270.0", "firm_process.ets_price_sek_per_t"),
    ("unknown_fossil_fuel", 'fossil_fuel = ["petrol", "diesel", "petrol", "none", "gas"]',
     'fossil_fuel = ["petrol", "diesel", "petrol", "none", "hydrogen"]', "car.fossil_fuel"),
    ("fossil_fuel_too_short", 'fossil_fuel = ["petrol", "diesel", "petrol", "none", "gas"]',
     'fossil_fuel = ["petrol", "diesel", "petrol", "none"]', "car.fossil_fuel"),
    ("unknown_sector", 'eligible_sectors = ["manufacturing", "energy"]',
     'eligible_sectors = ["manufacturing", "mining"]', "heat_recovery.eligible_sectors"),
    ("missing_source", MACHINERY, MACHINERY.replace('source = "assumption"\n', ""), "machinery.source"),
    ("missing_table", MACHINERY, "", "machinery"),
    ("unknown_table", MACHINERY, MACHINERY + '\n[spaceships]\nwarp = 9.0\nsource = "assumption"\n', "spaceships"),
]


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "eskilstuna"
    shutil.copytree(ESKILSTUNA, folder)
    return folder


def test_unmodified_copy_loads(tmp_path):
    data = load_municipality(_copy(tmp_path))
    assert data.technology["car"]["options"] == list(FUELS)
    assert data.technology["heating"]["options"] == list(HEATING_SYSTEMS)


@pytest.mark.parametrize(("old", "new", "field_name"), [c[1:] for c in CORRUPTIONS],
                         ids=[c[0] for c in CORRUPTIONS])
def test_corrupt_technology_is_rejected(tmp_path, old, new, field_name):
    folder = _copy(tmp_path)    # a fresh path per case: load_municipality is cached by path
    path = folder / TECHNOLOGY
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the corruption's anchor {old!r} is not unique in {TECHNOLOGY}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_municipality(folder)
    message = str(caught.value)
    assert TECHNOLOGY in message, message
    assert f"field '{field_name}'" in message, message
