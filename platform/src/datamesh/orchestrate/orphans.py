"""What the warehouse still holds for domains that no longer exist under the mesh's root.

A removed or renamed domain leaves its registry entry (which consumers and the map still read),
its publications, staging, state and validation results. ``mesh build`` warns about them and
``mesh clean --orphans`` removes them after saying what.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from datamesh.audit.summary import ValidationSummary, read_validation_summary
from datamesh.jsonio import write_json_atomic
from datamesh.warehouse import Warehouse


def orphan_domains(warehouse: Warehouse, known: set[str]) -> list[str]:
    """Domains the warehouse holds files for that are not among ``known``."""
    return sorted(warehouse.domains_with_files() - known)


def orphan_paths(warehouse: Warehouse, domain: str) -> list[Path]:
    """The files and folders of ``domain`` that exist."""
    return [p for p in warehouse.domain_folders(domain) if p.exists()]


def orphan_warning(orphans: list[str]) -> str:
    names = ", ".join(orphans)
    return (f"the warehouse holds files of domains that no longer exist: {names}; "
            "mesh clean --orphans removes them")  # fmt: skip


def remove_orphan(warehouse: Warehouse, domain: str) -> list[Path]:
    """Delete everything of ``domain`` (registry entry first: the switch consumers read)."""
    removed = orphan_paths(warehouse, domain)
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    _drop_from_summary(warehouse.validation_summary_file, domain)
    return removed


def _drop_from_summary(path: Path, domain: str) -> None:
    summary = read_validation_summary(path)
    if summary is None or not any(m.domain == domain for m in summary.models):
        return
    kept = [m for m in summary.models if m.domain != domain]
    write_json_atomic(path, ValidationSummary(summary.generated_at, kept).to_json())
