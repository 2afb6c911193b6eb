"""The registry: one JSON interface per published domain, written on publish, read by resolvers.

An interface lists a domain's public models (versions, columns, contract, relation) and where
its DuckDB file lives, relative to the warehouse so a warehouse folder can be moved whole.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from datamesh.errors import MeshError


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write JSON so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, sort_keys=False, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_interface(registry_dir: Path, domain: str) -> dict[str, Any] | None:
    """The interface ``domain`` last published, or None when it never published."""
    path = registry_dir / f"{domain}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MeshError(f"{path}: registry entry is not valid JSON: {exc}") from exc


def write_interface(registry_dir: Path, interface: dict[str, Any]) -> Path:
    path = registry_dir / f"{interface['domain']}.json"
    write_json_atomic(path, interface)
    return path
