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
    """Hold the warehouse's build lock; a lock left by a killed process is free again."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_file.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            raise MeshError(
                f"another mesh build holds {lock_file} ({holder}); wait for it to finish "
                "or run with --wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)  # the file names a holder only while one holds it
    finally:
        handle.close()
