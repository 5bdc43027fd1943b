"""Exogenous drivers and lever paths, year by year.

Technology costs, bio blending, emission-factor trends, the exogenous sectors,
population and the infrastructure stocks the city builds: each a float64 array
over the run's years, computed once before the step loop.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .data import MunicipalityData
from .timing import paths

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
    phev_bonus: np.ndarray         # SEK
    car_traffic: np.ndarray        # household car km relative to a normal start year (pandemic, car use trend)
    fleet_electric_premium: np.ndarray  # SEK per MWh/yr
    ets_price: np.ndarray          # SEK/t
    district_heat_factor: np.ndarray   # relative to the start year
    firm_heating_fossil: np.ndarray    # firms' fossil space heating relative to the start year (oil phase-out)
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


def blend_in(table: dict, year: int) -> float:
    """Bio blending of a ``[fuel.<fuel>_blend]`` table in ``year``: the latest key at or before it, else the first."""
    keys = sorted(int(k) for k in table if k.isdigit())
    return float(table[str(max([k for k in keys if k <= year], default=keys[0]))])


def _blend_path(table: dict, blend_2030: float, years: np.ndarray) -> np.ndarray:
    """Observed and decided blending (:func:`blend_in`) to the table's last year, then a straight line to
    ``blend_2030`` in 2030, held after."""
    last = max(int(k) for k in table if k.isdigit())
    observed = np.array([blend_in(table, int(y)) for y in years])
    return np.where(years <= last, observed, _linear_to(float(table[str(last)]), blend_2030, last, 2030, years))


def _charge_points(observed: dict[int, float], per_year: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Public charge points: the observed December counts (interpolated between them, the first held before),
    and after the last observed year growing by each year's lever (the points added in a year count from the
    next)."""
    known_years = np.array(sorted(observed), dtype=float)
    out = np.interp(years, known_years, [observed[int(y)] for y in known_years])
    for t in range(1, len(years)):
        if years[t] > known_years[-1]:
            out[t] = out[t - 1] + per_year[t - 1]
    return out


def _built_since_start(per_year: np.ndarray) -> np.ndarray:
    """Stock built from the start: each year's additions count from the next year."""
    return np.concatenate([[0.0], np.cumsum(per_year[:-1])])


def _growth_since_start(rate: np.ndarray) -> np.ndarray:
    """Level relative to the start under each year's relative growth (effective from the next year)."""
    return np.concatenate([[1.0], np.cumprod(1.0 + rate[:-1])])


def _ramp_to(start_value: float, target: np.ndarray, end_year: np.ndarray, years: np.ndarray) -> np.ndarray:
    """A level that closes its gap to each year's target linearly, reaching it in that year's ``end_year``.

    With a constant target this is the straight line from ``start_value`` in the first year; when the
    target changes, the new line starts from the level reached.
    """
    out = np.empty(len(years))
    out[0] = start_value
    for t in range(1, len(years)):
        remaining = end_year[t] - years[t] + 1.0
        out[t] = target[t] if remaining <= 1.0 else out[t - 1] + (target[t] - out[t - 1]) / remaining
    return out


def _linear_to(start_value: float, end_value: float, start_year: int, end_year: int,
               years: np.ndarray) -> np.ndarray:
    fraction = np.clip((years - start_year) / (end_year - start_year), 0.0, 1.0)
    return start_value + fraction * (end_value - start_value)


def _criteria_end_years(target: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Year each procurement target is to be reached: five years after it was last changed."""
    end = np.empty(len(years))
    end[0] = years[0] + CRITERIA_YEARS
    for t in range(1, len(years)):
        end[t] = end[t - 1] if target[t] == target[t - 1] else years[t] - 1 + CRITERIA_YEARS
    return end


def build_drivers(data: MunicipalityData, yearly: Sequence[Mapping[str, float | str]], start: int,
                  end: int) -> Drivers:
    """Yearly drivers of one run.

    Parameters
    ----------
    data : MunicipalityData
    yearly : sequence of mapping
        Every parameter's value in each year (:func:`sim.timing.yearly_values`): a lever changes a driver
        only from the year it takes effect.
    start, end : int
        First and last year.
    """
    years = np.arange(start, end + 1)
    since = years - start
    value = paths(yearly)
    first = yearly[0]
    tech = data.technology
    fuel = tech["fuel"]
    population = np.array([data.population_at(int(y), first["population_growth"]) for y in years])
    emissions = data.series_value("emissions", start)
    exogenous = {}
    for component, trend in EXOGENOUS_COMPONENTS.items():
        sector = next(s for s, parts in data.sector_split.items() if component in parts)
        base = emissions[sector] * data.sector_split[sector][component]
        exogenous[component] = base * (1.0 + first[trend]) ** since
    ets = tech["firm_process"]["ets_price_sek_per_t"]
    ets_years = np.array(sorted(int(k) for k in ets))
    charge_points = _charge_points(data.charge_points, value["charge_points_per_year"], years)
    rail_end = np.full(len(years), 2030.0)
    return Drivers(
        years=years, population=population,
        blend_petrol=_blend_path(fuel["petrol_blend"], first["blend_petrol_2030"], years),
        blend_diesel=_blend_path(fuel["diesel_blend"], first["blend_diesel_2030"], years),
        bev_premium=first["bev_premium_2020"] * np.exp(-first["bev_premium_decline"] * (years - 2020)),
        bev_bonus=_step_table(tech["car"]["bonus_sek"], years),
        phev_bonus=_step_table(tech["car"]["phev_bonus_sek"], years),
        car_traffic=(1.0 - first["pandemic_car_traffic_cut"] * _step_table(tech["car"]["pandemic_cut"], years))
        * (1.0 + first["car_use_trend"]) ** since,
        fleet_electric_premium=tech["firm_fleet"]["electric_premium_sek_per_mwh_2020"]
        * np.exp(-tech["firm_fleet"]["electric_premium_decline"] * np.maximum(0, years - 2020)),
        ets_price=np.interp(years, ets_years, [ets[str(y)] for y in ets_years]),
        district_heat_factor=(1.0 + first["district_heat_trend"]) ** since,
        firm_heating_fossil=(1.0 + first["firm_heating_trend"]) ** since,
        electricity_ef=data.figures["electricity_emission_factor"] * (1.0 + first["electricity_trend"]) ** since,
        exogenous=exogenous, charge_points=charge_points,
        cycle_lanes=_built_since_start(value["cycle_lanes_per_year"]),
        transit_level=_growth_since_start(value["transit_growth"]),
        rail_share=_ramp_to(0.0, value["rail_freight_share_2030"], rail_end, years),
        arena_events=np.where(years >= value["arena_start_year"], value["arena_events_per_year"], 0.0),
        grant_budget=np.where(years >= value["grant_start_year"], value["grant_budget"], 0.0),
        procurement_criteria=_ramp_to(data.assumptions["procurement_criteria_start"]["value"],
                                      value["procurement_criteria"],
                                      _criteria_end_years(value["procurement_criteria"], years), years),
    )

