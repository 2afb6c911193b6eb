"""``mesh map`` on real dbt projects: builds the manifest itself when no stage wrote one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from datamesh.cli import main
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

TINY_MESH = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_mesh"


def test_map_builds_a_missing_manifest_and_draws_it(tmp_path: Path, capsys) -> None:
    root = tmp_path / "domains"
    shutil.copytree(TINY_MESH, root, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    warehouse = Warehouse(tmp_path / "wh")
    code = main(["map", "--root", str(root), "--warehouse", str(warehouse.root)])
    assert code == 0, capsys.readouterr().err
    assert warehouse.manifest_path.is_file()
    out = warehouse.map_dir
    markdown = (out / "mesh.md").read_text()
    assert 'm__alpha__things -.->|"v1 (deprecated 2030-01-01)"| c__beta__beta_legacy' in markdown
    assert 'm__alpha__things -->|"v2"| c__beta__beta_summary' in markdown
    done = subprocess.run(["dot", "-Tsvg", str(out / "mesh.dot")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "not run yet: check, validation, build" in capsys.readouterr().out


def test_map_of_a_folder_without_domains_names_it(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    code = main(["map", "--root", str(empty), "--warehouse", str(tmp_path / "wh")])
    err = capsys.readouterr().err
    assert code != 0 and err.startswith("mesh map: error: ") and str(empty) in err, err
