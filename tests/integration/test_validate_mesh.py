"""``mesh validate`` and the build's audit on the real five-domain mesh (real dbt, DuckDB, GX)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from support.cli import CliRun, MeshCli

from datamesh.audit.summary import read_validation_summary
from datamesh.dbt_env import WAREHOUSE_ENV

pytestmark = pytest.mark.integration

AS_OF = "2026-11-01T23:00:00"  # the test data's as-of day (tests/conftest.py TEST_AS_OF)


def validate(mesh, *extra: str) -> CliRun:
    return MeshCli(mesh.root, mesh.warehouse).run("validate", "--as-of", AS_OF, *extra)


def result_of(mesh, domain: str, stem: str) -> dict:
    path = mesh.warehouse.validation_result_file(domain, stem)
    return json.loads(path.read_text())


def failing(result: dict) -> dict[str, dict]:
    return {e["key"]: e for e in result["expectations"] if not e["success"]}


def test_clean_mesh_passes(built_mesh, tmp_path: Path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    run = validate(mesh)
    assert run.code == 0
    out = run.out
    assert "customers.dim_customers.v1" in out and "FAIL" not in out
    summary = read_validation_summary(mesh.warehouse.validation_summary_file)  # schema-checked
    published = [m for m in summary.models if m.target == "published"]
    expected = {m["unique_id"] for d in mesh.manifest["domains"] for m in d["models"]}
    assert {m.unique_id for m in published} == expected
    assert all(m.success and m.critical_failures == 0 for m in published)
    for entry in published:
        assert mesh.warehouse.in_reports(entry.result_file).is_file()
    orders = result_of(mesh, "sales", "fct_orders")
    assert orders["evaluated"] >= 20 and orders["warnings"] == 0
    assert (mesh.warehouse.data_docs_dir / "index.html").is_file()
    assert list((mesh.warehouse.data_docs_dir / "validations").rglob("*.html"))


def test_injected_defects_fail_exactly_the_expected_expectations(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    with duckdb.connect(str(mesh.warehouse.published_file("sales"))) as conn:
        # CTAS drops the contract's constraints, so the defects can be written at all
        conn.execute("""
            create or replace table main.fct_orders as
            select * replace (
                case when order_id in (10, 20, 30) then order_id - 1 else order_id end as order_id,
                case when order_id between 100 and 104 then null else store_id end as store_id,
                case when order_id between 200 and 206 then 99999.0 else order_total end
                    as order_total,
                ordered_at - interval 30 day as ordered_at
            ) from main.fct_orders order by order_id
        """)
        rows = conn.execute("select count(*) from main.fct_orders").fetchone()[0]
    assert validate(mesh, "-s", "sales").code == 1
    result = result_of(mesh, "sales", "fct_orders")
    failed = failing(result)
    assert set(failed) == {
        "unique:order_id", "not_null:store_id", "file:fct_orders.yml[0]", "file:fct_orders.yml[2]"
    }  # fmt: skip
    assert failed["unique:order_id"]["unexpected_count"] == 6  # ids 9, 19, 29 twice each
    assert sorted(failed["unique:order_id"]["unexpected_sample"]) == [9, 19, 29]
    assert failed["not_null:store_id"]["unexpected_count"] == 5
    between = failed["file:fct_orders.yml[0]"]
    assert between["unexpected_count"] == 7 and between["unexpected_sample"] == [99999.0] * 7
    assert between["unexpected_percent"] == pytest.approx(700 / rows)
    freshness = failed["file:fct_orders.yml[2]"]
    assert freshness["severity"] == "warning" and freshness["observed_value"].startswith("2026-10")
    assert result["critical_failures"] == 3 and result["warnings"] == 1 and not result["success"]
    assert result_of(mesh, "sales", "fct_order_items")["success"]


def test_critical_failure_blocks_publishing(built_mesh, tmp_path, monkeypatch) -> None:
    from datamesh.orchestrate.build_mesh import BuildOptions, build_mesh
    from datamesh.orchestrate.progress import Progress

    mesh = built_mesh.copy_to(tmp_path)
    monkeypatch.setenv(WAREHOUSE_ENV, str(mesh.warehouse.root))
    raw = mesh.warehouse.raw / "catalog" / "products.parquet"
    with duckdb.connect() as conn:
        conn.execute(f"""copy (select * replace (case when id in (3, 4) then 500000
                                                  else price_cents end as price_cents)
                        from '{raw}') to '{raw}.new' (format parquet)""")  # fmt: skip
    Path(f"{raw}.new").replace(raw)
    published = mesh.warehouse.published_file("catalog")
    registry = mesh.warehouse.registry_file("catalog")
    before = (published.read_bytes(), registry.read_text())

    report = build_mesh(mesh.root, mesh.warehouse, BuildOptions(select=["catalog"]),
                        Progress(quiet=True))  # fmt: skip

    [catalog] = report.domains
    assert catalog.status == "failed" and catalog.reason == "audit failed"
    assert catalog.failures == [
        "model.catalog.dim_products: expect_column_values_to_be_between(price): "
        "2 unexpected rows (e.g. 5000.0, 5000.0)"
    ]
    assert (published.read_bytes(), registry.read_text()) == before
    with duckdb.connect(str(published), read_only=True) as conn:
        assert conn.execute("select max(price) from main.dim_products").fetchone()[0] < 100
    staged = result_of(mesh, "catalog", "dim_products")
    assert staged["target"] == "staging" and staged["critical_failures"] == 1


def test_missing_table_names_the_file(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    database = mesh.warehouse.published_file("finance")
    with duckdb.connect(str(database)) as conn:
        conn.execute("drop table main.fct_payments")
    run = validate(mesh, "-s", "finance")
    assert run.code == 2
    assert f"{database}: table main.fct_payments of model.finance.fct_payments not found" in run.err


def test_malformed_expectation_file_names_file_and_entry(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    path = mesh.root / "sales" / "expectations" / "fct_orders.yml"
    path.write_text("expectations:\n  - {type: expect_column_values_to_be_between,\n"
                    "     kwargs: {column: order_total, min_value: 0}, severity: critical}\n"
                    "  - {type: expect_column_values_to_be_shiny, kwargs: {column: order_id},\n"
                    "     severity: warning}\n")  # fmt: skip
    run = validate(mesh, "-s", "sales")
    assert run.code == 2
    assert f"{path}: expectations[1] (expect_column_values_to_be_shiny): not a valid" in run.err


def test_unpublished_domain_is_a_clear_error(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    mesh.warehouse.registry_file("marketing").unlink()
    run = validate(mesh, "-s", "marketing")
    assert run.code == 2
    assert "domain 'marketing' has never been published" in run.err
