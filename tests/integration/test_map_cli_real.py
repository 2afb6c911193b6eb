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


def test_health_is_each_domains_own_latest_result_after_a_partial_failed_build(
    tiny_mesh: Path, tmp_path: Path
) -> None:
    """A build of alpha alone that fails leaves its published data in place and beta alone."""
    warehouse = Warehouse(tmp_path / "wh")
    cli = MeshCli(tiny_mesh, warehouse)
    first = cli.run("build")
    assert first.code == 0, first.output
    broken = tiny_mesh / "alpha" / "models" / "internal_things.sql"
    broken.write_text("select this is not sql\n", encoding="utf-8")
    second = cli.run("build", "-s", "alpha")
    assert second.code != 0, second.output
    run = cli.run("map")
    assert run.code == 0, run.err
    view = read_view(warehouse.map_dir / "index.html")
    health = {d["name"]: d["health"] for d in view["domains"]}
    alpha, beta = health["alpha"], health["beta"]
    assert beta["level"] != "unknown" and beta["last_attempt"]["status"] == "published"
    assert alpha["level"] == "warning", alpha
    assert alpha["last_attempt"]["status"] == "failed"
    assert alpha["published"]["run_id"] == beta["last_attempt"]["run_id"]
    assert alpha["reasons"][0].startswith("published data OK; last attempt failed"), alpha
    assert alpha["last_attempt"]["run_id"] != alpha["published"]["run_id"]


def read_view(page: Path) -> dict:
    """The view model the page embeds (what its script reads)."""
    import json
    import re

    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="mesh-data">(.*?)</script>', text, re.S)
    assert found, f"no embedded view in {page}"
    return json.loads(found.group(1))
