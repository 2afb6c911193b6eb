"""Shared fixtures: the real mesh is generated and built once per test session."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import generate_data
import pytest
from support.meshes import DOMAINS, TINY_MESH, copy_mesh

from datamesh.dbt_env import WAREHOUSE_ENV
from datamesh.orchestrate.run_report import RunReport
from datamesh.warehouse import Warehouse

TEST_ORDERS = 3000
TEST_AS_OF = date(2026, 11, 1)


@dataclass
class BuiltMesh:
    """A mesh built once: a private copy of the domains and the warehouse they built into."""

    root: Path
    warehouse: Warehouse
    report: RunReport
    manifest: dict[str, Any]

    def copy_to(self, dest: Path) -> BuiltMesh:
        """A mutable copy for a test that changes files or data."""
        root = dest / "domains"
        shutil.copytree(self.root, root)
        warehouse = Warehouse(dest / "warehouse")
        shutil.copytree(self.warehouse.root, warehouse.root)
        return BuiltMesh(root, warehouse, self.report, self.manifest)


@pytest.fixture(autouse=True)
def _isolated_warehouse_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the repo's warehouse/ by accident."""
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "default-warehouse"))


@pytest.fixture
def tiny_mesh(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/tiny_mesh (alpha publishes things v1/v2, beta reads)."""
    return copy_mesh(TINY_MESH, tmp_path / "domains")


@pytest.fixture(scope="session")
def built_mesh(tmp_path_factory: pytest.TempPathFactory) -> BuiltMesh:
    import json

    from datamesh.orchestrate.build_mesh import BuildOptions, build_mesh
    from datamesh.orchestrate.progress import Progress

    base = tmp_path_factory.mktemp("mesh")
    root = base / "domains"
    copy_mesh(DOMAINS, root)
    warehouse = Warehouse(base / "warehouse")
    generate_data.generate(warehouse.root, TEST_ORDERS, TEST_AS_OF, 42)
    old = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = str(warehouse.root)
    try:
        report = build_mesh(root, warehouse, BuildOptions(), Progress(quiet=True))
    finally:
        if old is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = old
    assert report.status == "success", json.dumps(report.to_json(), indent=2)[:4000]
    manifest = json.loads(warehouse.manifest_path.read_text())
    return BuiltMesh(root, warehouse, report, manifest)
