"""The readable reference of the engine's rules, as a plain Mesa 3 model.

:mod:`sim.mesa.agents` holds the households, firms, municipal units and the
municipality; :mod:`sim.mesa.model` the model that steps them and collects
each year with a :class:`mesa.DataCollector`.

    ds = sim.mesa.simulate(scenario, seed=1, scale=0.02)   # same Dataset as sim.simulate
"""
from .model import ClimateModel, simulate

__all__ = ["ClimateModel", "simulate"]
