"""Read what the earlier stages wrote: the mesh manifest and the latest reports.

A report that is missing means the stage has not run yet (the map says so); a report that is
there but unreadable is an error naming the file, never silently "not run yet".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamesh.errors import MeshError
from datamesh.manifest.schema import validate_manifest
from datamesh.warehouse import Warehouse


@dataclass
class MapInputs:
    """The four documents the map joins; reports are None when their stage has not run."""

    manifest: dict[str, Any]
    check: dict[str, Any] | None
    validation: dict[str, Any] | None
    last_run: dict[str, Any] | None


def check_report_path(warehouse: Warehouse) -> Path:
    return warehouse.reports_dir / "check" / "latest.json"


def validation_report_path(warehouse: Warehouse) -> Path:
    return warehouse.reports_dir / "validation" / "summary.json"


def last_run_path(warehouse: Warehouse) -> Path:
    return warehouse.reports_dir / "last_run.json"


def read_json_object(path: Path, what: str) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when the file does not exist."""
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MeshError(f"{path}: {what} is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise MeshError(f"{path}: {what} must be a JSON object, found {type(payload).__name__}")
    return payload


def _expect_list(payload: dict[str, Any] | None, key: str, path: Path, what: str) -> None:
    if payload is not None and not isinstance(payload.get(key, []), list):
        raise MeshError(f"{path}: {what}: '{key}' must be a list")


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
    check_path = check_report_path(warehouse)
    check = read_json_object(check_path, "check report")
    _expect_list(check, "findings", check_path, "check report")
    _expect_list(check, "breaking_changes", check_path, "check report")
    validation_path = validation_report_path(warehouse)
    validation = read_json_object(validation_path, "validation summary")
    _expect_list(validation, "models", validation_path, "validation summary")
    run_path = last_run_path(warehouse)
    last_run = read_json_object(run_path, "build run report")
    _expect_list(last_run, "domains", run_path, "build run report")
    return MapInputs(manifest, check, validation, last_run)
