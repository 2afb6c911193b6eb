"""``mesh map`` on real dbt projects: builds the manifest itself when no stage wrote one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.cli import MeshCli

from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration


def test_map_builds_a_missing_manifest_and_draws_it(tiny_mesh: Path, tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    run = MeshCli(tiny_mesh, warehouse).run("map")
    assert run.code == 0, run.err
    assert warehouse.manifest_path.is_file()
    out = warehouse.map_dir
    markdown = (out / "mesh.md").read_text()
    assert 'm__alpha__things -.->|"v1 (deprecated 2030-01-01)"| c__beta__beta_legacy' in markdown
    assert 'm__alpha__things -->|"v2"| c__beta__beta_summary' in markdown
    done = subprocess.run(["dot", "-Tsvg", str(out / "mesh.dot")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "not run yet: check, validation, build" in run.out


def test_map_of_a_folder_without_domains_names_it(tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    run = MeshCli(empty, tmp_path / "wh").run("map")
    err = run.err
    assert run.code != 0 and err.startswith("mesh map: error: ") and str(empty) in err, err
