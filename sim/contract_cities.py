"""Municipality data folders as a scenario names them, and the Climate City Contract cities' list.

``calibration/data/contract_cities.csv`` lists the 23 Swedish cities of the Climate Neutral Cities 2030
initiative, one a row. A scenario's ``municipality = "all_contract_cities"`` names every one of them
(:data:`ALL_CONTRACT_CITIES`); each city's data folder is its name in lower-case ASCII
(:func:`folder_name`: ``Malmö`` -> ``malmo``).
"""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path
from typing import Any

DATA_ROOT = Path(__file__).resolve().parents[1] / "calibration" / "data"
"""Folder holding one data folder per municipality."""

CONTRACT_CITIES_FILE = DATA_ROOT / "contract_cities.csv"
"""The list of contract cities: a ``municipality`` column (the name, e.g. ``Malmö``) and optionally ``folder``."""

ALL_CONTRACT_CITIES = "all_contract_cities"
"""The value of ``[scenario] municipality`` that names every contract city."""


def folder_name(name: str) -> str:
    """A municipality's folder name: lower-case ASCII, å and ä as a, ö as o, spaces as underscores."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace(" ", "_")


def contract_cities(path: Path = CONTRACT_CITIES_FILE) -> tuple[str, ...]:
    """Folder names of the contract cities, in the list file's order.

    Raises
    ------
    FileNotFoundError
        When the list file is missing (its message names the file).
    ValueError
        When a row has neither ``folder`` nor ``municipality``.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path}: field '(file)': allowed the list of contract cities (one a row, "
                                "column municipality); given a path that does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = []
    for number, row in enumerate(rows, start=2):
        name = row.get("folder") or row.get("municipality")
        if not name:
            raise ValueError(f"{path}: field 'municipality' (line {number}): allowed a municipality name; "
                             f"given {row!r}")
        names.append(folder_name(name) if not row.get("folder") else name)
    return tuple(names)


class NotAMunicipality(ValueError):
    """A name that is no municipality data folder: ``allowed`` (None: the field's rule) and ``given``."""

    def __init__(self, allowed: str | None, given: Any):
        self.allowed, self.given = allowed, given
        super().__init__(f"allowed {allowed}; given {given!r}")


def find_municipalities(value: Any, relative_to: Path | None = None, single: bool = False) -> tuple[Path, ...]:
    """The data folders a scenario names: a folder name or path, a list of them, or :data:`ALL_CONTRACT_CITIES`.

    A name is looked up under :data:`DATA_ROOT`, then beside the scenario file (``relative_to``), then
    as a path. ``single``: one folder only.

    Raises
    ------
    NotAMunicipality
        A value of the wrong type, a name with no ``municipality.toml``, a repeated name or an unreadable list.
    """
    if value == ALL_CONTRACT_CITIES and not single:
        try:
            value = list(contract_cities())
        except (OSError, ValueError) as error:
            raise NotAMunicipality("a readable list of contract cities", str(error)) from None
    if isinstance(value, list) and not single:
        if not value or not all(isinstance(v, str) for v in value):
            raise NotAMunicipality(None, value)
        folders = tuple(find_municipalities(v, relative_to, single=True)[0] for v in value)
        if len({f.name for f in folders}) != len(folders):
            raise NotAMunicipality("a list of distinct municipalities", value)
        return folders
    if not isinstance(value, str) or not value:
        raise NotAMunicipality(None, value)
    candidates = [DATA_ROOT / value, *([relative_to / value] if relative_to is not None else []), Path(value)]
    for candidate in candidates:
        if (candidate / "municipality.toml").is_file():
            return (candidate.resolve(),)
    available = sorted(p.name for p in DATA_ROOT.iterdir() if (p / "municipality.toml").is_file())
    raise NotAMunicipality(f"a data folder with municipality.toml (available: {available})", value)
