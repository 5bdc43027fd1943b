"""Outcomes of a run, declared once: name, dimensions, units, meaning and how a batch summarises it.

The Dataset's variables, their CF attributes, the README's variable table,
the batch store's layout and the summaries are all made from
:data:`OUTCOMES`. Target years and thresholds are not here: they are the
municipality's (``[targets]`` in its ``municipality.toml``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .codes import (
    ACTOR_KINDS,
    ENERGY_STEPS,
    FUELS,
    HEATING_SYSTEMS,
    LAND_FLUXES,
    MEASURES,
    PAYERS,
    SCOPES,
    SECTORS,
    SINKS,
)

COORDS: dict[str, tuple] = {"sector": SECTORS, "sink": SINKS, "scope": SCOPES, "fuel": FUELS,
                            "system": HEATING_SYSTEMS, "step": ENERGY_STEPS, "actor_kind": ACTOR_KINDS,
                            "payer": PAYERS, "land_flux": LAND_FLUXES,
                            "measure": MEASURES}
"""Labels of every dimension but ``year``, from the codes."""


@dataclass(frozen=True)
class Outcome:
    """One result variable.

    Parameters
    ----------
    name : str
    dims : tuple of str
        ``year`` and keys of :data:`COORDS`; empty for a per-run scalar.
    units : str
    long_name : str
    summary : str
        How a batch summarises it across runs ("" when it is not summarised).
    """

    name: str
    dims: tuple[str, ...]
    units: str
    long_name: str
    summary: str = ""


_PROBABILITY = "probability over runs (prob_ variables of the summary)"
_BAND = "median and 5-95 % band over runs in the reduction-target year"

OUTCOMES: dict[str, Outcome] = {o.name: o for o in (
    Outcome("emissions", ("year", "sector"), "t CO2e/yr",
            "territorial greenhouse-gas emissions by sector"),
    Outcome("removals", ("year", "sink"), "t CO2e/yr",
            "removals and offsets by sink"),
    Outcome("net_emissions", ("year",), "t CO2e/yr",
            "territorial emissions minus the measures' additional removals (biochar, rewetting, forestry); "
            "offsets and the land-use baseline kept apart", _BAND),
    Outcome("net_emissions_with_offsets", ("year",), "t CO2e/yr",
            "net emissions minus purchased offsets"),
    Outcome("land_use_flux", ("year", "land_flux"), "t CO2e/yr",
            "land-use (LULUCF) baseline without the measures: forest sink (negative) and drained-peat emissions; "
            "beside, not in, the territorial inventory and net emissions"),
    Outcome("consumption_emissions_per_capita", ("year",), "t CO2e/yr",
            "consumption-based emissions per inhabitant"),
    Outcome("municipal_group_emissions", ("year", "scope"), "t CO2e/yr",
            "municipal group emissions by GHG-protocol scope"),
    Outcome("car_fleet", ("year", "fuel"), "1",
            "household cars in use on 1 January by fuel"),
    Outcome("new_cars", ("year", "fuel"), "1/yr",
            "cars bought by households by fuel"),
    Outcome("heating_systems", ("year", "system"), "1",
            "household heating systems on 1 January by kind"),
    Outcome("firm_energy_step", ("year", "step"), "1",
            "firms by energy-efficiency step (Energitrappan) on 1 January"),
    Outcome("heat_recovery_connections", ("year",), "1",
            "firms delivering surplus heat to district heating on 1 January"),
    Outcome("pledges", ("year", "actor_kind"), "1",
            "actors with a local climate pledge signed before the year"),
    Outcome("pledged_reduction", ("year",), "t CO2e/yr",
            "reduction pledged organisations committed to"),
    Outcome("delivered_reduction", ("year",), "t CO2e/yr",
            "pledged organisations' direct emissions without the pledge's effect minus with it, same draws "
            "(NaN when [outputs] pledge_counterfactual = false)"),
    Outcome("grant_spend", ("year",), "SEK/yr",
            "climate grants paid out"),
    Outcome("grant_abatement", ("year",), "t CO2e/yr",
            "additional abatement of grant projects funded before the year, free riders excluded"),
    Outcome("costs", ("year", "payer"), "SEK/yr",
            "all transition spending by payer (households, firms, municipal group, state: the car bonus): "
            "investment (investment_costs) plus running lever spending (costs - investment_costs), gross of "
            "energy savings, SEK of the price year"),
    Outcome("investment_costs", ("year", "payer"), "SEK/yr",
            "the part of costs that is investment: vehicle and heating premiums, capex and annualised capital "
            "charges, charge points, cycle lanes, connections, rewetting establishment"),
    Outcome("energy_expenditure", ("year", "payer"), "SEK/yr",
            "spending on the energy and fuel of the stock in use (cars, heating, firms' energy, the group's "
            "fleet and buildings) at the year's prices; a lever's net cost is its change in costs plus in this"),
    Outcome("fossil_co2", ("year",), "t CO2/yr",
            "territorial fossil CO2"),
    Outcome("cumulative_co2", ("year",), "t CO2",
            "fossil CO2 emitted since the carbon budget's start year, inclusive (0 before it)"),
    Outcome("reduction_vs_2020", ("year",), "1",
            "relative cut of net emissions against the targets' base year"),
    Outcome("sector_measure_abatement", ("year", "measure"), "t CO2e/yr",
            "territorial emissions cut by each sector measure (sim.mechanisms.sectors)"),
    # ---- targets and carbon budget (defined by [targets] of municipality.toml; see sim.results._add_targets)
    Outcome("target_2030_met", (), "1",
            "reduction target met without compensation: net emissions in the targets' reduction year at most "
            "their allowed share of the base year's (1 yes, 0 no)", _PROBABILITY),
    Outcome("target_2030_met_with_compensation", (), "1",
            "reduction target met counting purchased offsets as the targets allow (net emissions with offsets; "
            "1 yes, 0 no)", _PROBABILITY),
    Outcome("climate_positive_2045", (), "1",
            "climate positive without compensation: net emissions in the targets' climate-positive year below "
            "zero (1 yes, 0 no)", _PROBABILITY),
    Outcome("climate_positive_2045_with_compensation", (), "1",
            "climate positive counting purchased offsets as the targets allow (net emissions with offsets below "
            "zero; 1 yes, 0 no)", _PROBABILITY),
    Outcome("consumption_target_met", (), "1",
            "consumption goal met: relative cut of consumption emissions per inhabitant, base to reduction year, "
            "at least that of net territorial emissions (1 yes, 0 no; NaN without a consumption goal)",
            _PROBABILITY),
    Outcome("budget_pathway", ("year",), "t CO2/yr",
            "fossil CO2 path spending the carbon budget with one constant yearly cut from the budget's start "
            "year's emissions (NaN before the start year)"),
    Outcome("budget_required_cut", ("year",), "1/yr",
            "constant yearly cut from the year's fossil CO2 that spends what is left of the carbon budget "
            "(NaN before the start year and once the budget is spent)"),
    Outcome("on_budget_pathway", ("year",), "1",
            "fossil CO2 at or below the budget pathway (1 yes, 0 no; NaN before the budget's start year)",
            "share of runs by year (share_on_budget_pathway of the summary)"),
    Outcome("budget_exhausted_year", (), "1",
            "calendar year in which cumulative fossil CO2 first exceeds the carbon budget (NaN if not within "
            "the run)", "median over runs (budget_exhausted_year_median; a run within the budget counts as later)"),
    Outcome("pledge_goal_met", (), "1",
            "firms and units with a pledge signed by the pledge goal's year at least the goal (1 yes, 0 no; "
            "NaN if the run ends before it)", _PROBABILITY),
    Outcome("within_budget", (), "1",
            "cumulative fossil CO2 at the last year within the carbon budget (1 yes, 0 no; NaN if the run starts after the budget)", _PROBABILITY),
)}
