"""``relation-bypass`` end to end: real dbt compiles of the tiny mesh, no data read.

beta reads alpha's published table by its name (``alpha.main.things_v2``) and declares a source
in alpha's catalog: both are findings naming the file and line; the unchanged mesh has none;
an unchanged tree is not compiled again.
"""

from __future__ import annotations

import json

import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH, copy_mesh

from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

BYPASS_SQL = """\
-- reads alpha's table by name: works where alpha is attached, invisible to dbt
select
    id,
    label
from alpha.main.things_v2
"""
BYPASS_SOURCE = """\
sources:
  - name: alpha_tables
    database: alpha
    schema: main
    tables:
      - name: things_v2
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(tmp_path_factory.mktemp("bypass-warehouse"))


def bypass_findings(warehouse: Warehouse) -> list[dict]:
    report = json.loads(warehouse.check_report_file.read_text(encoding="utf-8"))
    return [f for f in report["findings"] if f["rule"].startswith("relation-bypass")]


def test_the_tiny_mesh_reads_other_domains_only_through_ref(tmp_path, warehouse) -> None:
    mesh = copy_mesh(TINY_MESH, tmp_path / "mesh")
    result = MeshCli(mesh, warehouse).run("check")
    assert result.code == 0, result.output
    assert bypass_findings(warehouse) == []


def test_a_literal_relation_and_a_source_into_another_domain_fail(tmp_path, warehouse) -> None:
    mesh = copy_mesh(TINY_MESH, tmp_path / "mesh")
    (mesh / "beta" / "models" / "beta_bypass.sql").write_text(BYPASS_SQL, encoding="utf-8")
    (mesh / "beta" / "models" / "_alpha_tables.yml").write_text(BYPASS_SOURCE, encoding="utf-8")
    cli = MeshCli(mesh, warehouse)

    result = cli.run("check")

    assert result.code == 1, result.output
    findings = sorted(bypass_findings(warehouse), key=lambda f: f["file"])
    assert [(f["rule"], f["severity"], f["domain"], f["model"], f["file"]) for f in findings] == [
        ("relation-bypass", "error", "beta", "alpha_tables", "beta/models/_alpha_tables.yml:2"),
        ("relation-bypass", "error", "beta", "beta_bypass", "beta/models/beta_bypass.sql:5"),
    ]
    model, source = findings[1], findings[0]
    assert "alpha.main.things_v2" in model["message"]
    assert "{{ ref('alpha', 'things', v=2) }}" in model["message"]
    assert "source alpha_tables.things_v2 points into domain 'alpha'" in source["message"]
    assert "beta/models/beta_bypass.sql:5" in result.out
    # beta was compiled once: by the manifest stage (its edges' columns), reused by the rule
    compiled = warehouse.compile_dir("beta") / "target" / "manifest.json"
    parsed = warehouse.parse_cache_dir / "beta.json"
    assert compiled.stat().st_mtime_ns <= parsed.stat().st_mtime_ns

    # a second check of the unchanged tree reads the compile cache: dbt writes nothing again
    cached = warehouse.compile_cache_dir / "beta.json"
    before = (compiled.stat().st_mtime_ns, cached.stat().st_mtime_ns)
    again = cli.run("check")
    assert again.code == 1, again.output
    assert (compiled.stat().st_mtime_ns, cached.stat().st_mtime_ns) == before
    assert sorted(bypass_findings(warehouse), key=lambda f: f["file"]) == findings


def test_the_rule_switched_off_compiles_nothing(tmp_path) -> None:
    mesh = copy_mesh(TINY_MESH, tmp_path / "mesh")
    (mesh / "beta" / "models" / "beta_bypass.sql").write_text(BYPASS_SQL, encoding="utf-8")
    (mesh / "mesh_check.yml").write_text(
        "rules:\n  relation-bypass: {severity: 'off'}\n", encoding="utf-8"
    )
    warehouse = Warehouse(tmp_path / "warehouse")
    result = MeshCli(mesh, warehouse).run("check")
    assert result.code == 0, result.output
    assert not warehouse.compile_cache_dir.exists()
