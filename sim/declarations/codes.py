"""Every categorical code of the model, declared once as an IntEnum.

Arrays hold these codes as small integers (``int8``); the Dataset's
coordinates are their lower-case names (:func:`labels`). A kernel receives
the plain integer, never a bare literal chosen by hand.
"""
from __future__ import annotations

from enum import IntEnum


def labels(codes: type[IntEnum]) -> tuple[str, ...]:
    """Coordinate labels of an enum, in code order: its members' names in lower case."""
    return tuple(member.name.lower() for member in codes)


class Fuel(IntEnum):
    """Fuel of a household car."""

    PETROL = 0
    DIESEL = 1
    PHEV = 2
    BEV = 3
    BIOGAS = 4


class Heating(IntEnum):
    """Heating system of a dwelling."""

    DISTRICT_HEATING = 0
    HEAT_PUMP = 1
    DIRECT_ELECTRIC = 2
    OIL = 3
    BIOFUEL = 4


class Zone(IntEnum):
    """Location of a household relative to a town centre."""

    CENTRAL = 0
    URBAN = 1
    RURAL = 2


class Dwelling(IntEnum):
    """Building type of a household's dwelling."""

    APARTMENT = 0
    DETACHED = 1


class FirmSector(IntEnum):
    """Sector of a workplace."""

    AGRICULTURE = 0
    MANUFACTURING = 1
    ENERGY = 2
    CONSTRUCTION = 3
    TRANSPORT = 4
    RETAIL = 5
    SERVICES = 6


class FleetTech(IntEnum):
    """Drive of a firm's fleet or of a municipal vehicle."""

    FOSSIL = 0
    BIOFUEL = 1
    ELECTRIC = 2


class ProcessEnergy(IntEnum):
    """Energy carrier of a firm's process heat."""

    FUEL = 0
    ELECTRIC = 1


class Procurement(IntEnum):
    """Procurement category of the municipal group."""

    FOOD = 0
    CONSTRUCTION = 1
    CIVIL_WORKS = 2
    TEXTILES = 3
    FURNITURE = 4
    OTHER = 5


class Sector(IntEnum):
    """Territorial sector of the Swedish national statistics (SMHI), in result order."""

    TRANSPORT = 0
    ELECTRICITY_DISTRICT_HEATING = 1
    INDUSTRY = 2
    AGRICULTURE = 3
    WORK_MACHINERY = 4
    PRODUCT_USE = 5
    WASTE = 6
    OWN_HEATING = 7


class Sink(IntEnum):
    """Removal or offset; the first three are sinks and storage counted in net emissions."""

    BIOCHAR = 0
    PEATLAND_REWETTING = 1
    FORESTRY = 2
    PURCHASED_OFFSETS = 3


class Measure(IntEnum):
    """Sector measure of :mod:`sim.mechanisms.sectors`; the last is firm-level, the others act on sector totals."""

    MANURE_BIOGAS = 0
    FEED_ADDITIVES = 1
    ORGANIC_SOILS = 2
    LANDFILL_GAS = 3
    FOOD_WASTE_BIOGAS = 4
    FGAS_REPLACEMENT = 5
    SOLVENT_SUBSTITUTION = 6
    PROCESS_EMITTERS = 7
    MACHINERY_PERMITS = 8


class LandFlux(IntEnum):
    """Part of the land-use (LULUCF) baseline: the forest sink (negative) and drained-peat emissions."""

    FOREST_SINK = 0
    DRAINED_PEAT = 1


class Scope(IntEnum):
    """GHG-protocol scope of the municipal group's emissions."""

    SCOPE1 = 0
    SCOPE2 = 1
    SCOPE3 = 2


class Payer(IntEnum):
    """Who pays a cost (the state: national purchase bonuses)."""

    HOUSEHOLDS = 0
    FIRMS = 1
    MUNICIPAL_GROUP = 2
    STATE = 3


class ActorKind(IntEnum):
    """Kind of agent; agents share one index space in this order."""

    HOUSEHOLD = 0
    FIRM = 1
    MUNICIPAL_UNIT = 2


class Signal(IntEnum):
    """What an agent shows its neighbours; bit ``1 << signal`` of its signal byte."""

    LOW_CARBON_CAR = 0
    LOW_CARBON_HEAT = 1
    PLEDGED = 2
    STEPPED = 3
    LOW_MEAT = 4
    PRESENT = 5   # living in the municipality this year: its count is the denominator of every exposure


class EnergyStep(IntEnum):
    """Step of a firm on the energy-efficiency ladder (Energitrappan)."""

    STEP_0 = 0
    STEP_1 = 1
    STEP_2 = 2
    STEP_3 = 3
    STEP_4 = 4


class GrantProject(IntEnum):
    """Kind of climate-grant (klimatmedel) project a municipal unit proposes; proposals are listed in this order."""

    VEHICLES = 0      # electrify a batch of fossil vehicles
    BIOGAS = 1        # move a further batch of fossil vehicles to biogas
    CHARGING = 2      # charge points at the unit's sites (aggregate cut of transport)
    HEATING = 3       # replace the unit's fossil heat by district heat
    EFFICIENCY = 4    # save a share of the unit's electricity
    BEHAVIOUR = 5     # travel and behaviour project (aggregate cut of transport)


class Stream(IntEnum):
    """Random streams of the counter-based generator, keyed with (seed, year, stream, agent).

    Yearly decisions use the year of the decision; draws fixed for a run
    (population, network, parameters, pledge fulfilment, grant free riders) use year 0. The
    population takes streams ``POPULATION`` to ``POPULATION + 99`` in order
    of its draws; the network ``NETWORK`` to ``NETWORK + 3``.
    """

    CARS = 1
    HEATING = 2
    FIRM_FLEET = 3
    PROCESS = 4
    MUNICIPAL_FLEET = 5
    PLEDGES = 6
    DIET = 7
    STEPS = 8
    RECOVERY = 9
    GRANTS = 10
    CLAIMS = 11
    FREE_RIDERS = 12
    FULFILMENT = 60
    MACHINERY_PERMITS = 80  # year 0: which firms' machinery the permit requirements reach first
    POPULATION = 100
    NETWORK = 300
    NETWORK_CLUSTERS = 301
    NETWORK_CLUSTER_JOIN = 302
    NETWORK_SUPPLIERS = 303
    ARRIVALS = 70          # yearly: fuels of the cars arriving households bring
    ARRIVAL_POOL = 500     # run: the households that may arrive (block of 100)
    ARRIVAL_TIES = 71      # run: where those households join the social ring
    PARAMETERS = 50


FUELS = labels(Fuel)
HEATING_SYSTEMS = labels(Heating)
ZONES = labels(Zone)
FIRM_SECTORS = labels(FirmSector)
FLEET_TECH = labels(FleetTech)
PROCUREMENT = labels(Procurement)
SECTORS = labels(Sector)
SINKS = labels(Sink)
LAND_FLUXES = labels(LandFlux)
MEASURES = labels(Measure)
AGGREGATE_MEASURES = MEASURES[:Measure.MACHINERY_PERMITS]
SCOPES = labels(Scope)
PAYERS = labels(Payer)
ACTOR_KINDS = labels(ActorKind)
ENERGY_STEPS = tuple(int(step) for step in EnergyStep)
GRANT_PROJECTS = labels(GrantProject)
