"""The breaking-change gate at publish, on real dbt: ``mesh build`` of the tiny mesh.

alpha publishes things v1 (id, label) and v2 (id, label, score); beta_legacy reads v1's id and
label, beta_summary reads v2's score (``sum(score)``, ``count(*)``). Each consumer's registry
entry records those reads when it publishes; alpha's next publish is judged against them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from support.cli import MeshCli

from datamesh.registry import read_interface
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

V2_WITHOUT = "      - v: 2\n        columns:\n          - include: all\n            exclude: [{}]\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def drop_from_v2(mesh: Path, column: str) -> None:
    yml = mesh / "alpha/models/things.yml"
    yml.write_text(yml.read_text().replace("      - v: 2\n", V2_WITHOUT.format(column)))
    sql = mesh / "alpha/models/things_v2.sql"
    lines = [line for line in sql.read_text().splitlines() if column not in line]
    sql.write_text("\n".join(lines).replace("label,  -- noqa: RF04", "label") + "\n")


@pytest.fixture
def built(tiny_mesh: Path, tmp_path: Path) -> tuple[MeshCli, Warehouse]:
    warehouse = Warehouse(tmp_path / "warehouse")
    cli = MeshCli(tiny_mesh, warehouse.root)
    run = cli.run("build")
    assert run.code == 0, run.output
    return cli, warehouse


def test_consumers_register_the_columns_they_read(built) -> None:
    _, warehouse = built
    beta = read_interface(warehouse.registry_dir, "beta")
    reads = {
        (e["consumer"]["model"], e["producer"]["version"]): [c["name"] for c in e["columns"]]
        for e in beta["edges"]
    }
    assert reads == {("beta_legacy", 1): ["id", "label"], ("beta_summary", 2): ["score"]}


def test_a_publish_that_breaks_a_read_column_is_refused_and_changes_nothing(built, tiny_mesh):
    cli, warehouse = built
    registry, published = warehouse.registry_file("alpha"), warehouse.published_file("alpha")
    before = (digest(registry), digest(published))
    drop_from_v2(tiny_mesh, "score")
    run = cli.run("build")
    assert run.code == 1, run.output
    out = run.output
    assert "alpha: failed: publish refused: the new interface breaks beta.beta_summary" in out
    assert "alpha.things v2: column 'score' removed: breaks beta.beta_summary " \
           "(beta/models/beta_summary.sql:3) reading v2, owner Team beta" in out  # fmt: skip
    assert (digest(registry), digest(published)) == before


def test_a_change_nobody_reads_publishes(built, tiny_mesh):
    cli, warehouse = built
    drop_from_v2(tiny_mesh, "label")  # beta_summary reads only score of v2
    run = cli.run("build")
    assert run.code == 0, run.output
    v2 = next(m for m in read_interface(warehouse.registry_dir, "alpha")["models"]
              if m["version"] == 2)  # fmt: skip
    assert [c["name"] for c in v2["columns"]] == ["id", "score"]


def test_allow_breaking_publishes_and_rebuilds_the_consumers(built, tiny_mesh):
    cli, warehouse = built
    drop_from_v2(tiny_mesh, "score")
    run = cli.run("build", "-s", "alpha", "--allow-breaking")
    assert run.code == 1, run.output  # beta is rebuilt, and its build fails on the missing column
    assert "alpha: published with --allow-breaking; breaks beta.beta_summary" in run.output
    assert "beta: failed" in run.output
    v2 = next(m for m in read_interface(warehouse.registry_dir, "alpha")["models"]
              if m["version"] == 2)  # fmt: skip
    assert "score" not in [c["name"] for c in v2["columns"]]
