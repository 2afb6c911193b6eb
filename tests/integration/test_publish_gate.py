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


ID_TO_VARCHAR_V2 = (
    "      - v: 2\n        columns:\n          - include: all\n            exclude: [id]\n"
    "          - name: id\n            description: Key.\n            data_type: varchar\n"
    "            constraints: [{type: not_null}, {type: primary_key}]\n"
)


def test_a_key_read_only_in_a_predicate_retyped_to_varchar_publishes_with_a_warning(
    tiny_mesh: Path, tmp_path: Path
) -> None:
    """beta_summary filters v2 on ``id <> 0``: alpha turning v2's id into varchar is compared
    by DuckDB's implicit cast, so alpha publishes, beta rebuilds on it, and the build warns."""
    summary = tiny_mesh / "beta/models/beta_summary.sql"
    summary.write_text(summary.read_text().rstrip("\n") + "\nwhere id <> 0\n")
    warehouse = Warehouse(tmp_path / "warehouse")
    cli = MeshCli(tiny_mesh, warehouse.root)
    assert cli.run("build").code == 0
    yml = tiny_mesh / "alpha/models/things.yml"
    yml.write_text(yml.read_text().replace("      - v: 2\n", ID_TO_VARCHAR_V2))
    sql = tiny_mesh / "alpha/models/things_v2.sql"
    sql.write_text(sql.read_text().replace("    id,\n", "    cast(id as varchar) as id,\n"))
    run = cli.run("build")
    assert run.code == 0, run.output
    assert (
        "alpha: publish gate: alpha.things v2: column 'id' type changed from integer to varchar: "
        "beta.beta_summary (beta/models/beta_summary.sql:5) reads it only in predicates, "
        "compared by an implicit cast" in run.output
    )
    v2 = next(m for m in read_interface(warehouse.registry_dir, "alpha")["models"]
              if m["version"] == 2)  # fmt: skip
    assert {c["name"]: c["data_type"] for c in v2["columns"]}["id"] == "varchar"
    beta = read_interface(warehouse.registry_dir, "beta")
    assert beta["published_at"] and "beta: failed" not in run.output
