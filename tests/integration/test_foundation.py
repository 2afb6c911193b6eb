"""The foundation end to end: real dbt builds of the five domains on small generated data."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from jsonschema import Draft202012Validator
from support.cli import MeshCli

from datamesh.manifest.schema import manifest_schema
from datamesh.write.dbt_run import dbt_executable

pytestmark = pytest.mark.integration

DOMAINS = {"customers", "catalog", "sales", "finance", "marketing"}


def run_dbt(project: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [dbt_executable(), *args, "--no-use-colors"],
        cwd=project,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def test_whole_mesh_builds_and_publishes(built_mesh) -> None:
    statuses = built_mesh.report.statuses()
    assert statuses == dict.fromkeys(DOMAINS, "published")
    for name in DOMAINS:
        assert built_mesh.warehouse.published_file(name).is_file()
        assert built_mesh.warehouse.registry_file(name).is_file()
    assert all(d.counts.get("success", 0) > 0 for d in built_mesh.report.domains)


def test_manifest_matches_schema_and_has_the_edges(built_mesh) -> None:
    manifest = built_mesh.manifest
    assert not list(Draft202012Validator(manifest_schema()).iter_errors(manifest))
    assert {d["name"] for d in manifest["domains"]} == DOMAINS
    order = manifest["build_order"]
    assert order.index("customers") < order.index("sales") < order.index("finance")
    assert order.index("finance") < order.index("marketing")
    pairs = {
        (e["consumer"]["domain"], e["producer"]["domain"], e["producer"]["unique_id"])
        for e in manifest["edges"]
    }
    assert ("sales", "customers", "model.customers.dim_customers.v2") in pairs
    assert ("finance", "sales", "model.sales.fct_order_items") in pairs
    assert ("finance", "catalog", "model.catalog.product_costs") in pairs
    deprecated = [
        e
        for e in manifest["edges"]
        if e["consumer"]["domain"] == "marketing" and e["producer"]["version"] == 1
    ]
    assert deprecated, "marketing should still read dim_customers v1"
    assert all(e["deprecated"] and e["pinned"] for e in deprecated)
    assert deprecated[0]["producer"]["deprecation_date"].startswith("2027-06-30")


def test_public_models_have_enforced_contracts_and_owners(built_mesh) -> None:
    for domain in built_mesh.manifest["domains"]:
        assert domain["owner"] and domain["owner"]["email"], domain["name"]
        assert domain["description"], domain["name"]
        assert domain["models"], f"{domain['name']} publishes nothing"
        for model in domain["models"]:
            assert model["access"] == "public"
            assert model["contract_enforced"], model["unique_id"]
            assert model["description"], model["unique_id"]
            for column in model["columns"]:
                assert column["data_type"] and column["description"], (model["name"], column)
    customers = next(d for d in built_mesh.manifest["domains"] if d["name"] == "customers")
    versions = {m["version"]: m for m in customers["models"] if m["name"] == "dim_customers"}
    assert set(versions) == {1, 2}
    assert versions[1]["deprecation_date"] and versions[2]["is_latest"]


def test_consumer_reads_the_producers_rows(built_mesh) -> None:
    wh = built_mesh.warehouse
    with duckdb.connect(str(wh.published_file("sales")), read_only=True) as conn:
        conn.execute(f"attach '{wh.published_file('customers')}' as customers (read_only)")
        orphans, orders = conn.execute(
            """
            select count(*) filter (where c.customer_id is null), count(*)
            from sales.main.fct_orders o
            left join customers.main.dim_customers_v2 c using (customer_id)
            """
        ).fetchone()
    assert orders > 0
    assert orphans == 0


def test_analytics_engineer_dbt_build_in_a_domain(built_mesh, tmp_path: Path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "MESH_WAREHOUSE"}
    result = subprocess.run(
        [dbt_executable(), "build", "--no-use-colors"],
        cwd=mesh.root / "finance", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    dev_file = mesh.warehouse.dev_dir / "finance.duckdb"
    with duckdb.connect(str(dev_file), read_only=True) as conn:
        (rows,) = conn.execute("select count(*) from main.fct_revenue_daily").fetchone()
    assert rows > 0


def test_deprecated_version_warns_in_the_consumer(built_mesh) -> None:
    log = (built_mesh.warehouse.log_dir("marketing") / "build.log").read_text()
    assert re.search(r"reference to dim_customers\.v1, which is slated for deprecation", log)


def test_consumer_connection_cannot_write_a_producer(built_mesh, tmp_path: Path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    macros = mesh.root / "sales" / "macros"
    macros.mkdir(exist_ok=True)
    (macros / "write_upstream.sql").write_text(
        "{% macro write_upstream() %}\n"
        "{% do run_query('create table customers.main.hijack as select 1 as x') %}\n"
        "{% endmacro %}\n"
    )
    result = run_dbt(
        mesh.root / "sales", "run-operation", "write_upstream",
        env={"MESH_WAREHOUSE": str(mesh.warehouse.root)},
    )  # fmt: skip
    assert result.returncode != 0
    assert "read-only" in result.stdout.lower() or "read only" in result.stdout.lower()
    with duckdb.connect(str(mesh.warehouse.published_file("customers")), read_only=True) as conn:
        tables = {r[0] for r in conn.execute("select table_name from duckdb_tables()").fetchall()}
    assert "hijack" not in tables


def _manifest_with_sales_model(built_mesh, tmp_path, sql: str):
    """Add ``models/marts/peek.sql`` to a copy of sales and run ``mesh manifest`` on the copy."""
    mesh = built_mesh.copy_to(tmp_path)
    (mesh.root / "sales" / "models" / "marts" / "peek.sql").write_text(sql)
    run = MeshCli(mesh.root, mesh.warehouse).run("manifest")
    return mesh, run.code, run.output


def test_ref_to_protected_model_fails_with_dbts_error(built_mesh, tmp_path) -> None:
    _, code, output = _manifest_with_sales_model(
        built_mesh, tmp_path, "select * from {{ ref('customers', 'stg_crm__customers') }}\n"
    )
    assert code == 2
    assert "not a public model of domain 'customers'" in output
    assert "stg_crm__customers" in output and "was not found" in output  # dbt's own words
    assert "peek.sql" in output


def test_ref_to_undeclared_domain_is_named(built_mesh, tmp_path) -> None:
    mesh, code, output = _manifest_with_sales_model(
        built_mesh, tmp_path, "select * from {{ ref('finance', 'fct_payments') }}\n"
    )
    assert code == 2
    assert "refs domain 'finance', which is not declared" in output
    assert str(mesh.root / "sales" / "dependencies.yml") in output


def test_cycle_missing_upstream_and_broken_yaml_via_cli(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    deps = mesh.root / "customers" / "dependencies.yml"
    cli = MeshCli(mesh.root, mesh.warehouse)

    deps.write_text("projects:\n  - name: marketing\n")
    run = cli.run("manifest")
    assert run.code == 2 and "dependency cycle" in run.output and "marketing" in run.output

    deps.write_text("projects:\n  - name: loyalty\n")
    run = cli.run("manifest")
    assert run.code == 2 and "'loyalty'" in run.output and str(deps) in run.output

    deps.write_text("projects:\n  - name: [marketing\n")
    run = cli.run("manifest")
    assert run.code == 2 and f"{deps}:" in run.output and "invalid YAML" in run.output

    deps.unlink()
    model_yaml = mesh.root / "catalog" / "models" / "marts" / "dim_products.yml"
    model_yaml.write_text(model_yaml.read_text() + "\n  - name: [broken\n")
    run = cli.run("manifest")
    assert run.code == 2 and "catalog" in run.output and "dim_products.yml" in run.output
