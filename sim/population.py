"""Synthetic population of households, cars, firms and the municipal group.

Built reproducibly from the seed and a municipality's start-year figures,
as struct-of-arrays (one numpy array per attribute). Households and firms are
sampled at ``scale`` times the real counts and carry the weight ``1/scale``
in every extensive result; the municipal group's units are always all there.
Every draw comes from the counter-based generator (year 0, streams 100+),
so the population does not depend on numpy's generator versions.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import ndtri

from .data import SERIES_FILES, DataError, MunicipalityData
from .declarations.codes import (
    FIRM_SECTORS,
    FUELS,
    HEATING_SYSTEMS,
    PROCUREMENT,
    ZONES,
    Dwelling,
    FirmSector,
    Fuel,
    Heating,
    Stream,
)
from .declarations.constants import VALUES as CONSTANTS
from .exogenous import blend_in
from .kernels.rng import uniforms
from .validation import check_scale_for


@dataclass
class Households:
    """Household agents; arrays of length n_households."""

    dwelling: np.ndarray            # int8: 0 apartment, 1 detached
    zone: np.ndarray                # int8: index into ZONES
    persons: np.ndarray             # float64: persons in the household
    attitude: np.ndarray            # float64 in [0, 1]: environmental attitude
    heating: np.ndarray             # int8: Heating
    heat_demand: np.ndarray         # float64: MWh of heat per year
    dh_available: np.ndarray        # bool: district heating can be connected
    hydronic: np.ndarray            # bool: the dwelling has water-borne (hydronic) heat distribution
    low_meat_diet: np.ndarray       # bool
    car_km_factor: np.ndarray       # float64: zone factor of the household's car use


@dataclass
class Cars:
    """Household cars; arrays of length n_cars."""

    owner: np.ndarray               # int32: household index
    fuel: np.ndarray                # int8: Fuel


@dataclass
class Firms:
    """Firm agents (workplaces); arrays of length n_firms. Energy in MWh per year."""

    sector: np.ndarray              # int8: index into FIRM_SECTORS
    employees: np.ndarray           # float64
    attitude: np.ndarray            # float64 in [0, 1]
    vehicle_energy: np.ndarray      # diesel-equivalent vehicle energy
    fleet_tech: np.ndarray          # int8: index into FLEET_TECH
    process_energy: np.ndarray      # fossil-fired process energy demand
    process_electrified: np.ndarray  # bool
    heating_fossil: np.ndarray      # fossil space heating
    machinery_energy: np.ndarray    # work-machinery diesel
    electricity: np.ndarray
    district_heat: np.ndarray
    energy_step: np.ndarray         # int8: Energitrappan step 0..4
    heat_recovery_eligible: np.ndarray  # bool
    heat_recovery: np.ndarray       # bool: connected to district heating
    municipal_supplier: np.ndarray  # bool: has a procurement link to the municipal group


@dataclass
class MunicipalUnits:
    """Departments and companies of the municipal group (never scaled)."""

    name: np.ndarray
    is_company: np.ndarray          # bool
    fossil_heat: np.ndarray         # MWh/yr
    electricity: np.ndarray         # MWh/yr
    district_heat: np.ndarray       # MWh/yr
    procurement: np.ndarray         # SEK/yr, shape (n_units, len(PROCUREMENT))


@dataclass
class MunicipalVehicles:
    """Vehicles of the municipal group; arrays of length n_vehicles."""

    owner: np.ndarray               # int32: unit index
    tech: np.ndarray                # int8: index into FLEET_TECH


@dataclass
class Population:
    """All agents of a run plus the weight of sampled agents (1/scale).

    Households (and their cars) are those of the start year followed by
    the arrival pool, in the order they arrive; cars are sorted by owner.
    """

    households: Households
    cars: Cars
    firms: Firms
    units: MunicipalUnits
    vehicles: MunicipalVehicles
    weight: float
    households_at_start: int        # households [0, this) live in the municipality at the start; the rest may arrive

    @property
    def n_agents(self) -> int:
        """Agents built: households (the arrival pool included), firms and municipal units."""
        return len(self.households.zone) + len(self.firms.sector) + len(self.units.name)


def zone_shares_by_dwelling(data: MunicipalityData) -> np.ndarray:
    """Zone probabilities by dwelling type, shape (2, 3)."""
    tilt = np.array([CONSTANTS["zone_tilt_apartment"], CONSTANTS["zone_tilt_detached"]])
    shares = np.array([data.assumptions["zones"][z] for z in ZONES]) * tilt
    return shares / shares.sum(axis=1, keepdims=True)


FLEET_COLUMNS = {Fuel.PETROL: ("petrol", "hev", "ethanol", "other"), Fuel.DIESEL: ("diesel",),
                 Fuel.PHEV: ("phev",), Fuel.BEV: ("bev",), Fuel.BIOGAS: ("gas",)}
"""Columns of ``cars_in_use.csv`` (Trafikanalys' fuels) counted as each of the model's fuels: hybrids without a
plug, flexifuel (E85) cars and the rest run on petrol (E85's share of ethanol fell from 40 % in 2015 to 10 % in
2020, energimyndigheten_drivmedel), gas cars on the model's biogas."""


def car_fleet(data: MunicipalityData, year: int) -> np.ndarray:
    """Cars in use by the model's fuels on 1 January of ``year`` (real cars, float64 by :class:`Fuel`).

    The count of 31 December of the year before (``cars_in_use.csv``); for the first year of that series,
    the year's own count less its new BEV and PHEV registrations (``new_cars.csv``), which is all the
    plug-ins that year added.
    """
    fleet = np.zeros(len(FUELS))
    counted = year - 1 if year - 1 in data.cars_in_use else year
    row = data.series_value("cars_in_use", counted)
    added = {} if counted < year else data.series_value("new_cars", year)
    missing = [c for columns in FLEET_COLUMNS.values() for c in columns if c not in row]
    if missing:
        raise DataError(data.path / SERIES_FILES["cars_in_use"], missing[0], "a number for every year", counted)
    for fuel, columns in FLEET_COLUMNS.items():
        fleet[fuel] = sum(row[c] for c in columns)
    for fuel, column in ((Fuel.BEV, "bev"), (Fuel.PHEV, "phev")):
        fleet[fuel] = max(0.0, fleet[fuel] - added.get(column, 0.0))
    return fleet


def car_fleet_mix(data: MunicipalityData, year: int) -> np.ndarray:
    """Fuel shares of the car fleet on 1 January of ``year`` (:func:`car_fleet`)."""
    fleet = car_fleet(data, year)
    return fleet / fleet.sum()


def cars_per_inhabitant(data: MunicipalityData, year: int) -> float:
    """Cars in use on 1 January of ``year`` (:func:`car_fleet`) per inhabitant of ``year``, so that the start
    year's population has the counted cars."""
    return float(car_fleet(data, year).sum()) / data.series_value("population", year)


def _categorical(u: np.ndarray, probabilities) -> np.ndarray:
    """Categories in exact quotas, placed at random.

    Each category gets ``n * p`` agents rounded by largest remainder, and the
    agents are assigned in the random order of ``u``: counts match the data up
    to rounding (no sampling noise in rare categories such as oil heating),
    who holds what is random.
    """
    p = np.asarray(probabilities, dtype=float)
    p = p / p.sum()
    n = len(u)
    exact = n * p
    counts = np.floor(exact).astype(np.int64)
    shortfall = n - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:shortfall]] += 1
    out = np.empty(n, dtype=np.int8)
    out[np.argsort(u, kind="stable")] = np.repeat(np.arange(len(p), dtype=np.int8), counts)
    return out


def _poisson(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Inverse-CDF Poisson draws (small means only)."""
    count = np.zeros(u.shape, dtype=np.int64)
    term = np.exp(-mean)
    cumulative = term.copy()
    for k in range(1, 30):
        below = u >= cumulative
        if not below.any():
            break
        count += below
        term = term * mean / k
        cumulative = cumulative + term
    return count


def arrival_detached_share(data: MunicipalityData, year: int) -> float:
    """Share of single-family houses among the dwellings added after ``year`` (the start mix if none were).

    The net additions of ``dwellings.csv`` from ``year`` to its last year are
    the homes of the households the growing city adds (one household per
    dwelling, 5.2); in Eskilstuna 230 of the 1,835 dwellings added 2020-2022
    were single-family houses.
    """
    last = max(data.dwellings)
    start, end = data.series_value("dwellings", year), data.series_value("dwellings", last)
    added = {kind: end[kind] - start[kind] for kind in ("single_family", "multi_dwelling")}
    total = added["single_family"] + added["multi_dwelling"]
    if last <= year or total <= 0:
        return start["single_family"] / (start["single_family"] + start["multi_dwelling"])
    return float(np.clip(added["single_family"] / total, 0.0, 1.0))


@dataclass(frozen=True)
class _HouseholdRule:
    """What households of the start year are like, per dwelling type (apartment, detached)."""

    persons: np.ndarray       # persons per household
    cars: np.ndarray          # mean cars per household


def _household_rule(data: MunicipalityData, year: int) -> _HouseholdRule:
    a = data.assumptions
    dwellings = data.series_value("dwellings", year)
    inhabitants = data.series_value("population", year)
    n_real = dwellings["single_family"] + dwellings["multi_dwelling"]
    share_detached = dwellings["single_family"] / n_real
    size = np.array([a["persons_per_household"]["apartment"], a["persons_per_household"]["detached"]])
    relative_cars = np.array([a["cars_per_household"]["apartment"], a["cars_per_household"]["detached"]])
    # persons sum to the inhabitants and cars to cars per inhabitant, in expectation
    cars_real = cars_per_inhabitant(data, year) * inhabitants
    return _HouseholdRule(
        persons=size * inhabitants / (n_real * ((1 - share_detached) * size[0] + share_detached * size[1])),
        cars=relative_cars * cars_real / (n_real * ((1 - share_detached) * relative_cars[0]
                                                    + share_detached * relative_cars[1])))


def _households(data: MunicipalityData, n: int, detached_share: float, rule: _HouseholdRule,
                draw) -> tuple[Households, np.ndarray]:
    """``n`` households with their car owners (int32, ascending), drawing in a fixed order from ``draw``."""
    a = data.assumptions
    dwelling = _categorical(draw(n), [1 - detached_share, detached_share])
    zone_shares = zone_shares_by_dwelling(data)
    zone = np.empty(n, dtype=np.int8)
    u = draw(n)
    for kind in (Dwelling.APARTMENT, Dwelling.DETACHED):
        sel = dwelling == kind
        zone[sel] = _categorical(u[sel], zone_shares[kind])
    attitude = 0.5 * (draw(n) + draw(n))
    heating = np.empty(n, dtype=np.int8)
    u = draw(n)
    for kind, key in ((Dwelling.APARTMENT, "heating_mix_apartment"), (Dwelling.DETACHED, "heating_mix_detached")):
        sel = dwelling == kind
        heating[sel] = _categorical(u[sel], [a[key][h] for h in HEATING_SYSTEMS])
    demand = a["household_heat_demand"]
    heat_demand = np.where(dwelling == Dwelling.DETACHED, demand["detached"], demand["apartment"])
    dh_prob = np.array([a["district_heating_available"]["apartment"],
                        a["district_heating_available"]["detached"]])[dwelling, zone]
    dh_available = (heating == Heating.DISTRICT_HEATING) | (draw(n) < dh_prob)
    low_meat_diet = draw(n) < CONSTANTS["low_meat_share"]
    zone_km = np.asarray(data.technology["behaviour"]["zone_km_factor"])
    car_count = _poisson(draw(n), rule.cars[dwelling])    # Poisson cars per household
    owner = np.repeat(np.arange(n, dtype=np.int32), car_count)
    households = Households(dwelling=dwelling, zone=zone, persons=rule.persons[dwelling], attitude=attitude,
                            heating=heating, heat_demand=heat_demand.astype(float), dh_available=dh_available,
                            hydronic=np.zeros(n, dtype=bool),   # drawn by the caller, last (see _hydronic)
                            low_meat_diet=low_meat_diet, car_km_factor=zone_km[zone])
    return households, owner


def arrival_pool_size(data: MunicipalityData, year: int, scale: float, peak_population: float) -> int:
    """Sampled households needed beyond the start year's for ``peak_population`` inhabitants (0 if not above it)."""
    extra = (peak_population - data.series_value("population", year)) * scale
    if extra <= 0:
        return 0
    share = arrival_detached_share(data, year)
    persons = _household_rule(data, year).persons
    mean_persons = (1 - share) * persons[0] + share * persons[1]
    return int(np.ceil(extra / mean_persons)) + 2   # quota rounding can leave the pool a household short


def build_population(data: MunicipalityData, year: int, seed: int, scale: float,
                     peak_population: float | None = None) -> Population:
    """Sample the population of ``year`` at ``scale``, with room for the households growth brings.

    Parameters
    ----------
    data : MunicipalityData
    year : int
        Start year; dwellings, population and emissions must exist for it.
    seed : int
    scale : float
        1.0 is the whole municipality.
    peak_population : float, optional
        The most inhabitants the run reaches. Above the start year's, the
        households present at the start are followed by an arrival pool
        (:func:`arrival_pool_size`, streams ``ARRIVAL_POOL``) that arrives as
        the city grows (:mod:`sim.mechanisms.demography`); without it the
        population cannot grow beyond the start.

    Returns
    -------
    Population

    Raises
    ------
    ValueError
        For a scale below :func:`sim.validation.smallest_scale`, where the one-agent floor of each firm
        sector distorts the totals.
    """
    check_scale_for(data, scale)
    dwellings = data.series_value("dwellings", year)
    n_detached_real = dwellings["single_family"]
    n_real = n_detached_real + dwellings["multi_dwelling"]
    n_households = max(1, int(round(n_real * scale)))
    stream = iter(range(Stream.POPULATION, Stream.POPULATION + 100))

    def draw(n):
        return uniforms(seed, 0, next(stream), n)

    rule = _household_rule(data, year)
    households, owner = _households(data, n_households, n_detached_real / n_real, rule, draw)
    fuel = _categorical(draw(len(owner)), car_fleet_mix(data, year))
    firms = _build_firms(data, year, scale, draw)
    units, vehicles = _build_municipal_group(data, draw)
    households = replace(households, hydronic=_hydronic(households.heating, draw(n_households)))
    n_pool = 0 if peak_population is None else arrival_pool_size(data, year, scale, peak_population)
    if n_pool:
        pool_stream = iter(range(Stream.ARRIVAL_POOL, Stream.ARRIVAL_POOL + 100))
        pool, pool_owner = _households(data, n_pool, arrival_detached_share(data, year), rule,
                                       lambda n: uniforms(seed, 0, next(pool_stream), n))
        pool = replace(pool, hydronic=_hydronic(pool.heating, uniforms(seed, 0, next(pool_stream), n_pool)))
        households = Households(**{name: np.concatenate([getattr(households, name), getattr(pool, name)])
                                   for name in Households.__dataclass_fields__})
        owner = np.concatenate([owner, pool_owner + np.int32(n_households)])
        fuel = np.concatenate([fuel, np.zeros(len(pool_owner), dtype=np.int8)])  # drawn on arrival
    return Population(households=households, cars=Cars(owner=owner, fuel=fuel), firms=firms,
                      units=units, vehicles=vehicles, weight=1.0 / scale, households_at_start=n_households)


def _hydronic(heating: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Whether each dwelling has water-borne distribution, given its heating system and uniform draws ``u``.

    District heating and oil or biofuel boilers feed radiators; a heat pump or
    direct electric does so with the declared shares (air-to-air pumps and
    panel radiators do not). The draw comes last on the population's
    streams, so every other attribute is as it was without it.
    """
    share = np.ones(len(HEATING_SYSTEMS))
    share[Heating.HEAT_PUMP] = CONSTANTS["heat_pump_hydronic_share"]
    share[Heating.DIRECT_ELECTRIC] = CONSTANTS["direct_electric_hydronic_share"]
    return u < share[heating]


def _build_firms(data: MunicipalityData, year: int, scale: float, draw) -> Firms:
    a = data.assumptions
    counts_real = np.array([a["firm_sectors"][s] for s in FIRM_SECTORS], dtype=float)
    counts = np.maximum(1, np.round(counts_real * scale)).astype(np.int64)
    sector = np.repeat(np.arange(len(FIRM_SECTORS), dtype=np.int8), counts)
    n = len(sector)
    # workplace sizes: lognormal (most workplaces are small), scaled to private employment
    employees = np.exp(CONSTANTS["firm_size_sigma"] * ndtri(np.clip(draw(n), 1e-12, 1 - 1e-12)))
    employees *= a["private_employment_share"]["value"] * data.figures["employed"] * scale / employees.sum()
    weight = 1.0 / scale
    emissions = data.series_value("emissions", year)
    tech = data.technology
    diesel_fossil = 1.0 - blend_in(tech["fuel"]["diesel_blend"], year)
    diesel_t = tech["firm_fleet"]["diesel_kg_per_mwh"] / 1000.0 * diesel_fossil
    totals = {  # MWh/yr for the whole municipality, from the sector totals
        "vehicles": emissions["transport"] * data.sector_split["transport"]["firm_vehicles"] / diesel_t,
        "process": (emissions["industry"] * data.sector_split["industry"]["firm_process_energy"]
                    / (tech["firm_process"]["fuel_kg_per_mwh"] / 1000.0)),
        "heating": (emissions["own_heating"] * data.sector_split["own_heating"]["firm_heating"]
                    / (tech["heating"]["oil_kg_per_mwh_heat"] / 1000.0)),
        "machinery": (emissions["work_machinery"] * data.sector_split["work_machinery"]["firm_machinery"]
                      / diesel_t),
    }
    energy = {}
    for use, total in totals.items():
        out = np.zeros(n)
        for name, share in a["firm_energy"][use].items():
            sel = sector == FIRM_SECTORS.index(name)
            out[sel] = total * share * employees[sel] / employees[sel].sum() / weight
        energy[use] = out
    per_employee = a["firm_energy"]
    hr = tech["heat_recovery"]
    eligible = np.isin(sector, [FIRM_SECTORS.index(s) for s in hr["eligible_sectors"]]) & (
        employees >= hr["eligible_min_employees"])
    supplier_prob = np.asarray(CONSTANTS["supplier_probability"])[sector]
    return Firms(
        sector=sector, employees=employees, attitude=draw(n), vehicle_energy=energy["vehicles"],
        fleet_tech=np.zeros(n, dtype=np.int8), process_energy=energy["process"],
        process_electrified=np.zeros(n, dtype=bool), heating_fossil=energy["heating"],
        machinery_energy=energy["machinery"],
        electricity=employees * per_employee["electricity_mwh_per_employee"],
        district_heat=np.where(sector == FirmSector.AGRICULTURE, 0.0,
                               employees * per_employee["district_heat_mwh_per_employee"]),
        energy_step=np.zeros(n, dtype=np.int8), heat_recovery_eligible=eligible,
        heat_recovery=np.zeros(n, dtype=bool), municipal_supplier=draw(n) < supplier_prob)


def _build_municipal_group(data: MunicipalityData, draw) -> tuple[MunicipalUnits, MunicipalVehicles]:
    u = data.municipal_units
    procurement = np.stack([u[f"procurement_{c}_msek"] * 1e6 for c in PROCUREMENT], axis=1)
    units = MunicipalUnits(name=u["name"], is_company=u["kind"] == "company",
                           fossil_heat=u["fossil_heat_mwh"].astype(float),
                           electricity=u["electricity_mwh"].astype(float),
                           district_heat=u["district_heat_mwh"].astype(float), procurement=procurement)
    counts = u["vehicles"].astype(np.int64)
    owner = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    tech = _categorical(draw(len(owner)), data.assumptions["municipal_fleet"]["initial_shares"])
    return units, MunicipalVehicles(owner=owner, tech=tech)
