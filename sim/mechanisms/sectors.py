"""Sector measures: the city's levers on agriculture, waste, product use, industrial process emissions and
firms' work machinery (ODD 7.x "Sector measures").

No agent decides agricultural, waste, product-use or industrial process emissions: they follow the
exogenous trends of :mod:`sim.exogenous`. Each of their measures is an *aggregate* mechanism on its
component: the measure covers ``X_c(t) x addressable_m x uptake_m(t)`` t CO2e/yr of the component ``c``
(``addressable_m``: the part of the component the measure can reach; ``uptake_m``: the lever, reached
over ``ramp_years``) and cuts ``covered x effect_m`` of it (``effect_m``: an uncertainty). Measures of
one component reach disjoint sub-sources whose shares sum to at most 1, so a sector never falls below
zero nor by more than its addressable part.

Work machinery is accounted per firm (:func:`sim.kernels.accounting.firm_accounts`): the permit lever
reaches a share of firms, chosen by a draw fixed for the run, whose machinery then runs fossil free;
the national reduction obligation (``drivers.blend_diesel``) sets how much fossil diesel that saves.

Levers are read as whole-run paths (``paths``: one value per year of the run, from lever timing), since a
measure's uptake in a year depends on the lever's past years.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..declarations.codes import Measure, Payer, Sector, Stream
from ..kernels import sectors as kernels
from ..kernels.rng import uniforms
from ..state import State, YearContext

AGGREGATE = tuple(Measure)[:Measure.MACHINERY_PERMITS]
"""Measures acting on a sector total: the first codes, in the order of ``technology.toml`` ``[sectors]``."""

COMPONENT: dict[Measure, str] = {
    Measure.MANURE_BIOGAS: "agriculture", Measure.FEED_ADDITIVES: "agriculture",
    Measure.ORGANIC_SOILS: "agriculture", Measure.LANDFILL_GAS: "waste", Measure.FOOD_WASTE_BIOGAS: "waste",
    Measure.FGAS_REPLACEMENT: "product_use", Measure.SOLVENT_SUBSTITUTION: "product_use",
    Measure.PROCESS_EMITTERS: "industrial_process"}
"""Exogenous component (:data:`sim.exogenous.EXOGENOUS_COMPONENTS`) each aggregate measure acts on."""

SECTOR_OF: dict[str, Sector] = {"agriculture": Sector.AGRICULTURE, "waste": Sector.WASTE,
                                "product_use": Sector.PRODUCT_USE, "industrial_process": Sector.INDUSTRY}
"""Territorial sector of each component."""

LEVER: dict[Measure, str] = {
    Measure.MANURE_BIOGAS: "manure_biogas_share", Measure.FEED_ADDITIVES: "feed_additive_share",
    Measure.ORGANIC_SOILS: "organic_soil_share", Measure.LANDFILL_GAS: "landfill_gas_share",
    Measure.FOOD_WASTE_BIOGAS: "food_waste_biogas_share", Measure.FGAS_REPLACEMENT: "fgas_replacement_share",
    Measure.SOLVENT_SUBSTITUTION: "solvent_substitution_share", Measure.PROCESS_EMITTERS: "process_emitter_share",
    Measure.MACHINERY_PERMITS: "machinery_permit_share"}
"""Lever (uptake share) of each measure."""

EFFECT: dict[Measure, str] = {
    Measure.MANURE_BIOGAS: "manure_biogas_effect", Measure.FEED_ADDITIVES: "feed_additive_effect",
    Measure.ORGANIC_SOILS: "organic_soil_effect", Measure.LANDFILL_GAS: "landfill_gas_effect",
    Measure.FOOD_WASTE_BIOGAS: "food_waste_biogas_effect", Measure.FGAS_REPLACEMENT: "fgas_replacement_effect",
    Measure.SOLVENT_SUBSTITUTION: "solvent_substitution_effect", Measure.PROCESS_EMITTERS: "process_emitter_effect",
    Measure.MACHINERY_PERMITS: "machinery_permit_compliance"}
"""Uncertain response of each measure: the relative cut of what it covers (machinery: the compliance)."""


def uptake(paths: Mapping[str, np.ndarray], tech: Mapping, t: int) -> np.ndarray:
    """Uptake of every measure in year index ``t`` (float64[len(Measure)], in [0, 1]; :func:`sim.kernels.sectors.ramp`).

    Parameters
    ----------
    paths : mapping
        Each lever's value in each year of the run (float64[n_years] by name).
    tech : mapping
        The technology table; ``[sectors]`` gives the ramp years.
    t : int
        Year index.
    """
    sectors = tech["sectors"]
    levels = np.array([paths[LEVER[m]][:t + 1] for m in Measure], dtype=float)
    years = np.array([*sectors["ramp_years"], sectors["machinery_ramp_years"]], dtype=float)
    out = np.empty_like(levels)
    kernels.ramp(levels, years, out)
    return out[:, t]


def year_uptake(context: YearContext) -> np.ndarray:
    """Uptake of every measure in the context's year (float64[len(Measure)])."""
    if not any(context.p[name] for name in LEVER.values()):   # uptake never exceeds the year's lever
        return np.zeros(len(Measure))
    return uptake(context.paths, context.tech, context.t)


def covered_emissions(context: YearContext, levels: np.ndarray) -> np.ndarray:
    """t CO2e/yr of its component each aggregate measure covers this year (0 for the machinery permits).

    Parameters
    ----------
    context : YearContext
    levels : float64[len(Measure)]
        Uptake of each measure this year (:func:`uptake`).
    """
    sectors, exogenous, t = context.tech["sectors"], context.drivers.exogenous, context.t
    addressable = np.asarray(sectors["addressable_share"], dtype=float).copy()
    addressable[Measure.PROCESS_EMITTERS] *= context.p["large_emitter_share"]
    covered = np.zeros(len(Measure))
    for m in AGGREGATE:
        covered[m] = exogenous[COMPONENT[m]][t] * addressable[m] * levels[m]
    return covered


def aggregate_abatement(context: YearContext, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut by each aggregate measure (t CO2e/yr, by Measure, 0 for the machinery permits) and the emissions covered.

    ``levels`` is the uptake of each measure this year (:func:`year_uptake`).
    """
    if not levels.any():
        return np.zeros(len(Measure)), np.zeros(len(Measure))
    covered = covered_emissions(context, levels)
    effect = np.array([context.p[EFFECT[m]] if m in COMPONENT else 0.0 for m in Measure])
    return covered * effect, covered


def apply_cuts(sectors: np.ndarray, abatement: np.ndarray) -> None:
    """Subtract the aggregate measures' cuts from the sector totals (by Sector, in place)."""
    for m in AGGREGATE:
        sectors[SECTOR_OF[COMPONENT[m]]] -= abatement[m]


def permit_share(context: YearContext, levels: np.ndarray) -> float:
    """Share of firms whose machinery the permit demands turn fossil free this year (uptake x compliance)."""
    return float(levels[Measure.MACHINERY_PERMITS] * context.p[EFFECT[Measure.MACHINERY_PERMITS]])


def permit_draws(seed: int, n_firms: int) -> np.ndarray:
    """Each firm's draw fixed for the run: a firm is reached once the permit share exceeds it."""
    return uniforms(seed, 0, Stream.MACHINERY_PERMITS, n_firms)


def permit_fossil_free(state: State, context: YearContext, levels: np.ndarray) -> np.ndarray:
    """Firms whose machinery runs fossil free this year because of the permit demands (bool[n_firms])."""
    share = permit_share(context, levels)
    if share <= 0.0:
        return np.zeros(state.n_firms, dtype=bool)
    return permit_draws(context.seed, state.n_firms) < share


def costs_by_payer(context: YearContext, covered: np.ndarray, permit_energy_mwh: float) -> np.ndarray:
    """The year's cost of the sector measures by Payer (SEK).

    Parameters
    ----------
    context : YearContext
    covered : float64[len(Measure)]
        Emissions each aggregate measure covers (:func:`covered_emissions`), t CO2e/yr.
    permit_energy_mwh : float
        Machinery energy (whole municipality) run fossil free because of the permits alone, MWh/yr.
    """
    sectors = context.tech["sectors"]
    cost = covered[:len(AGGREGATE)] * np.array(sectors["cost_sek_per_t"])
    municipal = np.array(sectors["municipal_share"])
    machinery = permit_energy_mwh * context.tech["machinery"]["fossil_free_cost_sek_per_mwh"]
    out = np.zeros(len(Payer))
    out[Payer.MUNICIPAL_GROUP] = float(np.sum(cost * municipal)) + machinery * sectors["machinery_municipal_share"]
    out[Payer.FIRMS] = float(np.sum(cost * (1.0 - municipal))) + machinery * (1.0 - sectors["machinery_municipal_share"])
    return out


def permit_only(state: State, context: YearContext, levels: np.ndarray) -> np.ndarray:
    """Firms made fossil free by the permits and not already by municipal contracts (bool[n_firms])."""
    return (permit_fossil_free(state, context, levels) & ~state.machinery_fossil_free
            & (state.firms.machinery_energy > 0))


def step(state: State, context: YearContext) -> None:
    """Firms and the municipal group pay for this year's sector measures."""
    levels = year_uptake(context)
    if not levels.any():
        return
    _, covered = aggregate_abatement(context, levels)
    energy = float(np.sum(state.firms.machinery_energy[permit_only(state, context, levels)])) * state.weight
    state.pay(slice(None), costs_by_payer(context, covered, energy), investment=False)   # yearly costs per t covered
