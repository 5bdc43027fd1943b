"""Result files: single results written atomically; batch stores written run by run, resumable."""
from __future__ import annotations

import inspect
import json
import os
import shutil
from pathlib import Path

import xarray as xr


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` (``.nc`` NetCDF4 via h5netcdf, or ``.zarr``).

    The file is written under a temporary name beside the target and renamed
    into place, so a crash leaves either the old file or the new one. An existing
    ``path`` is replaced only if sim wrote it (:func:`check_replaceable`).
    """
    path = Path(path)
    if path.suffix not in (".nc", ".zarr"):
        raise ValueError(f"{path}: field 'out': allowed a path ending in .nc or .zarr; given {path.suffix!r}")
    check_replaceable(path)
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
    except BaseException:
        _remove_quietly(partial)
        raise
    return path


def _remove_quietly(path: Path) -> None:
    """Remove a temporary file or directory of ours, if any; its own errors are not reported.

    Called while another error propagates: that error (a disk full, say) is what the user must see.
    """
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        pass


class ForeignPathError(ValueError):
    """An output path that exists and was not written by sim: it is never deleted or overwritten."""

    def __init__(self, path: str | Path, kind: str):
        self.path = str(path)
        super().__init__(f"{path}: field 'out': allowed a new path or a result written by sim (with a "
                         f"'sim_version' attribute); given an existing {kind} not made by sim. Refusing to "
                         "replace it: choose another path or move it away.")


def made_by_sim(path: str | Path) -> bool:
    """Whether ``path`` is a NetCDF file or a Zarr store carrying sim's ``sim_version`` attribute.

    Whatever the suffix: a file is read as NetCDF4/HDF5, a directory as a Zarr group. Anything
    unreadable counts as not made by sim.
    """
    path = Path(path)
    try:
        if path.is_file():
            with xr.open_dataset(path, engine="h5netcdf", decode_cf=False) as ds:
                return "sim_version" in ds.attrs
        if path.is_dir():
            import zarr

            return "sim_version" in zarr.open_group(str(path), mode="r").attrs
    except Exception:  # noqa: BLE001 - not NetCDF or not Zarr, whatever the reader raises
        return False
    return False


def check_replaceable(path: str | Path) -> None:
    """Refuse (:class:`ForeignPathError`) an existing ``path`` that sim did not write.

    A path that does not exist, or a result of sim (see :func:`made_by_sim`), passes.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    if not made_by_sim(path):
        kind = "directory" if path.is_dir() else "file" if path.is_file() else "path"
        raise ForeignPathError(path, kind)


class StoreMismatchError(ValueError):
    """A batch store made by another call (scenarios, seed, runs, sampler, scale or version).

    The message names the store, the field, what the store holds and what was given.
    """

    def __init__(self, path: str | Path, field_name: str, held, given):
        self.path, self.field, self.held, self.given = str(path), field_name, held, given
        super().__init__(f"{path}: field '{field_name}': the store holds {held!r}; given {given!r}. "
                         "Rerun with the store's settings, or use another store (or delete this one) "
                         "to start over.")


class IncompleteStoreError(ValueError):
    """A batch store whose runs are not all finished."""


class ZarrSink:
    """A batch's Zarr store, written as tasks finish by this process alone.

    Layout: the batch Dataset of :func:`sim.batch.build_template`, chunked along
    ``run`` (one scenario per chunk), plus ``done`` (scenario, run). A task's
    outputs are written first and its ``done`` flags last, each chunk file by
    an atomic rename (zarr's local store), so a kill at any moment leaves runs
    either done with all their data or not done. The store is created under a
    temporary name and renamed into place, so it exists only whole.
    """

    def __init__(self, path: Path):
        import zarr

        self.path = path
        self.group = zarr.open_group(str(path), mode="r+")

    @classmethod
    def open_or_create(cls, path: str | Path, template: xr.Dataset, metadata: dict, chunk: int) -> ZarrSink:
        path = Path(path)
        if path.suffix != ".zarr":
            raise ValueError(f"{path}: field 'store': allowed a path ending in .zarr; given {path.suffix!r}")
        if path.exists():
            check_metadata(path, metadata)
            for partial in path.rglob("*.partial"):  # temporary files of a killed write
                partial.unlink(missing_ok=True)
            return cls(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f".{path.name}.partial-*"):  # left by a process killed while creating
            shutil.rmtree(stale, ignore_errors=True)
        partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
        encoding = {}
        for name, var in template.data_vars.items():
            if var.dims[:2] == ("scenario", "run"):
                encoding[name] = {"chunks": (1, min(chunk, var.shape[1])) + var.shape[2:]}
        # Zarr format 2: a stable specification for every dtype used here (format 3 has none for strings yet)
        version = {"zarr_format": 2} if "zarr_format" in inspect.signature(xr.Dataset.to_zarr).parameters else {}
        try:
            template.to_zarr(partial, mode="w-", encoding=encoding, consolidated=True, **version)
            os.replace(partial, path)
        except BaseException:
            _remove_quietly(partial)  # a disk full must be reported as such, not as the cleanup's error
            raise
        return cls(path)

    def missing(self):
        return self.group["done"][...] == 0

    def write(self, task, arrays: dict) -> None:
        region = (task.scenario, slice(task.start, task.stop))
        for name, values in arrays.items():
            self.group[name][region] = values
        self.group["done"][region] = 1  # last: the runs count as done only now

    def result(self) -> xr.Dataset:
        ds = xr.open_zarr(self.path, chunks=None).load()
        ds.close()
        return ds.drop_vars("done")

    def write_summaries(self, ds: xr.Dataset) -> None:
        from .summary import SUMMARY_VARIABLES

        for name in SUMMARY_VARIABLES:
            self.group[name][...] = ds[name].values


def check_metadata(path: Path, metadata: dict) -> None:
    """Refuse a store that was not made by the same batch call (:class:`StoreMismatchError`)."""
    import zarr

    try:
        attrs = dict(zarr.open_group(str(path), mode="r").attrs)
    except Exception as error:  # noqa: BLE001 - not a zarr group at all, whatever zarr raises
        raise StoreMismatchError(path, "(store)", f"no readable Zarr group ({type(error).__name__})",
                                 "a batch store") from None
    if "sim_batch" not in attrs:
        raise StoreMismatchError(path, "sim_batch", "no batch metadata (not made by sim.run_batch)",
                                 "a batch store")
    held = json.loads(attrs["sim_batch"])
    for field_name, given in metadata.items():
        if held.get(field_name) != given:
            raise StoreMismatchError(path, field_name, held.get(field_name), given)


def open_results(path: str | Path, allow_partial: bool = False) -> xr.Dataset:
    """Read a batch result (``.zarr`` store or ``.nc`` file) into memory.

    A store with unfinished runs raises :class:`IncompleteStoreError`, unless
    ``allow_partial``: then the Dataset keeps the ``done`` flags and its
    summaries are recomputed over the finished runs.
    """
    from .summary import summarize

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: field 'results': allowed an existing .zarr store or .nc file; "
                                "given a path that does not exist")
    if path.suffix == ".nc":
        return xr.load_dataset(path, engine="h5netcdf")
    if path.suffix != ".zarr":
        raise ValueError(f"{path}: field 'results': allowed a path ending in .zarr or .nc; given {path.suffix!r}")
    with xr.open_zarr(path, chunks=None) as lazy:  # numpy, not dask: never computed on a cluster
        ds = lazy.load()
    if "done" not in ds:
        return ds
    done = ds["done"].values.astype(bool)
    if done.all():
        return ds.drop_vars("done")
    if not allow_partial:
        raise IncompleteStoreError(f"{path}: field 'done': allowed a finished batch; given {int(done.sum())} of "
                                   f"{done.size} runs finished. Rerun the same command to finish it.")
    from .results import VARIABLES

    finished = ds["done"].astype(bool)
    for name in VARIABLES:  # a run written but not flagged done does not count
        if name in ds:
            ds[name] = ds[name].where(finished)
    ds.update(summarize(ds))
    return ds
