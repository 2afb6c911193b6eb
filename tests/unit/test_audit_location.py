"""Unit tests: what the audit derives from its location (a DuckDB file or a Spark schema)."""

from __future__ import annotations

from pathlib import Path

from datamesh.audit.location import describe, engine_of, relation, short_name
from datamesh.engine.kinds import EngineName, SparkSchema


def test_a_duckdb_file_keeps_the_interface_schema_and_names_the_file() -> None:
    file = Path("/wh/staging/sales.duckdb")
    assert engine_of(file) == EngineName.DUCKDB
    assert (describe(file), short_name(file)) == ("/wh/staging/sales.duckdb", "sales")
    assert relation(file, "main", "fct_orders_v2") == "main.fct_orders_v2"


def test_a_spark_schema_replaces_the_interface_schema_and_names_the_url() -> None:
    schema = SparkSchema("127.0.0.1", 10000, "sales_stage_7")
    assert engine_of(schema) == EngineName.SPARK
    assert (describe(schema), short_name(schema)) == (
        "hive://127.0.0.1:10000/sales_stage_7", "sales_stage_7"
    )  # fmt: skip
    assert relation(schema, "main", "fct_orders_v2") == "sales_stage_7.fct_orders_v2"
