"""``sim explore``: a lever explorer in the browser (Panel on the Bokeh/Tornado server, loopback only).

A strategist opens a scenario, moves its levers and sees within seconds what happens to the
probability of the targets, the net-emission path and the cost, against the baseline (every lever
at its declared default) on common random numbers.

Modules: :mod:`.controls` (the levers as control specifications, from the declarations),
:mod:`.compute` (the batches, their cache and the Dask client of the app's lifetime),
:mod:`.summaries` (probabilities with intervals, costs, change against the baseline),
:mod:`.figures` (matplotlib figures as PNG with their text alternatives), :mod:`.layout` (the
Panel page) and :mod:`.server` (serving it on 127.0.0.1).
"""
