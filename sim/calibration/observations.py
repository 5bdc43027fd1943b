"""The observed series a calibration fits, and their simulated counterparts in a batch Dataset.

Each series is a set of points (year, value) in the units the model reports. Observed, from the
municipality's data folder (sources in ``calibration/data/SOURCES.md``):

- ``emissions_<sector>``: SMHI territorial emissions, t CO2e/yr (smhi_nationella_emissionsdatabasen_2025);
  fitted: transport and own heating (:data:`FITTED_SECTORS`), whose totals the behavioural parameters
  move;
- ``new_car_bev_share``, ``new_car_phev_share``: shares of new cars (trafikanalys_new_cars);
- ``fleet_bev_share``, ``fleet_phev_share``: shares of cars in use on 31 December of the year
  (trafikanalys_fordon_i_lan), compared with the model's household cars on 1 January of the next year
  (assumption: firm cars have the households' plug-in share);
- ``pledged_organisations``: organisations (firms and municipal units) with a local climate pledge
  by the end of 2023, about 60 (eskilstuna_pledges_2023), compared with the model's count on
  1 January 2024.

Public charge points are exogenous in the model (the data's, then the lever), so they are not fitted.
The other sectors' totals follow trends and emission factors that are not behavioural, so they are
checked (:data:`CHECKED_SECTORS`) but not fitted: electricity and district heat, which the district-heat
emission factor drives (3.4 kt in 2020, 8.9 kt in 2021), would otherwise outweigh every other series in
the distance and select particles by the unfitted trend draws.
"""
from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np
import xarray as xr

from ..contract_cities import DATA_ROOT
from ..data import load_municipality
from ..declarations.codes import SECTORS

FITTED_SECTORS = ("transport", "own_heating")
"""SMHI sectors whose totals the behavioural parameters move: fitted."""

CHECKED_SECTORS = FITTED_SECTORS + tuple(s for s in SECTORS if s not in FITTED_SECTORS)
"""SMHI sectors of the predictive check: every sector, the fitted ones first. The others follow exogenous trends
(uncertainties whose ranges were set from the same 2015-2021 series) and emission factors, not behaviour."""

PLEDGE_YEAR = 2023
"""Year of the observed pledge count (eskilstuna_pledges_2023)."""

UNITS = {"emissions": "t CO2e/yr", "share": "1", "pledged_organisations": "1"}


@dataclasses.dataclass(frozen=True)
class Observations:
    """Observed points of every fitted series, flattened: point ``i`` is ``series[i]`` in ``years[i]``.

    Attributes
    ----------
    series : ndarray of str
    years : int64 ndarray
        The year the observation refers to.
    values : float64 ndarray
    source : str
        Where the values come from (a data folder, or "synthetic: ...").
    municipality : ndarray of str, optional
        The data folder's name of each point's municipality (default: all ``""``, one unnamed city). A
        batch of several municipalities is compared point by point with its own city's run.
    """

    series: np.ndarray
    years: np.ndarray
    values: np.ndarray
    source: str
    municipality: np.ndarray | None = None

    def __post_init__(self):
        if not (len(self.series) == len(self.years) == len(self.values)) or len(self.values) == 0:
            raise ValueError("observations: allowed equal, non-zero numbers of series names, years and values; "
                             f"given {len(self.series)}, {len(self.years)}, {len(self.values)}")
        unknown = sorted(set(self.series) - set(SERIES))
        if unknown:
            raise ValueError(f"observations.series: allowed {list(SERIES)}; given {unknown}")
        if self.municipality is None:
            object.__setattr__(self, "municipality", np.full(len(self.values), ""))
        elif len(self.municipality) != len(self.values):
            raise ValueError(f"observations.municipality: allowed one name per point ({len(self.values)}); "
                             f"given {len(self.municipality)}")

    @property
    def groups(self) -> list[tuple[str, str]]:
        """The (municipality, series) pairs in order of first appearance: what the distance weighs equally."""
        return list(dict.fromkeys(zip(self.municipality.astype(str), self.series.astype(str))))

    def group_mask(self, group: tuple[str, str]) -> np.ndarray:
        """The points of one (municipality, series) pair."""
        return (self.municipality == group[0]) & (self.series == group[1])

    def to_dataset(self) -> xr.Dataset:
        """The points as a Dataset along ``point`` (for the posterior file)."""
        return xr.Dataset({
            "observed_series": ("point", self.series.astype(str), {"long_name": "fitted series of the point"}),
            "observed_year": ("point", self.years, {"long_name": "year of the observation", "units": "1"}),
            "observed_value": ("point", self.values, {"long_name": "observed value (units of its series: "
                                                      "t CO2e/yr for emissions, 1 for shares and counts)"}),
            "observed_municipality": ("point", self.municipality.astype(str),
                                      {"long_name": "municipality (data folder) of the point"}),
        }, attrs={"observations_source": self.source})

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> Observations:
        city = ds["observed_municipality"].values.astype(str) if "observed_municipality" in ds else None
        return cls(ds["observed_series"].values.astype(str), ds["observed_year"].values.astype(np.int64),
                   ds["observed_value"].values.astype(float), str(ds.attrs.get("observations_source", "")), city)

    def select(self, keep: np.ndarray) -> Observations:
        """The points where ``keep`` (a boolean array over the points) is true."""
        keep = np.asarray(keep, dtype=bool)
        return Observations(self.series[keep], self.years[keep], self.values[keep], self.source,
                            self.municipality[keep])

    @classmethod
    def concatenate(cls, parts: list[Observations]) -> Observations:
        """The points of several sets (e.g. one per municipality), in order."""
        return cls(np.concatenate([p.series for p in parts]), np.concatenate([p.years for p in parts]),
                   np.concatenate([p.values for p in parts]), "; ".join(dict.fromkeys(p.source for p in parts)),
                   np.concatenate([p.municipality for p in parts]))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(path: Path, field: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{path}: field {field!r}: allowed a number; given {text!r}") from None


def load_observations(municipality: str | Path, years: tuple[int, int] = (2015, 2021),
                      pledges: bool = True, sectors: tuple[str, ...] = FITTED_SECTORS) -> Observations:
    """The observed points of the municipality's data folder.

    Parameters
    ----------
    municipality : str or Path
        A data folder (a scenario's ``municipality``) or the name of one under ``calibration/data``.
    years : (int, int)
        First and last year of the yearly series (inclusive).
    pledges : bool
        Whether to add the pledge count of :data:`PLEDGE_YEAR` (only a folder with the figure
        ``pledges_2023`` has one: Eskilstuna's).
    sectors : tuple of str
        SMHI sectors whose totals are observed (default :data:`FITTED_SECTORS`; :data:`CHECKED_SECTORS`
        for the predictive check).

    Returns
    -------
    Observations

    Raises
    ------
    ValueError
        Naming the file and the field, when a year is missing or a value is not a number.
    """
    unknown = [s for s in sectors if s not in SECTORS]
    if unknown:
        raise ValueError(f"sectors: allowed sectors of the inventory {list(SECTORS)}; given {unknown}")
    folder = Path(municipality)
    if not (folder / "municipality.toml").is_file():
        folder = DATA_ROOT / str(municipality)
    data = load_municipality(folder)
    first, last = years
    wanted = range(first, last + 1)
    series, when, values = [], [], []

    def add(name: str, path: Path, rows: dict[int, dict[str, str]], value) -> None:
        for year in wanted:
            if year not in rows:
                raise ValueError(f"{path}: field 'year': allowed the years {first}-{last}; {year} is missing")
            series.append(name)
            when.append(year)
            values.append(value(rows[year]))

    path = folder / "territorial_emissions.csv"
    rows = {int(r["year"]): r for r in _read_csv(path)}
    for sector in sectors:
        add(f"emissions_{sector}", path, rows, lambda r, s=sector: _number(path, s, r[s]))
    path_new = folder / "new_cars.csv"
    rows = {int(r["year"]): r for r in _read_csv(path_new)}
    for fuel in ("bev", "phev"):
        add(f"new_car_{fuel}_share", path_new, rows, lambda r, f=fuel: _number(path_new, f, r[f])
            / _number(path_new, "all_new_cars", r["all_new_cars"]))
    path_fleet = folder / "cars_in_use.csv"
    rows = {int(r["year"]): r for r in _read_csv(path_fleet)}
    for fuel in ("bev", "phev"):
        add(f"fleet_{fuel}_share", path_fleet, rows, lambda r, f=fuel: _number(path_fleet, f, r[f])
            / _number(path_fleet, "total", r["total"]))
    if pledges:
        figure = data.figures.get("pledges_2023")
        if figure is None:
            raise ValueError(f"{folder / 'municipality.toml'}: field 'figures.pledges_2023': allowed a pledge "
                             "count; none given")
        series.append("pledged_organisations")
        when.append(PLEDGE_YEAR)
        values.append(float(figure))
    root = DATA_ROOT.parent.parent
    shown = folder.resolve().relative_to(root) if folder.resolve().is_relative_to(root) else folder
    return Observations(np.array(series), np.array(when, dtype=np.int64), np.array(values, dtype=float),
                        str(shown), np.full(len(values), folder.name))


def _fleet_share(ds: xr.Dataset, fuel: str, year: int) -> xr.DataArray:
    fleet = ds["car_fleet"].sel(year=year + 1)   # 1 January of the next year = 31 December of this one
    return fleet.sel(fuel=fuel) / fleet.sum("fuel")


def _new_car_share(ds: xr.Dataset, fuel: str, year: int) -> xr.DataArray:
    cars = ds["new_cars"].sel(year=year)
    return cars.sel(fuel=fuel) / cars.sum("fuel").where(cars.sum("fuel") > 0)


SERIES = {
    **{f"emissions_{s}": (lambda ds, y, s=s: ds["emissions"].sel(year=y, sector=s)) for s in SECTORS},
    "new_car_bev_share": lambda ds, y: _new_car_share(ds, "bev", y),
    "new_car_phev_share": lambda ds, y: _new_car_share(ds, "phev", y),
    "fleet_bev_share": lambda ds, y: _fleet_share(ds, "bev", y),
    "fleet_phev_share": lambda ds, y: _fleet_share(ds, "phev", y),
    "pledged_organisations": lambda ds, y: ds["pledges"].sel(year=y + 1, actor_kind=["firm", "municipal_unit"])
    .sum("actor_kind"),
}
"""Each series' simulated counterpart: a function of (Dataset, observed year) -> DataArray."""

SIMULATED_VARIABLES = ("emissions", "new_cars", "car_fleet", "pledges")
"""Engine outputs the counterparts need (a calibration scenario's ``[outputs]`` must keep them)."""


def simulated(ds: xr.Dataset, observations: Observations) -> np.ndarray:
    """The simulated counterpart of every observed point, run by run.

    Parameters
    ----------
    ds : xarray.Dataset
        A batch result of one scenario (``scenario`` dimension of length 1 or absent) or one run.
    observations : Observations

    Returns
    -------
    float64[runs, points]
        (or [points] for a single run's Dataset).
    """
    if "scenario" in ds.dims:
        if ds.sizes["scenario"] != 1:
            raise ValueError(f"ds: allowed a batch of one scenario; given {ds.sizes['scenario']} scenarios")
        ds = ds.isel(scenario=0)
    needed = max(int(y) for y in observations.years) + 1
    if int(ds["year"].max()) < needed:
        raise ValueError(f"ds: allowed a run that reaches {needed} (the observations' last year + 1); "
                         f"given one ending in {int(ds['year'].max())}")
    cities = {}
    if "municipality" in ds.dims:
        missing = sorted(set(observations.municipality) - set(ds["municipality"].values.astype(str)))
        if missing:
            raise ValueError(f"ds: allowed a batch with every observed municipality; {missing} not in it")
        cities = {name: ds.sel(municipality=name) for name in dict.fromkeys(observations.municipality)}
    columns = [SERIES[name](cities.get(city, ds), int(year))
               for name, year, city in zip(observations.series, observations.years, observations.municipality)]
    return np.stack([np.asarray(c.values, dtype=float) for c in columns], axis=-1)
