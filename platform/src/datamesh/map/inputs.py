"""Read what the earlier stages wrote: the mesh manifest and the latest reports.

A report that is missing means the stage has not run yet (the map says so); a report that is
there but unreadable or not valid against its schema is an error naming the file, never
silently "not run yet". Each report's reader lives with the stage that writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.audit.summary import read_validation_summary
from datamesh.check.report_file import read_check_report
from datamesh.errors import MeshError
from datamesh.jsonio import read_json_object
from datamesh.manifest.schema import validate_manifest
from datamesh.orchestrate.run_report import read_run_report
from datamesh.registry import read_interface
from datamesh.warehouse import Warehouse


@dataclass
class MapInputs:
    """The four documents the map joins; reports are None when their stage has not run."""

    manifest: dict[str, Any]
    check: dict[str, Any] | None
    validation: dict[str, Any] | None
    last_run: dict[str, Any] | None
    runs: list[dict[str, Any]] = field(default_factory=list)  # every run report kept
    publications: dict[str, dict[str, Any]] = field(default_factory=dict)  # current, by domain


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The mesh manifest at ``path``, checked against its schema; None when missing."""
    manifest = read_json_object(path, "mesh manifest")
    if manifest is not None:
        try:
            validate_manifest(manifest)
        except MeshError as exc:
            raise MeshError(f"{path}: {exc}") from exc
    return manifest


def read_map_inputs(root: Path, warehouse: Warehouse) -> MapInputs:
    """Everything the map needs; builds the mesh manifest when no stage wrote one yet."""
    manifest = read_manifest(warehouse.manifest_path)
    if manifest is None:
        from datamesh.manifest.assemble import build_mesh_manifest

        manifest = build_mesh_manifest(root, warehouse)
    check = read_check_report(warehouse.check_report_file)
    validation = read_validation_summary(warehouse.validation_summary_file)
    last_run = read_run_report(warehouse.last_run_file)
    runs = read_run_reports(warehouse)
    if last_run and not any(r["run_id"] == last_run.run_id for r in runs):
        runs.append(last_run.to_json())
    names = [d["name"] for d in manifest["domains"]]
    return MapInputs(
        manifest,
        check.to_json() if check else None,
        validation.to_json() if validation else None,
        last_run.to_json() if last_run else None,
        runs,
        read_publications(warehouse, names, runs),
    )


def read_run_reports(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Every kept run report (``Warehouse.run_report_file``): each domain's latest is in one."""
    folder = warehouse.run_reports_dir
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [report.to_json() for report in map(read_run_report, paths) if report is not None]


def read_publications(
    warehouse: Warehouse, domains: list[str], runs: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """When each domain's current publication was made, and by which run (the registry's
    switch); with that run's start, from which its audit results count as current."""
    started = {r["run_id"]: r.get("started_at") for r in runs}
    found: dict[str, dict[str, Any]] = {}
    for name in domains:
        entry = read_interface(warehouse.registry_dir, name)
        if entry and entry.get("published_at"):
            found[name] = {
                "published_at": entry["published_at"],
                "run_id": entry.get("run_id"),
                "run_started_at": started.get(entry.get("run_id")),
            }
    return found
