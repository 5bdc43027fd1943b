"""One run's changing state and each year's inputs: :class:`State` and :class:`YearContext`.

The engine's mechanisms (:mod:`sim.mechanisms`) read a :class:`YearContext`
(the year, the parameter values and constants, the technology table, the
base-year calibration, the drivers, the network and the random-stream keys)
and change a :class:`State`. The population a run starts from is never
mutated: the state holds copies of the arrays that change and shares the
ones that do not.
"""
from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .data import MunicipalityData
from .declarations import constants
from .declarations.codes import ActorKind, Payer, Signal, Stream
from .exogenous import Drivers
from .kernels.rng import make_key
from .network import Network
from .population import Cars, Firms, Households, MunicipalUnits, MunicipalVehicles, Population
from .timing import paths


@dataclass
class State:
    """Everything that changes during a run, as arrays over agents (households, firms, units in order).

    ``households``, ``cars``, ``firms``, ``units`` and ``vehicles`` are the
    population's records with their changing arrays copied. The yearly
    flows (``costs`` and the part of it that is investment, ``investment``;
    ``new_cars``, ``grant_spend``) are reset by :meth:`open_year`.

    Households ``[0, n_present)`` live in the municipality this year, the
    rest of the built ones are absent (:mod:`sim.mechanisms.demography`):
    mechanisms read households and cars through :meth:`present_households`
    and :meth:`present_cars`, and ``present`` marks the agents of the whole
    index space that are there (firms and units always are).
    """

    households: Households
    built: Households                   # the population's households as built, never changed: arrivals start so
    cars: Cars
    firms: Firms
    units: MunicipalUnits
    vehicles: MunicipalVehicles
    weight: float                       # real households and firms per sampled one (1/scale)
    kind: np.ndarray                    # int8[N]: ActorKind
    attitude: np.ndarray                # float64[N] in [0, 1]
    pledge_year: np.ndarray             # int32[N]: year signed, 0 if not
    pledge_baseline: np.ndarray         # float64[N]: direct t CO2e at signing (organisations)
    direct: np.ndarray                  # float64[N]: direct t CO2e this year (organisations)
    signals: np.ndarray                 # uint8[N]: bit 1 << Signal shown to neighbours
    signal_counts: np.ndarray           # int32[N, len(Signal)]: neighbours showing each signal
    strength: np.ndarray                # float64[N]: pledge strength, 1 when fresh, decaying
    delivery: np.ndarray                # float64[N]: share of fossil energy left after the pledge's cut
    km_factor: np.ndarray               # float64[n_households]: multiplier of the base car kilometres
    machinery_fossil_free: np.ndarray   # bool[n_firms]: work machinery run fossil free (procurement)
    present: np.ndarray                 # bool[N]: in the municipality this year
    n_present: int                      # households [0, n_present) are present
    households_at_start: int            # households present in the start year
    grant_abatement: float = 0.0        # t CO2e/yr of grant projects funded so far, additional only
    grant_transport_cut: float = 0.0    # t CO2e/yr cut from transport by executed charging and behaviour projects
    cumulative_co2: float = 0.0         # t CO2 since the carbon budget's start year
    costs: np.ndarray = field(default_factory=lambda: np.zeros(len(Payer)))   # SEK this year, by Payer
    investment: np.ndarray = field(default_factory=lambda: np.zeros(len(Payer)))  # the part of costs that is investment
    new_cars: np.ndarray = field(default_factory=lambda: np.zeros(5))  # cars bought this year, weighted
    grant_spend: float = 0.0            # SEK of grants paid out this year
    accounted_pledges: np.ndarray | None = None  # int32[organisations]: in the pledge counterfactual, the year
    # each organisation signed in the run it is the counterfactual of (its pledged_direct counts those)

    @classmethod
    def from_population(cls, population: Population, unit_attitude: float) -> State:
        """The start state: copies of the population's changing arrays, no pledges, no exposure."""
        hh, firms, units = population.households, population.firms, population.units
        n_h, n_f, n_u = len(hh.zone), len(firms.sector), len(units.name)
        n = n_h + n_f + n_u
        present = np.ones(n, dtype=bool)
        present[population.households_at_start:n_h] = False
        return cls(
            households=replace(hh, heating=hh.heating.copy(), hydronic=hh.hydronic.copy(),
                               low_meat_diet=hh.low_meat_diet.copy()), built=hh,
            cars=replace(population.cars, fuel=population.cars.fuel.copy()),
            firms=replace(firms, fleet_tech=firms.fleet_tech.copy(),
                          process_electrified=firms.process_electrified.copy(),
                          energy_step=firms.energy_step.copy(), heat_recovery=firms.heat_recovery.copy()),
            units=replace(units, fossil_heat=units.fossil_heat.copy(), electricity=units.electricity.copy(),
                          district_heat=units.district_heat.copy()),
            vehicles=replace(population.vehicles, tech=population.vehicles.tech.copy()),
            weight=population.weight,
            kind=np.repeat(np.array([ActorKind.HOUSEHOLD, ActorKind.FIRM, ActorKind.MUNICIPAL_UNIT], dtype=np.int8),
                           [n_h, n_f, n_u]),
            attitude=np.concatenate([hh.attitude, firms.attitude, np.full(n_u, unit_attitude)]),
            pledge_year=np.zeros(n, dtype=np.int32), pledge_baseline=np.zeros(n), direct=np.zeros(n),
            signals=np.zeros(n, dtype=np.uint8), signal_counts=np.zeros((n, len(Signal)), dtype=np.int32),
            strength=np.zeros(n), delivery=np.ones(n),
            km_factor=hh.car_km_factor.copy(),   # no mode shift or pledge before the first year's behaviour
            machinery_fossil_free=np.zeros(n_f, dtype=bool), present=present,
            n_present=population.households_at_start, households_at_start=population.households_at_start)

    def pay(self, payer, sek, investment: bool) -> None:
        """Book ``sek`` (SEK this year) on ``payer`` (a Payer or a slice of them); ``investment``: capital
        spending (premiums, capex, connections), otherwise running spending."""
        self.costs[payer] += sek
        if investment:
            self.investment[payer] += sek

    @property
    def n_households(self) -> int:
        """Households built (present or not): the households' part of the index space."""
        return len(self.households.zone)

    @property
    def n_present_cars(self) -> int:
        """Cars of the present households: cars ``[0, n_present_cars)`` (cars are sorted by owner)."""
        return int(np.searchsorted(self.cars.owner, self.n_present))

    def present_households(self) -> Households:
        """The present households' arrays (views: writing them writes the state)."""
        return Households(**{name: getattr(self.households, name)[:self.n_present]
                             for name in Households.__dataclass_fields__})

    def present_cars(self) -> Cars:
        """The present households' cars (views)."""
        n = self.n_present_cars
        return Cars(owner=self.cars.owner[:n], fuel=self.cars.fuel[:n])

    @property
    def n_firms(self) -> int:
        return len(self.firms.sector)

    @property
    def firm_slice(self) -> slice:
        """Agent indices of the firms."""
        return slice(self.n_households, self.n_households + self.n_firms)

    @property
    def unit_slice(self) -> slice:
        """Agent indices of the municipal units."""
        return slice(self.n_households + self.n_firms, len(self.kind))

    def open_year(self) -> None:
        """Reset the year's flows before the year's processes run."""
        self.costs = np.zeros(len(Payer))
        self.investment = np.zeros(len(Payer))
        self.new_cars = np.zeros(5)
        self.grant_spend = 0.0


@dataclass(frozen=True)
class YearContext:
    """What a mechanism may read in one year; nothing here changes during the year.

    ``p`` maps every parameter and constant name to its value this year
    (the year's values of :mod:`sim.timing` first, then
    :data:`sim.declarations.constants.VALUES`); ``values`` holds the
    parameters alone, as the scenario sets them and the results store them.
    """

    seed: int
    t: int                              # index of the year in ``drivers.years``
    year: int
    p: Mapping[str, Any]
    values: Mapping[str, Any]
    tech: Mapping[str, Any]
    calib: Mapping[str, Any]
    drivers: Drivers
    sinks: Mapping[str, np.ndarray]     # :func:`sim.land.removals`: t CO2e/yr by sink and the areas, by year
    data: MunicipalityData
    network: Network
    yearly: tuple[Mapping[str, Any], ...]   # the parameters' values in each year (:mod:`sim.timing`)
    paths: Mapping[str, np.ndarray]         # each numeric parameter along the years (:func:`sim.timing.paths`)

    @classmethod
    def first(cls, data: MunicipalityData, network: Network, values: Mapping[str, Any], seed: int,
              calib: Mapping[str, Any], drivers: Drivers, sinks: Mapping[str, np.ndarray],
              yearly: tuple[Mapping[str, Any], ...]) -> YearContext:
        """The context of the run's first year."""
        return cls(seed=seed, t=0, year=int(drivers.years[0]), p=ChainMap(yearly[0], constants.VALUES),
                   values=values, tech=data.technology, calib=calib, drivers=drivers, sinks=sinks, data=data,
                   network=network, yearly=yearly, paths=paths(yearly))

    def at(self, t: int) -> YearContext:
        """The same run's context in year index ``t``: this year's parameter values."""
        return replace(self, t=t, year=int(self.drivers.years[t]), p=ChainMap(self.yearly[t], constants.VALUES))

    def key(self, stream: Stream) -> np.uint64:
        """Key of this year's draws of ``stream``."""
        return make_key(self.seed, self.year, stream)

    def run_key(self, stream: Stream) -> np.uint64:
        """Key of draws fixed for the whole run (year 0)."""
        return make_key(self.seed, 0, stream)
