"""Writing results to NetCDF or Zarr atomically: nothing half-written is left behind."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import xarray as xr


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` (``.nc`` NetCDF4 via h5netcdf, or ``.zarr``).

    The file is written under a temporary name beside the target and renamed
    into place, so a crash leaves either the old file or the new one.
    """
    path = Path(path)
    if path.suffix not in (".nc", ".zarr"):
        raise ValueError(f"{path}: field 'out': allowed a path ending in .nc or .zarr; given {path.suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        if path.suffix == ".nc":
            ds.to_netcdf(partial, engine="h5netcdf")
        else:
            ds.to_zarr(partial, mode="w")
        if path.is_dir():
            shutil.rmtree(path)
        os.replace(partial, path)
    finally:
        if partial.is_dir():
            shutil.rmtree(partial)
        elif partial.exists():
            partial.unlink()
    return path
