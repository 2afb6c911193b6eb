"""The Spark side of the engine seam that needs no server: names, sources, profile, grants."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from datamesh.check.bypass import foreign_relations
from datamesh.engine.kinds import (
    EngineName,
    build_schema,
    domain_of_schema,
    schema_of,
    schema_prefix,
    selected_engine,
    storage_of,
)
from datamesh.errors import MeshError
from datamesh.profiles import GENERATED_HEADER, spark_profile_text
from datamesh.publish.grants import grant_statements
from datamesh.write.spark_sources import (
    SourceTable,
    check_files_exist,
    parquet_path,
    registration_statements,
    source_tables,
)


def test_engine_is_chosen_by_flag_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESH_ENGINE", raising=False)
    assert selected_engine() is EngineName.DUCKDB
    monkeypatch.setenv("MESH_ENGINE", "Spark")
    assert selected_engine() is EngineName.SPARK
    assert selected_engine("duckdb") is EngineName.DUCKDB
    monkeypatch.setenv("MESH_ENGINE", "trino")
    with pytest.raises(MeshError, match=r"MESH_ENGINE='trino' is not an engine .*duckdb, spark"):
        selected_engine()


def test_build_schemas_are_per_warehouse_and_name_their_domain(tmp_path: Path) -> None:
    one, two = tmp_path / "prod", tmp_path / "ci"
    schema = build_schema("sales", "20261204T235000Z-ab12cd", one)
    assert schema.startswith(schema_prefix("sales", one))
    assert schema.endswith("_20261204t235000z_ab12cd")
    assert not schema.startswith(schema_prefix("sales", two))
    assert domain_of_schema(schema) == "sales"
    assert domain_of_schema("shop") == "shop"
    assert schema_of(storage_of(schema)) == schema
    assert schema_of("domains/sales/x/sales.duckdb") is None


def test_relation_bypass_sees_a_spark_publication_schema_as_its_domain(tmp_path: Path) -> None:
    schema = build_schema("sales", "run1", tmp_path)
    found = foreign_relations(
        f"select * from {schema}.fct_orders_v2", ["sales", "finance"], own="finance"
    )
    assert [(r.domain, r.name) for r in found] == [("sales", "fct_orders_v2")]


def write_sources(project: Path, location: str) -> Path:
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: shop\nprofile: shop\n", encoding="utf-8")
    tables = [{"name": "orders"}, {"name": "items", "identifier": "order_items"}]
    source = {"name": "shop", "meta": {"external_location": location}, "tables": tables}
    document = {"sources": [source]}
    file = project / "models" / "_sources.yml"
    file.write_text(yaml.safe_dump(document), encoding="utf-8")
    return file


def test_sources_render_the_warehouse_and_each_table_name(tmp_path: Path) -> None:
    location = (
        'read_parquet(\'{{ env_var("MESH_WAREHOUSE", "../../warehouse") | replace("\'", '
        "\"''\") }}/raw/shop/{name}.parquet')"
    )
    write_sources(tmp_path / "shop", location)
    tables = source_tables(tmp_path / "shop", Path("/data/it's wh"))
    assert [(t.schema, t.identifier, t.path) for t in tables] == [
        ("shop", "orders", "/data/it's wh/raw/shop/orders.parquet"),
        ("shop", "order_items", "/data/it's wh/raw/shop/order_items.parquet"),
    ]
    statements = registration_statements(tables)
    assert statements[0] == "create schema if not exists `shop`"
    assert (
        "create table `shop`.`orders` using parquet location "
        "'/data/it\\'s wh/raw/shop/orders.parquet'" in statements
    )


def test_a_source_spark_cannot_register_is_named_with_its_file(tmp_path: Path) -> None:
    file = write_sources(tmp_path / "shop", "read_csv('/raw/{name}.csv')")
    with pytest.raises(MeshError) as caught:
        source_tables(tmp_path / "shop", tmp_path)
    assert str(file) in str(caught.value) and "shop.orders" in str(caught.value)
    assert parquet_path("/x/y.parquet", file, "s.t") == "/x/y.parquet"


def test_a_missing_landing_file_is_named(tmp_path: Path) -> None:
    table = SourceTable("shop", "orders", str(tmp_path / "orders.parquet"), tmp_path / "s.yml")
    with pytest.raises(MeshError, match=r"shop\.orders reads .*orders\.parquet, which does not"):
        check_files_exist([table])


def test_spark_profile_reads_server_and_schema_from_the_build() -> None:
    text = spark_profile_text("sales", "sales", threads=2)
    assert text.startswith(GENERATED_HEADER)
    output = yaml.safe_load(text)["sales"]["outputs"]["publish"]
    assert output["type"] == "spark" and output["method"] == "thrift"
    assert "MESH_SPARK_HOST" in output["host"] and "MESH_PUBLISH_SCHEMA" in output["schema"]
    assert "as_number" in output["port"] and output["threads"] == 2


def test_grants_give_each_consumer_read_on_public_versions_only() -> None:
    interface = {"domain": "sales", "models": [
        {"identifier": "fct_orders_v1", "access": "public"},
        {"identifier": "fct_orders_v2", "access": "public"},
        {"identifier": "int_secret", "access": "protected"},
    ]}  # fmt: skip
    lines = grant_statements(interface, "sales__babc_1", ["marketing", "finance"])
    assert lines[0] == "GRANT ALL PRIVILEGES ON SCHEMA `sales__babc_1` TO `sales`;"
    finance = [line for line in lines if "`finance`" in line]
    assert finance == [
        "REVOKE ALL PRIVILEGES ON SCHEMA `sales__babc_1` FROM `finance`;",
        "GRANT USAGE ON SCHEMA `sales__babc_1` TO `finance`;",
        "GRANT SELECT ON TABLE `sales__babc_1`.`fct_orders_v1` TO `finance`;",
        "GRANT SELECT ON TABLE `sales__babc_1`.`fct_orders_v2` TO `finance`;",
    ]
    assert not any("int_secret" in line for line in lines)
