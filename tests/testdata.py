"""Paths, seeds and the scenario-text builder shared by the tests (conftest.py holds only fixtures).

A module of its own with a name no other folder uses, so ``pytest tests benchmarks`` in one session
imports the right one.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "calibration" / "data"
ESKILSTUNA = DATA / "eskilstuna"
BASELINE = ROOT / "scenarios" / "baseline.toml"
HINDCAST = ROOT / "scenarios" / "hindcast_2015.toml"

SMALL_SEED = 11


def scenario_text(end_year: int = 2032, scale: float = 0.02, start_year: int = 2020, levers: str = "",
                  uncertainties: str = "", extra: str = "", levers_from: int | None = 0) -> str:
    """A minimal scenario file; ``levers`` and ``uncertainties`` are TOML lines of those tables.

    The levers act from ``levers_from`` (0: the start year, so a mechanism's test sees its lever in every
    year; None: the contract's decision year, as in a scenario file that does not say).
    """
    text = (f'[scenario]\nname = "test"\nstart_year = {start_year}\nend_year = {end_year}\n'
            f'scale = {scale}\nmunicipality = "eskilstuna"\n')
    if levers_from is not None:
        text += f"levers_from = {levers_from or start_year}\n"
    if levers:
        text += f"\n[levers]\n{levers}\n"
    if uncertainties:
        text += f"\n[uncertainties]\n{uncertainties}\n"
    return text + extra
