"""Exogenous drivers and lever paths, year by year.

Technology costs, bio blending, emission-factor trends, the exogenous sectors,
population and the infrastructure stocks the city builds: each a float64 array
over the run's years, computed once before the step loop.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import MunicipalityData

CRITERIA_YEARS = 5  # contracts renew over about five years, so new criteria reach all spend in five (assumption)

EXOGENOUS_COMPONENTS = {  # component of sector_split.csv -> trend parameter
    "other_transport": "other_transport_trend",
    "industrial_process": "industry_process_trend",
    "agriculture": "agriculture_trend",
    "product_use": "product_use_trend",
    "waste": "waste_trend",
}


@dataclass(frozen=True)
class Drivers:
    """Yearly paths; every array has one value per year of the run."""

    years: np.ndarray
    population: np.ndarray
    blend_petrol: np.ndarray
    blend_diesel: np.ndarray
    bev_premium: np.ndarray        # SEK, before bonus
    bev_bonus: np.ndarray          # SEK
    fleet_electric_premium: np.ndarray  # SEK per MWh/yr
    ets_price: np.ndarray          # SEK/t
    district_heat_factor: np.ndarray   # relative to the start year
    electricity_ef: np.ndarray     # t CO2e/MWh
    exogenous: dict[str, np.ndarray]   # t CO2e/yr by component
    charge_points: np.ndarray
    cycle_lanes: np.ndarray        # km built since the start
    transit_level: np.ndarray      # service level relative to the start
    rail_share: np.ndarray         # share of haulage moved to rail
    arena_events: np.ndarray
    grant_budget: np.ndarray       # SEK
    procurement_criteria: np.ndarray  # share of municipal spend under climate criteria


def _step_table(table: dict, years: np.ndarray) -> np.ndarray:
    """Value of the latest key year <= each year (0 before the first)."""
    keys = sorted(int(k) for k in table if k.isdigit())
    out = np.zeros(len(years))
    for k in keys:
        out[years >= k] = table[str(k)]
    return out


def _charge_points(observed: dict[int, float], points_2020: float, per_year: float,
                   years: np.ndarray) -> np.ndarray:
    """Public charge points: observed where known, interpolated from the 2020 estimate before,
    and growing by the lever after the last observed year."""
    known_years = np.array([2020] + sorted(y for y in observed if y > 2020), dtype=float)
    known = np.array([points_2020] + [observed[int(y)] for y in known_years[1:]])
    last = known_years[-1]
    return np.where(years <= last, np.interp(years, known_years, known), known[-1] + per_year * (years - last))


def _linear_to(start_value: float, end_value: float, start_year: int, end_year: int,
               years: np.ndarray) -> np.ndarray:
    fraction = np.clip((years - start_year) / (end_year - start_year), 0.0, 1.0)
    return start_value + fraction * (end_value - start_value)


def build_drivers(data: MunicipalityData, values: dict, start: int, end: int) -> Drivers:
    """Yearly drivers of one run.

    Parameters
    ----------
    data : MunicipalityData
    values : dict
        Lever and uncertainty values (:func:`sim.sampling.parameter_values`).
    start, end : int
        First and last year.
    """
    years = np.arange(start, end + 1)
    since = years - start
    tech = data.technology
    fuel = tech["fuel"]
    population = np.array([data.population_at(int(y), values["population_growth"]) for y in years])
    emissions = data.series_value("emissions", start)
    exogenous = {}
    for component, trend in EXOGENOUS_COMPONENTS.items():
        sector = next(s for s, parts in data.sector_split.items() if component in parts)
        base = emissions[sector] * data.sector_split[sector][component]
        exogenous[component] = base * (1.0 + values[trend]) ** since
    ets = tech["firm_process"]["ets_price_sek_per_t"]
    ets_years = np.array(sorted(int(k) for k in ets))
    infra = tech["infrastructure"]
    charge_points = _charge_points(data.charge_points, infra["charge_points_2020"],
                                   values["charge_points_per_year"], years)
    arena_on = years >= values["arena_start_year"]
    grants_on = years >= values["grant_start_year"]
    return Drivers(
        years=years, population=population,
        blend_petrol=_linear_to(fuel["petrol_blend_2020"], values["blend_petrol_2030"], 2020, 2030, years),
        blend_diesel=_linear_to(fuel["diesel_blend_2020"], values["blend_diesel_2030"], 2020, 2030, years),
        bev_premium=values["bev_premium_2020"] * np.exp(-values["bev_premium_decline"] * (years - 2020)),
        bev_bonus=_step_table(tech["car"]["bonus_sek"], years),
        fleet_electric_premium=tech["firm_fleet"]["electric_premium_sek_per_mwh_2020"]
        * np.exp(-tech["firm_fleet"]["electric_premium_decline"] * np.maximum(0, years - 2020)),
        ets_price=np.interp(years, ets_years, [ets[str(y)] for y in ets_years]),
        district_heat_factor=(1.0 + values["district_heat_trend"]) ** since,
        electricity_ef=data.figures["electricity_emission_factor"] * (1.0 + values["electricity_trend"]) ** since,
        exogenous=exogenous, charge_points=charge_points,
        cycle_lanes=values["cycle_lanes_per_year"] * since,
        transit_level=(1.0 + values["transit_growth"]) ** since,
        rail_share=_linear_to(0.0, values["rail_freight_share_2030"], start, 2030, years),
        arena_events=np.where(arena_on, values["arena_events_per_year"], 0.0),
        grant_budget=np.where(grants_on, values["grant_budget"], 0.0),
        procurement_criteria=_linear_to(data.assumptions["procurement_criteria_start"]["value"],
                                        values["procurement_criteria"], start, start + CRITERIA_YEARS, years),
    )

