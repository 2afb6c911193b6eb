"""Existing dbt projects join the mesh unedited: real dbt on tests/fixtures/adopt.

``shop`` has no profiles.yml; ``revenue`` has a Snowflake profile (under a profile name that is
not its project name) whose password comes from a variable no one set. The platform parses and
builds both with the profile it generates, leaves the project folders exactly as they were, and
a contract type DuckDB does not know fails the build naming model, column, type and engine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from support.cli import MeshCli
from support.meshes import ADOPT_MESH, copy_mesh

from datamesh.warehouse import Warehouse
from datamesh.write.dbt_run import dbt_executable

pytestmark = pytest.mark.integration


def _tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` and its bytes: what a command must leave as it found it."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def adopted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return copy_mesh(ADOPT_MESH, tmp_path / "mesh")


def test_manifest_check_and_build_need_no_profile_of_their_own(
    adopted: Path, tmp_path: Path
) -> None:
    before = _tree(adopted)
    assert not (adopted / "shop" / "profiles.yml").exists()
    assert "type: snowflake" in (adopted / "revenue" / "profiles.yml").read_text()
    warehouse = Warehouse(tmp_path / "warehouse")
    cli = MeshCli(adopted, warehouse)

    run = cli.run("manifest")
    assert run.code == 0, run.output
    manifest = json.loads(warehouse.manifest_path.read_text())
    assert manifest["build_order"] == ["shop", "revenue"]
    assert [(e["consumer"]["model"], e["producer"]["model"]) for e in manifest["edges"]] == [
        ("customer_totals", "orders")
    ]

    run = cli.run("check")
    assert run.code == 0, run.output

    run = cli.run("build", "--quiet")
    assert run.code == 0, run.output
    report = json.loads(warehouse.last_run_file.read_text())
    assert {d["domain"]: d["status"] for d in report["domains"]} == {
        "shop": "published",
        "revenue": "published",
    }
    with duckdb.connect(str(warehouse.published_file("shop")), read_only=True) as con:
        rows = con.execute("select order_id, amount from orders order by order_id").fetchall()
    assert rows == [(1, 10.5), (2, 20.0), (3, 4.5)]

    # the generated profile carries the project's own profile name, with the platform's target
    generated = (warehouse.profiles_dir("revenue") / "profiles.yml").read_text()
    assert generated.splitlines()[1] == "analytics_snowflake:"
    # nothing written into the projects: no .user.yml, no target/, no logs/, no edited profile
    assert _tree(adopted) == before


def test_a_type_the_engine_does_not_know_names_model_column_type_engine(
    adopted: Path, tmp_path: Path
) -> None:
    contract = adopted / "shop" / "models" / "orders.yml"
    contract.write_text(
        contract.read_text().replace("data_type: double", "data_type: number(10, 2)")
    )
    warehouse = Warehouse(tmp_path / "warehouse")

    run = MeshCli(adopted, warehouse).run("build")

    assert run.code == 1
    sentence = (
        "model 'shop.orders' column 'amount' (models/orders.yml): contract type 'number(10, 2)' "
        "does not exist in duckdb, the mesh's engine; did you mean 'numeric'?"
    )
    report = json.loads(warehouse.last_run_file.read_text())
    shop = next(d for d in report["domains"] if d["domain"] == "shop")
    assert shop["status"] == "failed"
    assert shop["reason"] == f"dbt build failed: {sentence}"
    assert f"shop: failed: dbt build failed: {sentence}" in run.output
    # the progress line and the summary use the same word for the consumer it blocked
    assert "blocked   revenue  upstream 'shop' failed" in run.out
    # progress lines ("[  0.2s] <status> <domain>") use the run report's words; dbt's own
    # result counts in the summary ("1 skipped") are dbt's and stay
    assert not re.search(r"\]\s+skipped\s", run.out), run.out


def test_dbt_commands_without_refs_run_in_a_consumer_whose_upstream_never_published(
    tiny_mesh: Path, tmp_path: Path
) -> None:
    beta = tiny_mesh / "beta"
    env = {
        **os.environ,
        "MESH_WAREHOUSE": str(tmp_path / "empty-warehouse"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }

    def dbt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [dbt_executable(), *args], cwd=beta, env=env, capture_output=True, text=True
        )

    for command in ("deps", "clean", "debug"):
        done = dbt(command)
        assert done.returncode == 0, f"dbt {command}:\n{done.stdout}{done.stderr}"
    # a command that resolves refs still says which upstream is missing
    done = dbt("parse")
    assert done.returncode != 0
    assert "upstream domain 'alpha' has no published interface" in done.stdout + done.stderr
