"""``mesh map`` end to end on a written manifest: files, warnings and errors naming the file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import synthetic_mesh
from support.cli import MeshCli

from datamesh.map import command as map_command
from datamesh.map.command import write_map
from datamesh.warehouse import Warehouse

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    manifest = synthetic_mesh.generate_manifest(5, 2, seed=2)
    wh = Warehouse(tmp_path / "wh")
    synthetic_mesh.write_warehouse(wh.root, manifest, synthetic_mesh.generate_reports(manifest, 2))
    return wh


@needs_dot
def test_cli_writes_every_file_and_dot_accepts_the_dot(warehouse: Warehouse, tmp_path: Path):
    out = tmp_path / "out"
    run = MeshCli(None, warehouse).run("map", "--output", str(out))
    assert run.code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "mesh.dot",
        "mesh.md",
        "mesh.svg",
    ]
    assert "5 domains" in run.out
    done = subprocess.run(["dot", "-Tsvg", str(out / "mesh.dot")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<svg" in (out / "mesh.svg").read_text()
    page = (out / "index.html").read_text()
    for domain in json.loads(warehouse.manifest_path.read_text())["domains"]:
        assert f'id="svg-focus-d__{domain["name"]}"' in page


def test_without_dot_warns_and_still_writes_the_page(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(map_command, "dot_available", lambda: False)
    run = MeshCli(None, warehouse).run("map")
    assert run.code == 0
    err = run.err
    assert "mesh map: warning: Graphviz 'dot' is not on PATH" in err
    out = warehouse.map_dir
    assert not (out / "mesh.svg").exists() and (out / "index.html").is_file()
    assert "<template" not in (out / "index.html").read_text()


@pytest.mark.parametrize(
    ("where", "content", "expected"),
    [
        ("check_report_file", "{not json", "check report is not valid JSON"),
        ("validation_summary_file", "[1, 2]", "validation summary must be a JSON object"),
        ("last_run_file", '{"domains": {}}', "build run report: 'domains' must be a list"),
        ("check_report_file", '{"findings": 3}', "check report: 'findings' must be a list"),
        ("manifest_path", '{"schema_version": 1}', "does not match its schema"),
    ],
)
def test_unreadable_input_names_the_file(
    warehouse: Warehouse, where: str, content: str, expected: str
) -> None:
    path = getattr(warehouse, where)
    path.write_text(content)
    run = MeshCli(None, warehouse).run("map")
    assert run.code == 2
    err = run.err
    assert err.startswith(f"mesh map: error: {path}: ") and expected in err, err


def test_missing_reports_are_not_run_yet(warehouse: Warehouse, monkeypatch) -> None:
    monkeypatch.setattr(map_command, "dot_available", lambda: False)
    shutil.rmtree(warehouse.reports_dir)
    result = write_map(Path("/unused"), warehouse)
    assert {s["status"] for s in result.view["sources"].values()} == {"not run yet"}
