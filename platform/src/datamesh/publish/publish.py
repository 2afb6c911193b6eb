"""Replace a domain's published DuckDB file with its audited staging copy, then register it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from datamesh.registry import write_interface
from datamesh.warehouse import Warehouse


def checkpoint(database_file: Path) -> None:
    """Fold the write-ahead log into the file so the one file is the whole database."""
    with duckdb.connect(str(database_file)) as conn:
        conn.execute("CHECKPOINT")
    wal = database_file.with_name(database_file.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{database_file}: write-ahead log still present after CHECKPOINT")


def publish_domain(
    warehouse: Warehouse,
    interface: dict[str, Any],
    staging_file: Path,
    *,
    fingerprint: str,
    run_id: str,
) -> dict[str, Any]:
    """Swap the file in with one rename (readers see old or new, never half), then register.

    The staging file must be checkpointed (see ``checkpoint``) before it is audited.
    """
    domain = interface["domain"]
    published = warehouse.published_file(domain)
    published.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging_file, published)
    entry = {
        **interface,
        "fingerprint": fingerprint,
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_interface(warehouse.registry_dir, entry)
    return entry
