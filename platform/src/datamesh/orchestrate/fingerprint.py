"""The build fingerprint: a domain is rebuilt only when something it depends on changed."""

from __future__ import annotations

from typing import Any

from datamesh import __version__
from datamesh.discover.content_hash import hash_json, project_fingerprint
from datamesh.discover.projects import Domain
from datamesh.warehouse import Warehouse


def raw_inputs(warehouse: Warehouse, domain: str) -> list[list[Any]]:
    """Landing files under ``raw/<domain>/`` by name, size and mtime: hashing GBs costs too much."""
    folder = warehouse.raw / domain
    if not folder.is_dir():
        return []
    return [
        [str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns]
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def own_inputs(domain: Domain, warehouse: Warehouse) -> dict[str, Any]:
    """What a domain's build reads besides its upstreams; taken when its build starts."""
    import dbt.version

    return {
        "project": project_fingerprint(domain.path),
        "raw": raw_inputs(warehouse, domain.name),
        "dbt": dbt.version.__version__,
        "platform": __version__,
    }


def build_fingerprint(
    inputs: dict[str, Any], upstream_entries: dict[str, dict[str, Any] | None]
) -> str:
    """A domain's own inputs (``own_inputs``) plus its upstreams' published fingerprints."""
    upstreams = {name: (entry or {}).get("fingerprint") for name, entry in upstream_entries.items()}
    return hash_json({**inputs, "upstreams": upstreams})
