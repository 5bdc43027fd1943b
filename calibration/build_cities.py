"""Build the data folders of the contract cities (calibration/data/<name>/) from the shared city data.

Run from the repository root: ``python calibration/build_cities.py`` (``--source DIR`` for another copy
of the shared data, ``--out DIR`` to write elsewhere). It reads the sourced per-city series of
``../shared/data/cities/`` (SMHI sector emissions, population, new cars, cars in use by fuel, charge
points, land area, carbon budgets, cycle network) and writes, for every city of ``cities.csv`` except
Eskilstuna (whose folder has richer data of its own and is left as it is), a folder of the layout
:func:`sim.data.load_municipality` reads, plus ``DERIVED.md`` saying what was derived and how. It also
writes ``contract_cities.csv`` (every city, Eskilstuna included). Where a city has no data (dwellings,
workplaces, the municipal group, sector splits, procurement), the figure is a national figure scaled by
the city's population or Eskilstuna's per-inhabitant structure, marked ``source = "assumption"`` with
an uncertainty range. The output depends only on the input files: rerunning gives the same bytes.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "calibration" / "data"
ESKILSTUNA = DATA / "eskilstuna"
DEFAULT_SOURCE = ROOT / ".." / "shared" / "data" / "cities"

SECTORS = ("transport", "agriculture", "work_machinery", "waste", "industry", "product_use", "own_heating",
           "electricity_district_heating")
EMISSION_YEARS = range(2015, 2022)
START_YEAR = 2020
COPIED = ("technology.toml", "sector_split.csv", "co2_share.csv", "procurement_intensity.csv")
"""Files copied unchanged from Eskilstuna: national technology and prices, and the A9-A13 assumptions."""

BUDGET_SOURCES = {"KK-2023-03": "klimatkollen_budget_2023_03", "KK-2023-08": "klimatkollen_budget_2023_08",
                  "KK-2024-03": "klimatkollen_budget_2024_03"}

# National figures (SOURCES.md): persons per household and single-family houses among households.
PERSONS_PER_HOUSEHOLD_SWEDEN = 10.45e6 / 4_831_811          # scb_households_2021
SINGLE_FAMILY_SHARE_SWEDEN = 1.94e6 / 4_831_811             # energimyndigheten_heat_pumps_2014 / scb_households_2021
CONTRACT_DECISION_YEAR = {2019: 2021, 2021: 2023}
"""Wave of the initiative -> the year the contract's commitments are taken to be decided (assumption)."""
DECISION_YEAR_RANGE = (2021, 2024)
"""Range of D1: Mariestad signed in December 2022, Linköping and Kristianstad hold contracts of version 2023."""

UNIT_NAMES = {"Eskilstuna Energi och Miljö": "Energi- och miljöbolaget",
              "Eskilstunahem": "Allmännyttiga bostadsbolaget",
              "Eskilstuna Logistik och Etablering": "Logistik- och etableringsbolaget",
              "Eskilstuna Parkerings": "Parkeringsbolaget",
              "Eskilstuna Kommunföretag": "Kommunkoncernens moderbolag"}
"""Eskilstuna's own company names, replaced by what the company does."""


def folder_name(name: str) -> str:
    """The folder of a municipality: its name in lower-case ASCII (å, ä -> a; ö -> o)."""
    ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "_" for c in ascii_name)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _by_city(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        out.setdefault(row["municipality"], []).append(row)
    return out


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value: float) -> str:
    """A float for TOML: at most 6 significant digits, no exponent for ordinary sizes."""
    text = f"{value:.6g}"
    return text if ("e" in text or "." in text) else text + ".0"


class Shared:
    """The shared per-city tables, read once."""

    def __init__(self, source: Path):
        self.source = source
        self.cities = _read(source / "cities.csv")
        self.tables = {name: _by_city(_read(source / f"{name}.csv"))
                       for name in ("territorial_emissions", "population", "new_cars", "cars_in_use",
                                    "charge_points", "charge_points_monthly", "carbon_budgets", "land_areas",
                                    "cycle_network")}

    def rows(self, table: str, city: str) -> list[dict[str, str]]:
        return self.tables[table].get(city, [])

    def value(self, table: str, city: str, year: int, column: str) -> float:
        for row in self.rows(table, city):
            if int(row["year"]) == year:
                return float(row[column])
        raise KeyError(f"{self.source / (table + '.csv')}: no {column} for {city} in {year}")


def _eskilstuna() -> dict:
    with (ESKILSTUNA / "municipality.toml").open("rb") as handle:
        meta = tomllib.load(handle)
    population = {int(r["year"]): float(r["population"]) for r in _read(ESKILSTUNA / "population.csv")}
    return {"meta": meta, "population": population[START_YEAR], "units": _read(ESKILSTUNA / "municipal_units.csv")}


def _emissions(shared: Shared, city: str) -> str:
    rows = [[r["year"]] + [r[s] for s in SECTORS] + [r["total"]] for r in shared.rows("territorial_emissions", city)
            if int(r["year"]) in EMISSION_YEARS]
    return _csv_text(["year", *SECTORS, "total"], rows)


def _dwellings(shared: Shared, city: str) -> str:
    rows = []
    for year in EMISSION_YEARS:
        households = shared.value("population", city, year, "population") / PERSONS_PER_HOUSEHOLD_SWEDEN
        single = round(households * SINGLE_FAMILY_SHARE_SWEDEN)
        rows.append([year, single, round(households) - single, "", ""])
    return _csv_text(["year", "single_family", "multi_dwelling", "other", "special_housing"], rows)


CARS_IN_USE_COLUMNS = ["year", "petrol", "diesel", "bev", "hev", "phev", "ethanol", "gas", "other", "total",
                       "cars_per_1000_inhabitants"]


def _charge_points(shared: Shared, city: str) -> str:
    """December counts: of the monthly series from 2015 to its last full year, then of the yearly one."""
    monthly = [r for r in shared.rows("charge_points_monthly", city)
               if r["date"].endswith("-12") and r["date"] >= f"{EMISSION_YEARS[0]}-12"]
    later = [r for r in shared.rows("charge_points", city) if r["date"] > max(r["date"] for r in monthly)]
    return _csv_text(["date", "public_charge_points"], [[r["date"], r["public_charge_points"]] for r in monthly + later])


def _municipal_units(ratio: float, esk_units: list[dict[str, str]]) -> str:
    header = list(esk_units[0])
    rows = []
    for unit in esk_units:
        row = []
        for column in header:
            text = unit[column]
            if column == "name":
                row.append(UNIT_NAMES.get(text, text))
            elif column in ("kind", "plan_year", "plan_reduction_rate"):
                row.append(text)
            elif column == "vehicles":
                row.append(max(1, round(float(text) * ratio)) if float(text) > 0 else 0)
            else:
                row.append(_number(float(text) * ratio).removesuffix(".0"))
        rows.append(row)
    return _csv_text(header, rows)


def _toml_entry(table: str, fields: dict[str, object]) -> str:
    lines = [f"[{table}]"]
    for key, value in fields.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        elif isinstance(value, float):
            lines.append(f"{key} = {_number(value)}")
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(_number(v) for v in value)}]")
        elif isinstance(value, dict):
            inner = ", ".join(f"{k} = {_number(v)}" for k, v in value.items())
            lines.append(f"{key} = {{ {inner} }}")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _municipality_toml(shared: Shared, info: dict[str, str], esk: dict) -> tuple[str, list[str]]:
    """The text of municipality.toml and the lines of DERIVED.md describing what was derived."""
    city = info["municipality"]
    population = shared.value("population", city, START_YEAR, "population")
    ratio = population / esk["population"]
    meta = esk["meta"]
    figures, assumptions = meta["figures"], meta["assumptions"]
    derived = []
    out = [(f"# {city} (SCB {info['municipality_code']}, {info['county']}): written by calibration/build_cities.py\n"
           "# from ../shared/data/cities/ (see DERIVED.md and ../SOURCES.md). Do not edit by hand: rerun the script.\n"),
           f'name = "{city}"\n']

    decision = CONTRACT_DECISION_YEAR[int(info["joined_initiative"])]
    out.append("# The initiative's shared goal (no target of the city's own is in the data): climate neutral by\n"
               "# 2030 as the EU cities mission reads it, at least an 80 % cut of net territorial emissions\n"
               "# against the base year with the rest compensated (compensation counts); net below zero\n"
               "# from Sweden's national net-zero year 2045. Assumption T1 (see DERIVED.md).\n")
    out.append(_toml_entry("targets", {"base_year": START_YEAR, "reduction_year": 2030, "allowed_share": 0.2,
                                       "climate_positive_year": 2045, "compensation_counts": True,
                                       "consumption_goal": "none", "budget_version": "KK-2024-03",
                                       "source": "eu_cities_mission_climate_neutral_2030",
                                       "note": "Assumption T1: no target of the city's own is in the data; the "
                                               "initiative's shared goal, quantified as the EU cities mission "
                                               "reads it."}))
    pledge_goal = round(meta["pledge_goal"]["organisations"] * ratio)
    out.append("\n# Eskilstuna's pledge aim (250 organisations by 2027) per inhabitant (assumption D8).\n")
    out.append(_toml_entry("pledge_goal", {"organisations": pledge_goal, "year": meta["pledge_goal"]["year"],
                                           "source": "assumption"}))

    def figure(name: str, value: float, units: str, source: str, note: str, low=None, high=None) -> None:
        fields: dict[str, object] = {"value": value}
        if low is not None:
            fields |= {"low": low, "high": high}
        fields |= {"units": units, "source": source, "note": note}
        out.append("\n" + _toml_entry(f"figures.{name}", fields))

    figure("contract_decision_year", decision, "year", "assumption",
           f"D1: wave {info['joined_initiative']} of the initiative (cities.csv); wave 2019 signed its contracts in "
           "2021, wave 2021 is taken to decide its commitments in 2023 as Eskilstuna did.", *DECISION_YEAR_RANGE)
    workplaces = figures["workplaces"]["value"] * ratio
    figure("workplaces", round(workplaces), "workplaces", "assumption",
           "D3: Eskilstuna's 8,574 workplaces per inhabitant.", round(0.7 * workplaces), round(1.4 * workplaces))
    employed = figures["employed"]["value"] * ratio
    figure("employed", round(employed), "persons", "assumption",
           "D3: Eskilstuna's 46,647 persons working in the municipality per inhabitant; regional centres with "
           "commuters in (Stockholm, Göteborg, Malmö, Lund) have more, suburbs (Järfälla, Nacka) fewer.",
           round(0.6 * employed), round(1.5 * employed))
    for name in ("price_year", "detached_heat_pump_share", "detached_oil_share", "persons_per_household_sweden",
                 "electricity_emission_factor", "district_heat_scope2_factor"):
        entry = figures[name]
        figure(name, entry["value"], entry["units"], entry["source"], entry.get("note", "National figure."))
    figure("consumption_per_capita", figures["consumption_per_capita"]["value"], "t CO2e per inhabitant per yr",
           "assumption", "D4: Eskilstuna's consumption-based footprint per inhabitant (8 t); Swedish municipal "
           "estimates run from about 6 to 10 t.", 6.0, 10.0)
    public = figures["public_consumption_and_investment"]["value"] * ratio
    figure("public_consumption_and_investment", round(public), "t CO2e/yr", "assumption",
           "D4: Eskilstuna's public consumption and investment footprint (scb_mi1301_2023) per inhabitant; range "
           "the relative spread of the footprint per inhabitant (6-10 t against 8 t).",
           round(0.75 * public), round(1.25 * public))
    points = {int(r["date"][:4]): float(r["public_charge_points"]) for r in shared.rows("charge_points", city)}
    figure("charge_points_per_year", round((points[2025] - points[2023]) / 2.0, 1), "charge points/yr",
           "elis_charge_points", f"Mean yearly growth 2023-2025 ({int(points[2023])} to {int(points[2025])}).")

    out.append("\n# ---------------------------------------------------------------- assumptions\n")
    for name, entry in assumptions.items():
        entry = dict(entry)
        if name == "firm_sectors":
            entry = {s: max(1, round(entry[s] * ratio)) for s in entry if s not in ("source", "note")}
            entry |= {"source": "assumption",
                      "note": "D3: Eskilstuna's workplaces by sector (regionfakta_workplaces_2017, A2) per inhabitant; "
                              "the city's own sector structure is not in the data (range of the total x0.7-x1.4)."}
        elif name == "zones":
            entry["note"] = entry["note"] + " Eskilstuna's shares, applied unchanged (D7)."
        out.append("\n" + _toml_entry(f"assumptions.{name}", entry))

    land = meta["land"]
    area = shared.value("land_areas", city, 2023, "land_area_km2")
    out.append("\n# ---------------------------------------------------------------- land\n"
               "# Land area from SCB; the shares are national figures (D6): forest cover of the 23 cities runs\n"
               "# from a few per cent (Malmö, Lund) to over 80 % (Skellefteå, Östersund), hence the wide ranges.\n")
    out.append(_toml_entry("land.land_area", {"value": area, "units": "km2", "source": "scb_land_area",
                                              "note": "Land area on 1 January 2023 (SCB table 000001O3)."}))
    wide = {"forest_share": (0.02, 0.85), "drained_peat_forest_share": (0.001, 0.06),
            "drained_peat_farmland_share": (0.0005, 0.02)}
    for name, (low, high) in wide.items():
        entry = land[name]
        out.append("\n" + _toml_entry(f"land.{name}", {
            "value": entry["value"], "low": low, "high": high, "units": "1", "source": entry["source"],
            "note": "National share per hectare of land (as for Eskilstuna); range widened to the spread of "
                    "land use among the contract cities (assumption D6)."}))
    derived += [
        f"- Population {START_YEAR}: {int(population)} ({ratio:.3f} x Eskilstuna's {int(esk['population'])}).",
        (f"- Dwellings (D2): inhabitants / {PERSONS_PER_HOUSEHOLD_SWEDEN:.3f} persons per household (Sweden, "
        f"scb_households_2021), {SINGLE_FAMILY_SHARE_SWEDEN:.3f} of them single-family (1.94 million houses, "
        "energimyndigheten_heat_pumps_2014, over Sweden's households); range of the single-family share 0.10-0.65 "
        "(dwellings.csv: the range is stated here, the file has no column for it)."),
        (f"- Workplaces {round(workplaces)} and employed {round(employed)} (D3): Eskilstuna's per inhabitant; "
        "ranges x0.7-x1.4 and x0.6-x1.5 in municipality.toml."),
        (f"- Consumption footprint {figures['consumption_per_capita']['value']:g} t per inhabitant (range 6-10 t) and "
        f"public consumption and investment {round(public)} t CO2e/yr (range x0.75-x1.25) (D4): Eskilstuna's per "
        "inhabitant."),
        (f"- Municipal group (D5): Eskilstuna's 14 units with vehicles, energy and procurement x{ratio:.3f}; range "
        "x0.5-x2 per unit (municipal_units.csv: stated here)."),
        (f"- Pledge aim (D8): {pledge_goal} organisations by {meta['pledge_goal']['year']} (Eskilstuna's "
        f"{meta['pledge_goal']['organisations']} per inhabitant); a goal, read only by the pledge-goal outcome: "
        "no range."),
        f"- Contract decision year (D1): {decision} (range {DECISION_YEAR_RANGE[0]}-{DECISION_YEAR_RANGE[1]}).",
    ]
    return "".join(out), derived


def build_city(shared: Shared, info: dict[str, str], esk: dict, out_dir: Path) -> Path:
    """Write one city's folder; returns it."""
    city = info["municipality"]
    folder = out_dir / folder_name(city)
    folder.mkdir(parents=True, exist_ok=True)
    population = shared.value("population", city, START_YEAR, "population")
    ratio = population / esk["population"]
    files = {
        "territorial_emissions.csv": _emissions(shared, city),
        "population.csv": _csv_text(["year", "population"],
                                    [[r["year"], r["population"]] for r in shared.rows("population", city)]),
        "new_cars.csv": _csv_text(["year", "bev", "phev", "all_new_cars", "sweden_bev_share_of_new_cars"],
                                  [[r["year"], r["bev"], r["phev"], r["all_new_cars"], r["sweden_bev_share_of_new_cars"]]
                                   for r in shared.rows("new_cars", city)]),
        "charge_points.csv": _charge_points(shared, city),
        "cars_in_use.csv": _csv_text(CARS_IN_USE_COLUMNS, [[r[c] for c in CARS_IN_USE_COLUMNS]
                                                           for r in shared.rows("cars_in_use", city)]),
        "carbon_budgets.csv": _csv_text(
            ["version", "budget_t_co2", "budget_start_year", "national_budget_t_co2", "grandfathering_years", "source"],
            [[r["version"], r["budget_t_co2"], r["budget_start_year"], r["national_budget_t_co2"],
              r["grandfathering_years"], BUDGET_SOURCES[r["version"]]] for r in shared.rows("carbon_budgets", city)]),
        "dwellings.csv": _dwellings(shared, city),
        "municipal_units.csv": _municipal_units(ratio, esk["units"]),
    }
    cycle = shared.rows("cycle_network", city)
    if cycle:
        files["cycle_network.csv"] = _csv_text(["year", "private_m", "municipal_m", "state_m", "total_m"],
                                               [[r["year"], r["private_m"], r["municipal_m"], r["state_m"], r["total_m"]]
                                                for r in cycle])
    toml_text, derived = _municipality_toml(shared, info, esk)
    files["municipality.toml"] = toml_text
    files["DERIVED.md"] = _derived_text(city, derived, sorted(files) + list(COPIED))
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name in COPIED:
        shutil.copyfile(ESKILSTUNA / name, folder / name)
    return folder


def _derived_text(city: str, derived: list[str], names: list[str]) -> str:
    city_data = ("territorial_emissions.csv (SMHI 2025 release, 2015-2021), population.csv (SCB, 2009-2025), "
                 "new_cars.csv and cars_in_use.csv (Trafikanalys), charge_points.csv (Power Circle ELIS: December "
                 "counts, monthly series to 2022, yearly after), carbon_budgets.csv (Klimatkollen), "
                 "cycle_network.csv (NVDB), and in municipality.toml charge-point growth and the land area (SCB)")
    return (f"# {city}: what calibration/build_cities.py derived\n\n"
            f"Files: {', '.join(sorted(set(names)))}.\n\n"
            f"City data, copied from ../shared/data/cities/ (see its SOURCES.md): {city_data}.\n\n"
            "Copied unchanged from Eskilstuna's folder (national or generic figures and assumptions A9-A13): "
            f"{', '.join(COPIED)}.\n\n"
            "Derived, each an assumption with its uncertainty range (in municipality.toml `source = \"assumption\"` "
            "with `low` and `high`; for the CSV files the range is stated below; the D and T labels are listed in "
            "../SOURCES.md, \"Contract cities\"):\n"
            + "\n".join(derived) + "\n"
            "- Targets (T1): the initiative's shared goal, at most 20 % of 2020's net emissions in 2030 with "
            "compensation counting, net below zero in 2045, no consumption goal, budget KK-2024-03.\n"
            "- Household, heating, zone, fleet and firm-energy assumptions (A4-A8, A14-A18, A22): Eskilstuna's, "
            "unchanged.\n")


def write_contract_cities(shared: Shared, out_dir: Path) -> Path:
    """``contract_cities.csv``: folder, SCB name, code, county and wave of every contract city."""
    rows = [[folder_name(c["municipality"]), c["municipality"], c["municipality_code"], c["county"],
             c["joined_initiative"]] for c in sorted(shared.cities, key=lambda c: folder_name(c["municipality"]))]
    path = out_dir / "contract_cities.csv"
    path.write_text(_csv_text(["folder", "municipality", "municipality_code", "county", "joined_initiative"], rows),
                    encoding="utf-8")
    return path


def build(source: Path, out_dir: Path) -> list[Path]:
    """Write every contract city's folder except Eskilstuna's, and contract_cities.csv, under ``out_dir``."""
    shared = Shared(source)
    esk = _eskilstuna()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_contract_cities(shared, out_dir)]
    for info in shared.cities:
        if folder_name(info["municipality"]) != ESKILSTUNA.name:
            written.append(build_city(shared, info, esk, out_dir))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="folder of the shared city data (default: ../shared/data/cities, relative to the repository)")
    parser.add_argument("--out", type=Path, default=DATA, help="where the folders go (default: calibration/data)")
    args = parser.parse_args(argv)
    if not (args.source / "cities.csv").is_file():
        parser.error(f"--source {args.source}: no cities.csv there (the shared city data)")
    for path in build(args.source, args.out):
        print(path)


if __name__ == "__main__":
    main()
