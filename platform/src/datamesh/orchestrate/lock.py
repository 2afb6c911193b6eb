"""One build at a time per warehouse: an OS file lock the kernel frees if the holder dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from datamesh.errors import MeshError


@contextmanager
def build_lock(lock_file: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the warehouse's build lock; a lock left by a killed process is free again.

    Unbuffered, so a full disk fails at the write, with the file named, and never again at close.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_file.open("a+b", buffering=0)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().decode("utf-8", "replace").strip() or "unknown process"
            raise MeshError(
                f"another mesh build holds {lock_file} ({holder}); wait for it to finish "
                "or run with --wait"
            ) from None
        since = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {since}".encode())
        except OSError as exc:
            raise MeshError(f"{lock_file}: cannot record the build lock: {exc.strerror}") from None
        try:
            yield
        finally:
            handle.truncate(0)  # the file names a holder only while one holds it
    finally:
        handle.close()
