"""Municipality data folders as a scenario names them, and the Climate City Contract cities' list.

``calibration/data/contract_cities.csv`` lists the 23 Swedish cities of the Climate Neutral Cities 2030
initiative, one a row with its data folder. A scenario's ``municipality = "all_contract_cities"`` names
every one of them (:data:`ALL_CONTRACT_CITIES`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .data import contract_cities as listed_cities

DATA_ROOT = Path(__file__).resolve().parents[1] / "calibration" / "data"
"""Folder holding one data folder per municipality."""

ALL_CONTRACT_CITIES = "all_contract_cities"
"""The value of ``[scenario] municipality`` that names every contract city (``calibration/data/contract_cities.csv``)."""


def contract_cities() -> tuple[str, ...]:
    """Folder names of the contract cities under :data:`DATA_ROOT` (:func:`sim.data.contract_cities`)."""
    return tuple(listed_cities(DATA_ROOT))


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
