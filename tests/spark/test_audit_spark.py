"""The audit on Spark: the same suites through GX's SQL path on a real Thrift server.

Tiny Parquet tables in a schema of this module's own (``gxs_<random>``, dropped at the end),
an interface shaped like a registry entry, and ``audit_domain`` / ``run_domain_suites`` on a
``SparkSchema``: the results records and the gate's verdicts are those a DuckDB file gets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from datamesh.audit.gate import audit_domain
from datamesh.audit.location import MissingTableError
from datamesh.audit.run_suites import run_domain_suites
from datamesh.engine.kinds import SparkSchema
from datamesh.engine.spark_server import Endpoint
from datamesh.engine.spark_sql import run_statements
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.spark

AS_OF = datetime(2026, 11, 1)
# The tables' columns (the contracts below declare `name` as varchar: the same type as string)
COLUMNS = "id bigint, name string, label string, amount double, active boolean, born date, " \
          "seen_at timestamp, qty int"  # fmt: skip
GOOD_ROWS = [
    "(1, 'ann', 'a', 1.5, true, date'2026-10-30', timestamp'2026-10-31 12:00:00', 3)",
    "(2, 'bob', 'b', 2.5, false, date'2026-10-29', timestamp'2026-10-30 08:00:00', 4)",
]
BAD_ROWS = [  # id 2 twice, a null name (a primary key: not null and unique)
    "(1, 'ann', 'a', 1.5, true, date'2026-10-30', timestamp'2026-10-31 12:00:00', 3)",
    "(2, null, 'b', 2.5, false, date'2026-10-29', timestamp'2026-10-30 08:00:00', 4)",
    "(2, 'cy', 'c', 3.5, true, date'2026-10-28', timestamp'2026-10-29 08:00:00', 5)",
]


def _create(schema: str, table: str, rows: list[str]) -> str:
    names = ", ".join(c.split()[0] for c in COLUMNS.split(", "))
    casts = ", ".join(f"cast({c.split()[0]} as {c.split()[1]}) as {c.split()[0]}"
                      for c in COLUMNS.split(", "))  # fmt: skip
    return (
        f"create table {schema}.{table} using parquet as select {casts} "
        f"from values {', '.join(rows)} as t({names})"
    )


@pytest.fixture(scope="module")
def spark_schema(spark_endpoint: Endpoint) -> Iterator[SparkSchema]:
    schema = f"gxs_{uuid.uuid4().hex[:8]}"
    try:
        run_statements(
            spark_endpoint,
            [f"create schema {schema}", _create(schema, "things_v2", GOOD_ROWS),
             _create(schema, "bad_things", BAD_ROWS)],
        )  # fmt: skip
        yield SparkSchema(spark_endpoint.host, spark_endpoint.port, schema)
    finally:
        run_statements(spark_endpoint, [f"drop schema if exists {schema} cascade"])


def model(name: str, version: int | None, **overrides: Any) -> dict[str, Any]:
    """A public model version as the registry records it (manifest/interface.model_record)."""
    columns = [
        ("id", "bigint", ["not_null", "primary_key"]), ("name", "varchar", ["primary_key"]),
        ("label", "string", []), ("amount", "double", []), ("active", "boolean", []),
        ("born", "date", []), ("seen_at", "timestamp", ["not_null"]), ("qty", "int", []),
    ]  # fmt: skip
    record = {
        "unique_id": f"model.things.{name}" + (f".v{version}" if version else ""),
        "name": name, "version": version, "latest_version": version, "access": "public",
        "database": "things", "schema": "main",  # the DuckDB schema: ignored on Spark
        "identifier": name + (f"_v{version}" if version else ""),
        "yaml_file": f"models/{name}.yml", "contract_enforced": True,
        "columns": [{"name": n, "data_type": t, "description": "", "constraints": c}
                    for n, t, c in columns],
        "constraints": [],
        "data_tests": [
            {"type": "accepted_values", "column": "label",
             "kwargs": {"values": ["a", "b", "c"]}, "severity": "error"},
        ],
    }  # fmt: skip
    record.update(overrides)
    return record


def domain_dir(tmp_path: Path) -> Path:
    """A domain folder whose file adds the kinds of checks the domains write."""
    folder = tmp_path / "things" / "expectations"
    folder.mkdir(parents=True)
    (folder / "things_v2.yml").write_text(
        "expectations:\n"
        "  - {type: freshness, column: seen_at, max_age_days: 3, severity: critical}\n"
        "  - type: expect_column_values_to_be_between\n"
        "    kwargs: {column: amount, min_value: 0, max_value: 10}\n"
        "    severity: critical\n"
        "  - type: expect_column_value_lengths_to_be_between\n"
        "    kwargs: {column: name, min_value: 2, max_value: 10}\n"
        "    severity: warning\n"
        "  - type: expect_column_pair_values_a_to_be_greater_than_b\n"
        "    kwargs: {column_A: qty, column_B: amount}\n"
        "    severity: critical\n"
        "  - {type: null_share, column: label, max_share: 0.1, severity: critical}\n"
    )
    return folder.parent


def test_passing_suite_records_results_like_duckdb(
    spark_schema: SparkSchema, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    [validation] = run_domain_suites(
        "things", domain_dir(tmp_path), [model("things", 2)], spark_schema,
        target="staging", warehouse=warehouse, as_of=AS_OF,
    )  # fmt: skip
    record = json.loads(warehouse.validation_result_file("things", "things_v2").read_text())
    outcomes = {o["key"]: o for o in record["expectations"]}
    assert [k for k, o in outcomes.items() if not o["success"]] == []
    assert record["success"] and record["critical_failures"] == 0 and record["warnings"] == 0
    assert record["relation"] == f"{spark_schema.schema}.things_v2"
    assert record["database_file"] == spark_schema.sqlalchemy_url
    types = {k[5:]: o for k, o in outcomes.items() if k.startswith("type:")}
    assert {name: (o["kwargs"]["type_"], o["observed_value"]) for name, o in types.items()} == {
        "id": ("BigInteger", "BigInteger"), "name": ("String", "String"),
        "label": ("String", "String"), "amount": ("Float", "Float"),
        "active": ("Boolean", "Boolean"), "born": ("HiveDate", "HiveDate"),
        "seen_at": ("HiveTimestamp", "HiveTimestamp"), "qty": ("Integer", "Integer"),
    }  # fmt: skip
    assert outcomes["row_count"]["observed_value"] == 2
    assert outcomes["columns"]["observed_value"] == [
        "id", "name", "label", "amount", "active", "born", "seen_at", "qty"
    ]  # fmt: skip
    for key in ("not_null:id", "unique:id", "unique:name", "in_set:label"):
        assert outcomes[key]["unexpected_count"] == 0, key
    authored = [o for k, o in outcomes.items() if k.startswith("file:")]
    assert [o["type"] for o in authored] == [
        "expect_column_max_to_be_between", "expect_column_values_to_be_between",
        "expect_column_value_lengths_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b", "expect_column_values_to_not_be_null",
    ]  # fmt: skip
    assert [o["unexpected_count"] for o in authored[1:]] == [0, 0, 0, 0]  # computed, not empty
    assert authored[0]["observed_value"] == "2026-10-31 12:00:00"  # the newest seen_at
    assert sorted(outcomes) == sorted(
        ["row_count", "columns", *(f"type:{c}" for c in types), "not_null:id", "unique:id",
         "not_null:name", "unique:name", "not_null:seen_at", "in_set:label",
         *(f"file:things_v2.yml[{i}]" for i in range(5))]
    )  # fmt: skip
    assert validation.to_json()["evaluated"] == len(record["expectations"]) == 21


def test_failing_critical_checks_block_and_name_model_and_column(
    spark_schema: SparkSchema, tmp_path: Path
) -> None:
    bad = model("bad_things", None)
    bad["columns"][5]["data_type"] = "timestamp"  # the table's born is a date
    result = audit_domain(
        "things", spark_schema, {"models": [bad]}, Warehouse(tmp_path / "wh"),
        domain_dir=tmp_path,
    )  # fmt: skip
    assert not result.passed
    failures = "\n".join(result.failures)
    assert "model.things.bad_things: expect_column_values_to_not_be_null(name): 1 unexpected" in (
        failures
    )
    assert "model.things.bad_things: expect_column_values_to_be_unique(id): 2 unexpected rows " \
           "(e.g. 2)" in failures  # fmt: skip
    assert (
        "model.things.bad_things: expect_column_values_to_be_of_type(born): observed HiveDate"
        in (failures)
    )
    assert len(result.failures) == 3, failures


def test_unique_failure_carries_duplicated_values(
    spark_schema: SparkSchema, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    run_domain_suites(
        "things", None, [model("bad_things", None)], spark_schema,
        target="published", warehouse=warehouse, as_of=AS_OF,
    )  # fmt: skip
    record = json.loads(warehouse.validation_result_file("things", "bad_things").read_text())
    unique = next(o for o in record["expectations"] if o["key"] == "unique:id")
    assert (unique["success"], unique["unexpected_count"], unique["unexpected_sample"]) == (
        False, 2, [2]
    )  # fmt: skip
    assert round(unique["unexpected_percent"], 1) == 66.7
    assert unique["error"] is None


def test_missing_table_and_schema_are_named(spark_schema: SparkSchema, tmp_path: Path) -> None:
    result = audit_domain(
        "things", spark_schema, {"models": [model("things", 3)]}, Warehouse(tmp_path / "wh"),
        domain_dir=tmp_path,
    )  # fmt: skip
    assert not result.passed
    assert result.failures == [
        f"{spark_schema.sqlalchemy_url}: table {spark_schema.schema}.things_v3 of "
        "model.things.things.v3 not found"
    ]
    gone = SparkSchema(spark_schema.host, spark_schema.port, f"{spark_schema.schema}_gone")
    said = rf"schema {gone.schema} cannot be read: \[SCHEMA_NOT_FOUND\] The schema `{gone.schema}`"
    with pytest.raises(MissingTableError, match=said):
        run_domain_suites(
            "things", None, [model("things", 2)], gone,
            target="staging", warehouse=Warehouse(tmp_path / "wh"), as_of=AS_OF,
        )  # fmt: skip
