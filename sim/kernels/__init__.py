"""numba kernels: plain arrays and scalars in, preallocated arrays out.

Modules: ``rng`` (counter-based random numbers), ``influence`` (exposure on
the CSR network), ``pledges``, ``grants``, ``adoption`` (logit choice at
replacement events with Bass imitation), ``behaviour`` (kilometres, diet,
efficiency steps), ``accounting`` (emissions, removals, costs), ``energy`` (what the stock
in use pays for its energy), ``sectors`` (ramps of
the sector measures). Importing
this package compiles nothing: kernels compile on first call and are cached.
"""
