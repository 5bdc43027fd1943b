"""The schema of a municipality's ``technology.toml``, checked when the folder is loaded.

Each table lists its fields and what each must be: a number, a whole number,
a list of numbers with one entry per option of a code (in code order), the
option labels themselves, or a table of numbers by year. Every table needs a
``source``; a ``note`` is optional.
"""
from __future__ import annotations

from .codes import AGGREGATE_MEASURES, FIRM_SECTORS, FLEET_TECH, FUELS, HEATING_SYSTEMS, ZONES

NUMBER = "a number"
WHOLE = "a whole number"
BY_YEAR = "a table of numbers by year"


def numbers(labels: tuple[str, ...]) -> str:
    """Kind of a field holding one number per option."""
    return f"a list of {len(labels)} numbers ({', '.join(labels)})"


def options(labels: tuple[str, ...]) -> str:
    """Kind of the ``options`` field, which must list the code labels in order."""
    return "the list " + repr(list(labels))


PROCESS_OPTIONS = ("fossil", "electrified")
FOSSIL_FUELS = ("petrol", "diesel", "gas", "none")

SCHEMA: dict[str, dict[str, str]] = {
    "car": {"options": options(FUELS), "green": numbers(FUELS), "tailpipe_kg_per_km": numbers(FUELS),
            "fossil_fuel": f"a list of {len(FUELS)} of {list(FOSSIL_FUELS)}",
            "energy_cost_sek_per_km": numbers(FUELS), "purchase_premium_sek": numbers(FUELS),
            "constant": numbers(FUELS), "electricity_kwh_per_km": NUMBER, "lifecycle_kg_per_km_extra": NUMBER,
            "annuity_years": NUMBER, "bonus_sek": BY_YEAR, "phev_bonus_sek": BY_YEAR, "pandemic_cut": BY_YEAR},
    "fuel": {"petrol_blend": BY_YEAR, "diesel_blend": BY_YEAR, "gas_fossil_share": NUMBER},
    "heating": {"options": options(HEATING_SYSTEMS), "price_sek_per_mwh": numbers(HEATING_SYSTEMS),
                "capital_cost_sek": numbers(HEATING_SYSTEMS), "constant": numbers(HEATING_SYSTEMS),
                "green": numbers(HEATING_SYSTEMS), "electricity_per_mwh_heat": numbers(HEATING_SYSTEMS),
                "oil_kg_per_mwh_heat": NUMBER, "service_life_years": numbers(HEATING_SYSTEMS),
                "district_heating_renewal_sek": NUMBER, "heat_pump_machine_share": NUMBER,
                "air_to_air_cost_sek": NUMBER, "air_to_air_life_years": NUMBER},
    "firm_fleet": {"options": options(FLEET_TECH), "cost_sek_per_mwh": numbers(FLEET_TECH),
                   "constant": numbers(FLEET_TECH), "green": numbers(FLEET_TECH),
                   "electric_premium_sek_per_mwh_2020": NUMBER, "electric_premium_decline": NUMBER,
                   "bio_fossil_share": NUMBER, "diesel_kg_per_mwh": NUMBER},
    "firm_process": {"options": options(PROCESS_OPTIONS), "constant": numbers(PROCESS_OPTIONS),
                     "fuel_cost_sek_per_mwh": NUMBER, "fuel_kg_per_mwh": NUMBER, "ets_price_sek_per_t": BY_YEAR,
                     "electric_cost_sek_per_mwh": NUMBER, "electric_premium_sek_per_mwh": NUMBER},
    "firm_steps": {"steps": WHOLE, "cost_sek_per_employee": NUMBER, "base_rate": NUMBER, "social_weight": NUMBER,
                   "pledge_factor": NUMBER},
    "heat_recovery": {"eligible_sectors": f"a list of names from {list(FIRM_SECTORS)}",
                      "eligible_min_employees": NUMBER, "connection_cost_sek": NUMBER, "base_rate": NUMBER,
                      "support_rate": NUMBER},
    "machinery": {"fossil_free_cost_sek_per_mwh": NUMBER},
    "municipal_fleet": {"options": options(FLEET_TECH), "cost_sek_per_km": numbers(FLEET_TECH),
                        "km_per_vehicle": NUMBER, "kg_per_km": NUMBER, "electric_premium_sek": NUMBER,
                        "annuity_years": NUMBER},
    "grants": {"fleet_batch": WHOLE, "heat_cost_sek_per_mwh": NUMBER, "efficiency_cost_sek_per_mwh": NUMBER,
               "efficiency_saving": NUMBER, "biogas_cost_sek_per_vehicle": NUMBER,
               "charging_points_per_project": WHOLE, "behaviour_cost_sek": NUMBER},
    "infrastructure": {"charge_point_cost_sek": NUMBER,
                       "cycle_lane_cost_sek_per_km": NUMBER, "transit_cost_sek_per_yr": NUMBER,
                       "rail_freight_cost_sek_per_mwh": NUMBER, "arena_event_cost_sek": NUMBER},
    "removals": {"biochar_cost_sek_per_t": NUMBER, "rewetting_cost_sek_per_ha": NUMBER,
                 "forestry_cost_sek_per_ha_yr": NUMBER, "offset_cost_sek_per_t": NUMBER},
    "consumption": {"food_t_per_person": NUMBER, "low_meat_food_t_per_person": NUMBER,
                    "aviation_t_per_person": NUMBER, "criteria_effect": NUMBER,
                    "criteria_cost_share": NUMBER},
    "behaviour": {"zone_km_factor": numbers(ZONES), "pledge_km_cut": NUMBER, "pledge_goods_cut": NUMBER},
    "sectors": {"options": options(AGGREGATE_MEASURES), "addressable_share": numbers(AGGREGATE_MEASURES),
                "ramp_years": numbers(AGGREGATE_MEASURES), "cost_sek_per_t": numbers(AGGREGATE_MEASURES),
                "municipal_share": numbers(AGGREGATE_MEASURES), "machinery_ramp_years": NUMBER,
                "machinery_municipal_share": NUMBER},
}
"""Fields of each table of ``technology.toml`` and the kind of value each must hold."""

EXPECTED_OPTIONS: dict[str, tuple[str, ...]] = {
    "car": FUELS, "heating": HEATING_SYSTEMS, "firm_fleet": FLEET_TECH, "firm_process": PROCESS_OPTIONS,
    "municipal_fleet": FLEET_TECH, "sectors": AGGREGATE_MEASURES}
NAME_LISTS: dict[str, tuple[tuple[str, ...], int | None]] = {
    SCHEMA["car"]["fossil_fuel"]: (FOSSIL_FUELS, len(FUELS)),
    SCHEMA["heat_recovery"]["eligible_sectors"]: (FIRM_SECTORS, None)}
"""Kinds that are lists of names: the names allowed and the length required (None: any)."""
LIST_LENGTHS: dict[str, int] = {numbers(labels): len(labels)
                                for labels in (FUELS, HEATING_SYSTEMS, FLEET_TECH, PROCESS_OPTIONS, ZONES,
                                               AGGREGATE_MEASURES)}
