"""Checksums of result arrays: a 64-bit BLAKE2b digest of decoded values, and per-variable attributes.

:mod:`sim.store` keeps one digest per run and variable in a batch store and one attribute per
variable in an exported file; both are computed here, the same whichever file format held the values.
"""
from __future__ import annotations

import hashlib

import numpy as np
import xarray as xr

CHECKSUM_ATTRIBUTE = "checksum_blake2b64"
"""Attribute of every variable of a file written by :func:`write_dataset`: the hex digest of its
decoded values, checked and removed by :func:`open_results`."""


def digest(values) -> np.uint64:
    """BLAKE2b (64-bit) digest of an array's decoded values, the same whichever file format held them.

    Strings count by their text (fixed-width or object), booleans as 0/1, numbers in little-endian
    order, every NaN as the one canonical NaN (a reader's fill-value decoding may change its bits).
    """
    values = np.asarray(values)
    kind = values.dtype.kind
    if kind in "USO":
        text = "\x00".join(x.decode() if isinstance(x, bytes) else str(x) for x in values.ravel())
        payload = text.encode()
    elif kind == "b":
        payload = values.astype(np.uint8).tobytes()
    elif kind == "f":
        payload = np.where(np.isnan(values), np.nan, values).astype("<f8").tobytes()
    else:
        payload = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<")).tobytes()
    header = f"{'S' if kind in 'USO' else kind}{values.shape}".encode()
    return np.uint64(int.from_bytes(hashlib.blake2b(header + payload, digest_size=8).digest(), "little"))


def with_checksum_attributes(ds: xr.Dataset) -> xr.Dataset:
    """A shallow copy of ``ds`` whose every variable carries :data:`CHECKSUM_ATTRIBUTE`."""
    out = ds.copy(deep=False)
    for var in out.variables.values():
        var.attrs = {**var.attrs, CHECKSUM_ATTRIBUTE: f"{int(digest(var.values)):016x}"}
    return out
