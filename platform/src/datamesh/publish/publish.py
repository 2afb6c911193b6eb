"""Publish a domain: an immutable publication folder, then the registry entry as the one switch.

Steps, each safe to be killed after (the fault suite kills a build at every one):
1. ``write_candidate``: the audited-to-be public tables go into a new folder
   ``domains/<domain>/<publish_id>/`` that nothing names yet;
2. the candidate is audited (by the caller);
3. ``publish_domain``: its checksum and path go into the registry entry, replaced atomically:
   before that instant consumers read the old publication with the old interface, after it the
   new one with the new interface, never a mix;
4. publications older than the previous one are removed (the previous one is kept so a dbt
   process that read the registry a moment before the switch still finds its file).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from datamesh.engine.kinds import EngineName, entry_engine
from datamesh.errors import MeshError
from datamesh.faults import fault_point
from datamesh.publish.extract import extract_public
from datamesh.publish.integrity import file_checksum, remember_verified
from datamesh.registry import read_interface, write_interface
from datamesh.warehouse import Warehouse

DUCKDB = EngineName.DUCKDB.value


def checkpoint(database_file: Path) -> None:
    """Fold the write-ahead log into the file so the one file is the whole database."""
    with duckdb.connect(str(database_file)) as conn:
        conn.execute("CHECKPOINT")
    wal = database_file.with_name(database_file.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{database_file}: write-ahead log still present after CHECKPOINT")


def write_candidate(
    warehouse: Warehouse, interface: dict[str, Any], staging_file: Path, publish_id: str
) -> Path:
    """Step 1: the domain's public interface, copied into a publication nothing names yet."""
    candidate = warehouse.publication_file(interface["domain"], publish_id)
    extract_public(staging_file, candidate, interface["models"])
    fault_point("publish:candidate-written")
    return candidate


def discard_candidate(candidate: Path) -> None:
    """A candidate that failed its audit (or whose producers failed) is never published."""
    shutil.rmtree(candidate.parent, ignore_errors=True)


def publish_domain(
    warehouse: Warehouse,
    interface: dict[str, Any],
    candidate: Path,
    *,
    fingerprint: str,
    run_id: str,
) -> dict[str, Any]:
    """Steps 3 and 4: switch the registry entry to ``candidate``, then collect old ones."""
    checksum = file_checksum(candidate)
    fault_point("publish:audited")
    entry = switch_registry(
        warehouse, interface, storage=candidate.relative_to(warehouse.root).as_posix(),
        checksum=checksum, fingerprint=fingerprint, run_id=run_id,
    )  # fmt: skip
    remember_verified(warehouse, candidate, checksum)
    fault_point("publish:registered")
    collect_publications(warehouse, interface["domain"],
                         keep={entry["storage"], entry["previous_storage"]})  # fmt: skip
    fault_point("publish:collected")
    return entry


def switch_registry(
    warehouse: Warehouse,
    interface: dict[str, Any],
    *,
    storage: str,
    checksum: dict[str, Any],
    fingerprint: str,
    run_id: str,
    engine: str = DUCKDB,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Step 3 on any engine: the entry naming the new publication, written by one rename.

    ``previous_storage`` keeps the publication it replaces (on the same engine) for a consumer
    that read the registry a moment before.
    """
    entry = {
        **interface,
        **(extra or {}),
        "storage": storage,
        "checksum": checksum,
        "previous_storage": current_storage(warehouse, interface["domain"], engine),
        "fingerprint": fingerprint,
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if engine != DUCKDB:
        entry["engine"] = engine
    write_interface(warehouse.registry_dir, entry)  # the switch
    return entry


def current_storage(warehouse: Warehouse, domain: str, engine: str = DUCKDB) -> str | None:
    """What the domain's entry names now, if it is on ``engine`` (else nothing of it to keep)."""
    try:
        entry = read_interface(warehouse.registry_dir, domain)
    except MeshError:  # a damaged entry is being replaced: nothing of it to keep
        return None
    if not entry or entry_engine(entry) != engine:
        return None
    return entry.get("storage")


def collect_publications(warehouse: Warehouse, domain: str, keep: set[str | None]) -> list[Path]:
    """Remove a domain's publication folders that ``keep`` does not name; return them."""
    folder = warehouse.publications_dir(domain)
    if not folder.is_dir():
        return []
    kept = {(warehouse.root / k).parent for k in keep if k}
    removed = [p for p in sorted(folder.iterdir()) if p.is_dir() and p not in kept]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
