"""Land use and the removals the land allows, year by year.

The land-use (LULUCF) baseline is the municipality's forest sink and the
emissions of its drained peat, from national factors per hectare scaled by its
land (:class:`sim.data.Land`). SMHI's territorial inventory leaves land use
out, so the baseline is reported beside it (``land_use_flux``), never netted
against it: ``net_emissions`` subtracts only the *additional* removals of the
measures (biochar, rewetting, forestry measures).

The measures are bounded by the land: the rewetted area never exceeds the
drained peat, the area under forestry measures never exceeds the forest land.
A hectare's effect ramps up over the years after its measure and saturates.
Every path is a function of ``paths`` (:func:`sim.timing.paths`), a float64
array per numeric parameter with one value per year of the run, so a lever
that takes effect in a year changes the removals from that year on.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .data import Land
from .declarations import constants
from .declarations.codes import LandFlux, Sink


def _value(paths: Mapping[str, np.ndarray], name: str) -> np.ndarray:
    """A parameter's path, else the constant's value in every year (scenario values first, as ``context.p``)."""
    if name in paths:
        return paths[name]
    return np.full(len(next(iter(paths.values()))), float(constants.VALUES[name]))


def ramp(age: np.ndarray, years_to_full: float | np.ndarray) -> np.ndarray:
    """Share of a measure's full effect ``age`` years after it (age 0: the measure's own year).

    ``(age + 1) / (years_to_full + 1)``, clipped to [0, 1]; 0 before the
    measure (negative age). Part of the effect comes in the measure's own
    year, all of it ``years_to_full`` years later.
    """
    age = np.asarray(age, dtype=float)
    return np.where(age < 0, 0.0, np.clip((age + 1.0) / (years_to_full + 1.0), 0.0, 1.0))


def ramped_area(enrolled: np.ndarray, years_to_full: np.ndarray) -> np.ndarray:
    """Hectares at full effect, given the area under a measure in each year.

    Each year's increase of ``enrolled`` is a cohort whose effect follows
    :func:`ramp` from that year; a decrease takes the same share out of every
    cohort (the hectares that leave lose their effect at once).

    Parameters
    ----------
    enrolled : float64 array
        Area under the measure in each year (ha).
    years_to_full : float64 array
        Ramp length in each year (yr); a cohort keeps the one of its own year.

    Returns
    -------
    float64 array
        Full-effect-equivalent area in each year (ha).
    """
    n = len(enrolled)
    index = np.arange(n)
    shares = ramp(index[:, None] - index[None, :], np.asarray(years_to_full, dtype=float)[None, :])  # [year, cohort]
    cohorts = np.zeros(n)            # ha that entered in each year and are still under the measure
    out = np.zeros(n)
    previous = 0.0
    for t in range(n):
        if enrolled[t] > previous:
            cohorts[t] = enrolled[t] - previous
        elif enrolled[t] < previous:
            cohorts[:t] *= enrolled[t] / previous
        previous = enrolled[t]
        out[t] = cohorts @ shares[t]
    return out


def rewetted_area_added(paths: Mapping[str, np.ndarray], land: Land, years: np.ndarray) -> np.ndarray:
    """Hectares rewetted in each year: the lever, clipped at the drained peat not yet rewetted.

    Nothing is rewetted in the start year (the observed base year).
    """
    wanted = np.maximum(0.0, paths["rewetting_per_year"]) * (np.arange(len(years)) > 0)
    cumulative = np.minimum(np.cumsum(wanted), land.drained_peat_ha)
    return np.diff(cumulative, prepend=0.0)


def forestry_area(paths: Mapping[str, np.ndarray], land: Land, years: np.ndarray) -> np.ndarray:
    """Hectares under forestry sink measures in each year: the lever, clipped at the forest land.

    None in the start year (the observed base year).
    """
    return np.minimum(np.maximum(0.0, paths["forestry_measures"]), land.forest_area_ha) * (np.arange(len(years)) > 0)


def drained_peat_factor(paths: Mapping[str, np.ndarray], land: Land) -> np.ndarray:
    """Emissions per hectare of the municipality's drained peat, forest and farmland pooled (t CO2e/(ha yr))."""
    total = (land.drained_peat_forest_ha * paths["drained_forest_peat_factor"]
             + land.drained_peat_farmland_ha * paths["drained_farmland_peat_factor"])
    return total / land.drained_peat_ha if land.drained_peat_ha > 0.0 else np.zeros_like(total)


def rewetting_effect(paths: Mapping[str, np.ndarray], land: Land) -> np.ndarray:
    """Net effect per saturated hectare of rewetting (t CO2e/(ha yr)): drained-peat emissions avoided minus the
    methane of rewetted peat, and 0 where the methane would outweigh them (such sites are not chosen for
    rewetting: skogsstyrelsen_dikad_torvmark_2021)."""
    return np.maximum(0.0, drained_peat_factor(paths, land) - paths["rewetted_peat_methane"])


def biochar(paths: Mapping[str, np.ndarray], years: np.ndarray) -> np.ndarray:
    """Carbon stored as biochar (t CO2e/yr): the capacity, ramped up from the year it is first positive."""
    capacity = np.maximum(0.0, paths["biochar_capacity"])
    producing = np.flatnonzero(capacity > 0.0)
    if len(producing) == 0:
        return np.zeros(len(years))
    age = np.arange(len(years)) - producing[0]
    return capacity * ramp(age, float(_value(paths, "biochar_ramp_years")[producing[0]]))


def removals(paths: Mapping[str, np.ndarray], land: Land, years: np.ndarray) -> dict[str, np.ndarray]:
    """Removal paths of one run: t CO2e/yr by sink, and the areas the land measures use.

    Parameters
    ----------
    paths : mapping
        A float64 array per numeric parameter, one value per year (:func:`sim.timing.paths`).
    land : Land
    years : int array

    Returns
    -------
    dict
        ``biochar``, ``peatland_rewetting``, ``forestry``, ``purchased_offsets``
        (t CO2e/yr, the names of :class:`~sim.declarations.codes.Sink`), and
        ``rewetted_area_added`` (ha rewetted in the year) and ``forestry_area``
        (ha under measures), which the measures' costs are booked on.
    """
    added = rewetted_area_added(paths, land, years)
    rewetted_full = ramped_area(np.cumsum(added), paths["rewetting_ramp_years"])
    area = forestry_area(paths, land, years)
    forestry_full = ramped_area(area, paths["forestry_ramp_years"])
    sinks = {
        Sink.BIOCHAR: biochar(paths, years),
        Sink.PEATLAND_REWETTING: rewetted_full * rewetting_effect(paths, land),
        Sink.FORESTRY: forestry_full * paths["forestry_effect"],
        Sink.PURCHASED_OFFSETS: np.maximum(0.0, paths["offsets_per_year"]),
    }
    return {**{sink.name.lower(): path for sink, path in sinks.items()},
            "rewetted_area_added": added, "forestry_area": area}


def land_use_flux(paths: Mapping[str, np.ndarray], land: Land) -> np.ndarray:
    """The land-use baseline without the measures (t CO2e/yr), shaped (years, :class:`LandFlux`).

    Forest sink: minus the forest land times its uptake per hectare (trees,
    dead wood, litter and mineral soil, net of harvest); drained peat: the
    emissions of its soil on forest land and on farmland, which the national
    inventory nets into its forest and farmland figures.
    """
    out = np.empty((len(paths["forest_uptake"]), len(LandFlux)))
    out[:, LandFlux.FOREST_SINK] = -land.forest_area_ha * paths["forest_uptake"]
    out[:, LandFlux.DRAINED_PEAT] = drained_peat_factor(paths, land) * land.drained_peat_ha
    return out


def land_warnings(paths: Mapping[str, np.ndarray], land: Land, years: np.ndarray) -> list[str]:
    """Messages on lever settings the land or a coupled lever cuts short (nothing is an error: the paths clip).

    Rewetting that would pass the drained peat area and forestry measures on
    more than the forest land.
    """
    messages = []
    wanted = np.cumsum(np.maximum(0.0, paths["rewetting_per_year"]) * (np.arange(len(years)) > 0))
    if wanted[-1] > land.drained_peat_ha:
        full = int(years[np.argmax(wanted > land.drained_peat_ha)])
        messages.append(f"rewetting_per_year: {wanted[-1]:,.0f} ha rewetted by {int(years[-1])} would exceed the "
                        f"{land.drained_peat_ha:,.0f} ha of drained peat; rewetting stops when it is used up ({full})")
    if np.max(paths["forestry_measures"]) > land.forest_area_ha:
        messages.append(f"forestry_measures: {np.max(paths['forestry_measures']):,.0f} ha exceeds the "
                        f"{land.forest_area_ha:,.0f} ha of forest land; clipped to it")
    return messages


def scenario_warnings(scenario) -> list[str]:
    """:func:`land_warnings` of a scenario's lever paths (the levers as the scenario times them)."""
    from .cities import for_city
    from .data import load_municipality
    from .sampling import parameter_values
    from .timing import paths, yearly_values

    messages = []
    for city in scenario.municipalities:  # each city's levers, scaled to it, against its land
        case = for_city(scenario, city)
        yearly = yearly_values(parameter_values(case), case.lever_years, case.years)
        found = land_warnings(paths(yearly), load_municipality(city).land, np.array(case.years))
        messages += [f"{city.name}: {m}" for m in found] if len(scenario.municipalities) > 1 else found
    return messages
