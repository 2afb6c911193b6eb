"""Unit tests: expectation files and suite plans, on in-memory model records (no GX import)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from datamesh.audit.expectation_files import (
    ExpectationFileError,
    check_file_names,
    expectation_file_for,
    load_expectation_file,
)
from datamesh.audit.suites import plan_suite, sqlalchemy_type
from datamesh.engine.kinds import EngineName
from datamesh.errors import MeshError

AS_OF = datetime(2026, 11, 1, 12, 0, 0)


def orders_model(**overrides) -> dict:
    model = {
        "unique_id": "model.sales.fct_orders",
        "name": "fct_orders",
        "version": None,
        "schema": "main",
        "identifier": "fct_orders",
        "yaml_file": "models/marts/fct_orders.yml",
        "contract_enforced": True,
        "columns": [
            {"name": "order_id", "data_type": "bigint", "constraints": ["not_null", "primary_key"]},
            {"name": "ordered_at", "data_type": "timestamp", "constraints": ["not_null"]},
            {"name": "order_date", "data_type": "date", "constraints": []},
            {"name": "channel", "data_type": "varchar", "constraints": []},
            {"name": "order_total", "data_type": "double", "constraints": []},
            {"name": "region", "data_type": "varchar", "constraints": []},
        ],
        "constraints": [],
        "data_tests": [
            {"type": "not_null", "column": "channel", "kwargs": {}, "severity": "warn"},
            {"type": "accepted_values", "column": "channel",
             "kwargs": {"values": ["online", "store"]}, "severity": "error"},
            {"type": "unique", "column": "order_id", "kwargs": {}, "severity": "error"},
            {"type": "relationships", "column": "order_id", "kwargs": {}, "severity": "error"},
        ],
    }  # fmt: skip
    model.update(overrides)
    return model


def write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "expectations"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def by_key(plan) -> dict:
    return {e.key: e for e in plan.expectations}


def test_contract_becomes_expectations() -> None:
    plan = plan_suite("sales", orders_model(), [], AS_OF)
    items = by_key(plan)
    assert plan.name == "sales.fct_orders" and plan.identifier == "fct_orders"
    assert items["row_count"].kwargs == {"min_value": 1}
    assert items["columns"].kwargs["column_list"][:2] == ["order_id", "ordered_at"]
    assert items["type:order_id"].kwargs == {"column": "order_id", "type_": "BigInteger"}
    assert items["type:order_total"].kwargs["type_"] == "Float"
    assert items["type:ordered_at"].kwargs["type_"] == "TIMESTAMP"
    assert items["not_null:order_id"].severity == "critical"
    assert items["unique:order_id"].type == "expect_column_values_to_be_unique"
    assert items["in_set:channel"].kwargs == {"column": "channel", "value_set": ["online", "store"]}
    assert items["not_null:channel"].severity == "warning"  # dbt severity warn
    assert not any(e.key.startswith("relationships") for e in plan.expectations)
    assert "not_null:region" not in items


def test_column_list_and_types_block_only_where_the_contract_is_enforced() -> None:
    enforced = by_key(plan_suite("sales", orders_model(), [], AS_OF))
    assert {enforced[k].severity for k in ("columns", "type:order_id")} == {"critical"}

    loose = orders_model(
        contract_enforced=False,
        columns=[
            {"name": "order_total", "data_type": "double", "constraints": []},
            {"name": "order_id", "data_type": None, "constraints": []},
            {"name": "region", "data_type": "number(10, 2)", "constraints": []},
        ],
        data_tests=[{"type": "unique", "column": "order_id", "kwargs": {}, "severity": "error"}],
    )
    items = by_key(plan_suite("sales", loose, [], AS_OF))
    assert items["columns"].severity == "warning"
    assert items["columns"].kwargs["column_list"] == ["order_total", "order_id", "region"]
    assert items["columns"].source == "documented columns (contract not enforced)"
    assert items["type:order_total"].severity == "warning"
    # a documented type the audit cannot check is left out, not an error; dbt tests still block
    assert "type:region" not in items and "type:order_id" not in items
    assert items["unique:order_id"].severity == "critical"
    assert items["row_count"].severity == "critical"


def test_compound_key_is_checked_as_one_not_per_column() -> None:
    model = orders_model(
        constraints=[{"type": "primary_key", "columns": ["order_date", "channel"]}],
        data_tests=[{"type": "unique", "column": "order_date || channel", "kwargs": {},
                     "severity": "error"}],
    )  # fmt: skip
    for column in model["columns"]:
        if column["name"] in {"order_date", "channel"}:
            column["constraints"] = ["not_null", "primary_key"]
    items = by_key(plan_suite("sales", model, [], AS_OF))
    assert items["unique:order_date,channel"].kwargs == {"column_list": ["order_date", "channel"]}
    assert "unique:order_date" not in items and "unique:channel" not in items
    assert not any("||" in key for key in items)


@pytest.mark.parametrize(
    ("data_type", "expected"),
    [("integer", "Integer"), ("BIGINT", "BigInteger"), ("double", "Float"),
     ("varchar", "String"), ("varchar(20)", "String"), ("date", "DATE"),
     ("timestamp", "TIMESTAMP"), ("boolean", "BOOLEAN"), ("decimal(10, 2)", "Numeric")],
)  # fmt: skip
def test_contract_types_map_to_sqlalchemy_names(data_type: str, expected: str) -> None:
    assert sqlalchemy_type(data_type, "x") == expected


@pytest.mark.parametrize(
    ("data_type", "expected"),
    [("int", "Integer"), ("integer", "Integer"), ("bigint", "BigInteger"),
     ("double", "Float"), ("string", "String"), ("varchar(20)", "String"),
     ("boolean", "Boolean"), ("date", "HiveDate"), ("timestamp", "HiveTimestamp"),
     ("decimal(10,2)", "HiveDecimal")],
)  # fmt: skip
def test_contract_types_map_to_what_pyhive_reflects_on_spark(data_type: str, expected: str) -> None:
    assert sqlalchemy_type(data_type, "x", EngineName.SPARK) == expected


@pytest.mark.parametrize("engine", list(EngineName))
def test_string_and_varchar_contracts_plan_the_same_suite(engine: EngineName) -> None:
    as_varchar = plan_suite("sales", orders_model(), [], AS_OF, engine)
    model = orders_model()
    for column in model["columns"]:
        column["data_type"] = "string" if column["data_type"] == "varchar" else column["data_type"]
    assert as_varchar == plan_suite("sales", model, [], AS_OF, engine)


def test_spark_plan_differs_from_duckdb_only_in_type_names() -> None:
    duck = by_key(plan_suite("sales", orders_model(), [], AS_OF))
    spark = by_key(plan_suite("sales", orders_model(), [], AS_OF, EngineName.SPARK))
    assert duck.keys() == spark.keys()
    differ = {k: (duck[k].kwargs["type_"], spark[k].kwargs["type_"]) for k in duck
              if duck[k] != spark[k]}  # fmt: skip
    assert differ == {
        "type:ordered_at": ("TIMESTAMP", "HiveTimestamp"), "type:order_date": ("DATE", "HiveDate")
    }  # fmt: skip


def test_unknown_contract_type_names_model_and_column() -> None:
    model = orders_model()
    model["columns"][0]["data_type"] = "geometry"
    with pytest.raises(MeshError, match=r"fct_orders.yml: fct_orders: column order_id.*geometry"):
        plan_suite("sales", model, [], AS_OF)


def test_file_entries_freshness_and_null_share(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fct_orders.yml",
        """
expectations:
  - type: expect_column_values_to_be_between
    kwargs: {column: order_total, min_value: 0, max_value: 1000}
    severity: critical
  - {type: freshness, column: ordered_at, max_age_days: 3, severity: warning}
  - {type: freshness, column: order_date, max_age_hours: 48, severity: critical}
  - {type: null_share, column: region, max_share: 0.2, severity: warning}
""",
    )
    plan = plan_suite("sales", orders_model(), load_expectation_file(path), AS_OF)
    entries = [e for e in plan.expectations if e.key.startswith("file:")]
    assert [e.type for e in entries] == [
        "expect_column_values_to_be_between", "expect_column_max_to_be_between",
        "expect_column_max_to_be_between", "expect_column_values_to_not_be_null",
    ]  # fmt: skip
    assert entries[1].kwargs == {"column": "ordered_at", "min_value": datetime(2026, 10, 29, 12)}
    assert entries[2].kwargs == {"column": "order_date", "min_value": date(2026, 10, 30)}
    assert entries[3].kwargs == {"column": "region", "mostly": 0.8}
    assert entries[1].severity == "warning" and entries[0].severity == "critical"
    assert entries[0].source.endswith("fct_orders.yml: expectations[0] "
                                      "(expect_column_values_to_be_between)")  # fmt: skip


def test_file_entry_equal_to_a_contract_check_is_merged_keeping_critical(tmp_path: Path) -> None:
    model = orders_model()
    model["data_tests"][0]["severity"] = "warn"
    path = write(
        tmp_path,
        "fct_orders.yml",
        """
expectations:
  - {type: expect_column_values_to_not_be_null, kwargs: {column: channel}, severity: critical}
""",
    )
    plan = plan_suite("sales", model, load_expectation_file(path), AS_OF)
    matching = [e for e in plan.expectations if e.kwargs == {"column": "channel"}]
    assert len(matching) == 1 and matching[0].severity == "critical"


def test_unknown_column_in_file_names_file_entry_and_model(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fct_orders.yml",
        """
expectations:
  - {type: null_share, column: region, max_share: 0.5, severity: warning}
  - {type: expect_column_values_to_be_between, kwargs: {column: amount, min_value: 0},
     severity: critical}
""",
    )
    with pytest.raises(ExpectationFileError) as caught:
        plan_suite("sales", orders_model(), load_expectation_file(path), AS_OF)
    message = str(caught.value)
    assert str(path) in message and "expectations[1]" in message
    assert "'amount'" in message and "model.sales.fct_orders" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- just a list\n", "must be a mapping with an 'expectations:' list"),
        ("expectations: {a: 1}\n", "'expectations' must be a list"),
        ("expectations: []\nextra: 1\n", "unknown top-level key extra"),
        ("expectations:\n  - {kwargs: {column: a}, severity: critical}\n",
         "expectations[0]: missing type"),
        ("expectations:\n  - {type: expect_x, kwargs: {column: a}}\n",
         "expectations[0] (expect_x): missing severity"),
        ("expectations:\n  - {type: expect_x, kwargs: {column: a}, severity: fatal}\n",
         "severity must be one of critical, warning, got 'fatal'"),
        ("expectations:\n  - {type: expect_x, kwargs: [1], severity: warning}\n",
         "kwargs must be a mapping"),
        ("expectations:\n  - {type: expect_x, kwargs: {}, severity: warning, colour: red}\n",
         "unknown key colour"),
        ("expectations:\n  - {type: amounts_ok, severity: warning}\n",
         "(amounts_ok): unknown type"),
        ("expectations:\n  - {type: freshness, column: t, severity: warning}\n",
         "give exactly one of max_age_days, max_age_hours"),
        ("expectations:\n  - {type: freshness, column: t, max_age_days: -1, severity: warning}\n",
         "max_age_days must be at least 0"),
        ("expectations:\n  - {type: null_share, column: t, max_share: 1.5, severity: warning}\n",
         "max_share must be between 0 and 1"),
        ("expectations:\n  - {type: null_share, column: t, max_share: lots, severity: warning}\n",
         "max_share must be a number"),
        ("expectations:\n  - [type, freshness]\n", "expectations[0]: must be a mapping"),
        ("expectations:\n  - {type: x\n", "invalid YAML"),
    ],
)  # fmt: skip
def test_malformed_file_error_names_file_and_entry(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = write(tmp_path, "fct_orders.yml", text)
    with pytest.raises(ExpectationFileError) as caught:
        load_expectation_file(path)
    assert str(path) in str(caught.value)
    assert fragment in str(caught.value)


def test_version_file_replaces_the_plain_one(tmp_path: Path) -> None:
    plain = write(tmp_path, "dim_customers.yml", "expectations: []\n")
    v1 = write(tmp_path, "dim_customers_v1.yml", "expectations: []\n")
    assert expectation_file_for(tmp_path, "dim_customers", 1) == v1
    assert expectation_file_for(tmp_path, "dim_customers", 2) == plain
    assert expectation_file_for(tmp_path, "fct_orders", None) is None


def test_file_naming_no_public_model_is_an_error(tmp_path: Path) -> None:
    models = [{"name": "dim_customers", "version": 1}, {"name": "dim_customers", "version": 2}]
    write(tmp_path, "dim_customers_v2.yml", "expectations: []\n")
    check_file_names(tmp_path, models)
    stray = write(tmp_path, "dim_customers_v3.yml", "expectations: []\n")
    with pytest.raises(ExpectationFileError, match="names no public model version") as caught:
        check_file_names(tmp_path, models)
    assert str(stray) in str(caught.value)
