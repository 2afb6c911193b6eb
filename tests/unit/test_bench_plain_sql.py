"""Plain-SQL forms of planned expectations compute the same counts GX reports."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest
from bench.plain_sql import UntranslatedCheck, aggregate, literal, table_query

from datamesh.audit.suites import PlannedExpectation, SuitePlan


def check(key: str, type_: str, **kwargs) -> PlannedExpectation:
    return PlannedExpectation(key, type_, kwargs, "critical", f"test[{key}]")


PLAN = SuitePlan(
    domain="d", model="t", version=None, unique_id="model.d.t", schema="main", identifier="t",
    expectations=(
        check("rows", "expect_table_row_count_to_be_between", min_value=1),
        check("cols", "expect_table_columns_to_match_ordered_list", column_list=["id", "v"]),
        check("nn", "expect_column_values_to_not_be_null", column="v"),
        check("uq", "expect_column_values_to_be_unique", column="id"),
        check("set", "expect_column_values_to_be_in_set", column="v", value_set=["a", "b"]),
        check("rng", "expect_column_values_to_be_between", column="id", min_value=1, max_value=3),
        check("len", "expect_column_value_lengths_to_be_between", column="v", max_value=1),
        check("mx", "expect_column_max_to_be_between", column="id", min_value=0),
        check("pair", "expect_column_pair_values_a_to_be_greater_than_b", column_A="id",
              column_B="n", or_equal=True),
        check("cmp", "expect_compound_columns_to_be_unique", column_list=["id", "v"]),
    ),
)  # fmt: skip


def test_one_query_computes_every_data_check():
    conn = duckdb.connect()
    conn.execute(
        "create table t as select * from (values (1, 'a', 0), (2, null, 5), (2, 'zz', 1), "
        "(4, 'b', 4)) as x(id, v, n)"
    )
    sql, keys = table_query(PLAN)
    assert "cols" not in keys  # metadata checks go to information_schema
    row = dict(zip(keys, conn.execute(sql).fetchone(), strict=True))
    assert row == {"rows": 4, "nn": 1, "uq": 1, "set": 1, "rng": 1, "len": 1, "mx": 4,
                   "pair": 1, "cmp": 0}  # fmt: skip


def test_untranslated_checks_are_collected_with_their_source():
    plan = SuitePlan(
        "d",
        "t",
        None,
        "model.d.t",
        "main",
        "t",
        (check("kl", "expect_column_kl_divergence_to_be_less_than", column="v"),),
    )
    found: list[str] = []
    table_query(plan, found)
    assert found == ["test[kl]: no plain-SQL form for expect_column_kl_divergence_to_be_less_than"]
    with pytest.raises(UntranslatedCheck, match="test\\[kl\\]"):
        table_query(plan)


def test_type_check_has_no_aggregate():
    assert aggregate(check("ty", "expect_column_values_to_be_of_type", column="v")) is None


@pytest.mark.parametrize(
    ("value", "sql"),
    [
        (None, "null"), (True, "true"), (3, "3"), (2.5, "2.5"), ("it's", "'it''s'"),
        (date(2026, 11, 1), "date '2026-11-01'"),
        (datetime(2026, 11, 1, 6, 30), "timestamp '2026-11-01 06:30:00'"),
    ],
)  # fmt: skip
def test_literals(value, sql):
    assert literal(value) == sql
