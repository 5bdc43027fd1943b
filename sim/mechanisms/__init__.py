"""The model's mechanisms, one module each, in the order of the ODD's yearly steps.

Each module holds its choice sets, hazards and costs as plain functions of a
:class:`sim.state.YearContext` (which the Mesa reference reuses) and one
``step(state, context)`` that changes a :class:`sim.state.State` by calling
its numba kernels (:mod:`sim.kernels`). Adding a lever means declaring it
(:mod:`sim.declarations.parameters`) and reading it in one mechanism.
"""
