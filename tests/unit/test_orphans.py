"""Orphans: what the warehouse holds for domains no project declares any more."""

from __future__ import annotations

from pathlib import Path

from datamesh.audit.summary import ModelSummary, ValidationSummary, read_validation_summary
from datamesh.jsonio import write_json_atomic
from datamesh.orchestrate.orphans import orphan_domains, orphan_paths, remove_orphan
from datamesh.warehouse import Warehouse


def _summary_line(domain: str) -> ModelSummary:
    return ModelSummary(f"model.{domain}.m", domain, "m", None, True, 0, 0, 3, "t", "published",
                        None)  # fmt: skip


def _files_of(warehouse: Warehouse, domain: str) -> list[Path]:
    files = [
        warehouse.registry_file(domain),
        warehouse.publication_file(domain, "p1"),
        warehouse.staging_file(domain),
        warehouse.dev_dir / f"{domain}.duckdb",
        warehouse.target_dir(domain) / "manifest.json",
        warehouse.validation_result_file(domain, "m"),
    ]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    return files


def test_only_domains_without_a_project_are_orphans(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    _files_of(warehouse, "kept")
    gone = _files_of(warehouse, "gone")
    warehouse.handoff_dir.mkdir(parents=True)  # the build's own folder, not a domain
    summary = ValidationSummary("t", [_summary_line("kept"), _summary_line("gone")])
    write_json_atomic(warehouse.validation_summary_file, summary.to_json())

    assert orphan_domains(warehouse, {"kept"}) == ["gone"]
    shown = orphan_paths(warehouse, "gone")
    assert warehouse.registry_file("gone") == shown[0]  # the switch consumers read goes first
    removed = remove_orphan(warehouse, "gone")

    assert removed == shown
    assert not any(path.exists() for path in gone)
    assert all(path.exists() for path in [warehouse.registry_file("kept"),
                                          warehouse.staging_file("kept")])  # fmt: skip
    remaining = read_validation_summary(warehouse.validation_summary_file)
    assert remaining is not None and [m.domain for m in remaining.models] == ["kept"]
    assert orphan_domains(warehouse, {"kept"}) == []
