"""The write lock of a batch store: one writer at a time, released by the OS on any exit."""
from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class StoreLockedError(ValueError):
    """A batch store that another process is writing."""


_HELD_LOCKS: dict[str, list] = {}
"""Lock files this process holds: path -> [file descriptor, depth], so that nested holds are one lock."""


def lock_path(store: str | Path) -> Path:
    """The lock file of a store: a hidden file beside it (the store itself exists only once made)."""
    store = Path(store)
    return store.with_name(f".{store.name}.lock")


@contextlib.contextmanager
def store_lock(store: str | Path) -> Iterator[None]:
    """Hold the store's write lock (``fcntl.flock`` on :func:`lock_path`) for the ``with`` block.

    A second writer, in another process, is refused at once (:class:`StoreLockedError`, naming the
    store and the pid written in the lock file). The operating system releases the lock whenever
    this process ends, a crash included. Nested holds in one process share the lock. The lock file
    stays while the store exists (removing it then could let two writers lock two different files);
    when the block leaves no store (a run refused before writing, or a NetCDF export whose working
    store is gone), it is removed while still held, so a failed command leaves nothing behind. A
    writer that opened the file in that instant is refused (the lock is non-blocking).
    """
    path = lock_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    if key in _HELD_LOCKS:
        _HELD_LOCKS[key][1] += 1
        try:
            yield
        finally:
            _HELD_LOCKS[key][1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StoreLockedError(f"{store}: field 'store': allowed one writer at a time; another process (pid "
                               f"{holder}) is writing this store (lock {path}). Wait for it to finish, or use "
                               "another store.") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD_LOCKS[key] = [fd, 1]
        yield
    finally:
        _HELD_LOCKS.pop(key, None)
        if not Path(store).exists():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        os.close(fd)  # releases the lock
