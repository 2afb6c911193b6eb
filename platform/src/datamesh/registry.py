"""The registry: one JSON interface per published domain, written on publish, read by resolvers.

An interface lists a domain's public models (versions, columns, contract, relation) and where
its DuckDB file lives, relative to the warehouse so a warehouse folder can be moved whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic


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


def registered_domains(registry_dir: Path) -> list[str]:
    """Every domain with a registry entry (published at least once), by name."""
    return sorted(p.stem for p in registry_dir.glob("*.json")) if registry_dir.is_dir() else []
