"""The scenario's levers as control specifications: kind, bounds, step, units and meaning from the declarations."""
from __future__ import annotations

from dataclasses import dataclass

from ..declarations.parameters import LEVERS, NEVER, Parameter
from ..scenario import Scenario
from ..words import unit_words, words

SLIDER_STEPS = 200
"""Steps of a numeric slider over its lever's range (a typed value may fall between them)."""


@dataclass(frozen=True)
class LeverControl:
    """One lever as a control of the explorer.

    Parameters
    ----------
    name : str
        The lever's name in scenario files.
    kind : {"float", "int", "choice"}
        A numeric slider (whole numbers for ``"int"``) or a choice among ``choices``.
    value : float or str
        The opened scenario's value.
    default : float or str
        The declared default (the baseline's value).
    low, high, step : float
        The slider's bounds (the declared ones) and step; 0 for a choice.
    units : str
    meaning : str
        The declaration's one line, with what the year 2100 means for a year lever and the year a
        timed lever takes effect in the scenario (before it the lever has its default).
    choices : tuple of str
    """

    name: str
    kind: str
    value: float | str
    default: float | str
    low: float
    high: float
    step: float
    units: str
    meaning: str
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The lever's name in words, with its units in words (none for a pure number or a choice)."""
        unit = unit_words(self.units)
        return words(self.name) if self.kind == "choice" or unit == "-" else f"{words(self.name)} ({unit})"


def _control(p: Parameter, value: float | str, year: int | None) -> LeverControl:
    meaning = p.meaning + (f"; {NEVER:.0f} = not used" if p.units == "year" and p.high == NEVER else "")
    meaning += f"; takes effect from {year}" if p.timed and year is not None else ""
    if p.is_choice:
        return LeverControl(p.name, "choice", value, p.default, 0.0, 0.0, 0.0, p.units, meaning, p.choices)
    if p.integer:
        step = max(1.0, float(round((p.high - p.low) / SLIDER_STEPS)))
        return LeverControl(p.name, "int", float(value), float(p.default), p.low, p.high, step, p.units, meaning)
    return LeverControl(p.name, "float", float(value), float(p.default), p.low, p.high,
                        (p.high - p.low) / SLIDER_STEPS, p.units, meaning)


def lever_controls(scenario: Scenario) -> list[LeverControl]:
    """Every lever of ``scenario`` as a control, in the declarations' order, at the scenario's values.

    A changed lever keeps the year the scenario gives it (:meth:`sim.scenario.Scenario.with_levers`).
    """
    return [_control(p, scenario.levers[p.name], scenario.lever_years.get(p.name)) for p in LEVERS]


def changed_levers(controls: list[LeverControl], settings: dict[str, float | str]) -> dict[str, float | str]:
    """The levers of ``settings`` whose value differs from the opened scenario's."""
    return {c.name: settings[c.name] for c in controls if settings[c.name] != c.value}
