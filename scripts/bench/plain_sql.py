"""The checks of every published table as plain DuckDB SQL: one aggregate query per table.

The checks come from the same suite plans ``mesh validate`` runs (``datamesh.audit``), so both
sides compute the same things: row count, column list and types (one metadata query per file),
null and duplicate counts, value-set and range violations, maxima, LIKE patterns, column pairs.

Run as a module (``python -m bench.plain_sql --root R --warehouse W --as-of D``) so the
benchmark measures it as its own process; the last output line is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from datamesh.audit.suites import PlannedExpectation, SuitePlan


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal for a number, string, date, timestamp, bool or None."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


STATISTICS = {
    "expect_column_mean_to_be_between": "avg",
    "expect_column_median_to_be_between": "median",
    "expect_column_sum_to_be_between": "sum",
    "expect_column_stdev_to_be_between": "stddev_samp",
    "expect_column_unique_value_count_to_be_between": "count(distinct",
    "expect_column_proportion_of_unique_values_to_be_between": "count(distinct",
}


class UntranslatedCheck(ValueError):
    """A planned expectation type this module has no SQL for (reported, not silently dropped)."""


def _between(column: str, kwargs: dict[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    below = "<=" if kwargs.get("strict_min") else "<"
    above = ">=" if kwargs.get("strict_max") else ">"
    parts = []
    if low is not None:
        parts.append(f"{column} {below} {literal(low)}")
    if high is not None:
        parts.append(f"{column} {above} {literal(high)}")
    return " or ".join(parts) or "false"


def aggregate(expectation: PlannedExpectation) -> str | None:
    """The SELECT-list expression computing one check's metric; None for metadata checks."""
    kwargs, kind = expectation.kwargs, expectation.type
    column = quote(kwargs["column"]) if "column" in kwargs else None
    if kind in {"expect_table_columns_to_match_ordered_list", "expect_column_values_to_be_of_type"}:
        return None  # answered by the one information_schema query per file
    if kind == "expect_table_row_count_to_be_between":
        return "count(*)"
    if kind == "expect_column_values_to_not_be_null":
        return f"count(*) - count({column})"
    if kind == "expect_column_values_to_be_unique":
        return f"count({column}) - count(distinct {column})"
    if kind == "expect_compound_columns_to_be_unique":
        columns = ", ".join(quote(c) for c in kwargs["column_list"])
        return f"count(*) - count(distinct ({columns}))"
    if kind == "expect_column_values_to_be_in_set":
        values = ", ".join(literal(v) for v in kwargs["value_set"])
        return f"count_if({column} is not null and {column} not in ({values}))"
    if kind == "expect_column_values_to_be_between":
        return f"count_if({_between(column, kwargs)})"
    if kind in {"expect_column_max_to_be_between", "expect_column_min_to_be_between"}:
        return f"{'max' if 'max' in kind else 'min'}({column})"
    if kind == "expect_column_value_lengths_to_be_between":
        return f"count_if({_between(f'length({column})', kwargs)})"
    if kind == "expect_column_values_to_match_regex":
        return f"count_if(not regexp_matches({column}, {literal(kwargs['regex'])}))"
    if kind in STATISTICS:
        function = STATISTICS[kind]
        return f"{function} {column})" if function.endswith("distinct") else f"{function}({column})"
    if kind == "expect_column_values_to_match_like_pattern":
        return f"count_if({column} not like {literal(kwargs['like_pattern'])})"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = quote(kwargs["column_A"]), quote(kwargs["column_B"])
        op = ">=" if kwargs.get("or_equal") else ">"
        return f"count_if(not ({a} {op} {b}))"
    raise UntranslatedCheck(f"{expectation.source}: no plain-SQL form for {kind}")


def table_query(plan: SuitePlan, untranslated: list[str] | None = None) -> tuple[str, list[str]]:
    """One query for every data check of a plan; returns it and the keys of its columns.

    A check with no SQL form raises, unless ``untranslated`` collects its description.
    """
    keys, selects = [], []
    for expectation in plan.expectations:
        try:
            expression = aggregate(expectation)
        except UntranslatedCheck as exc:
            if untranslated is None:
                raise
            untranslated.append(str(exc))
            continue
        if expression is not None:
            keys.append(expectation.key)
            selects.append(f"{expression} as {quote(expectation.key)}")
    relation = f"{quote(plan.schema)}.{quote(plan.identifier)}"
    return f"select {', '.join(selects) or 'count(*)'} from {relation}", keys


METADATA = (
    "select table_schema, table_name, list(column_name order by ordinal_position), "
    "list(data_type order by ordinal_position) from information_schema.columns "
    "group by all"
)


def run_checks(root: Path, warehouse_root: Path, as_of: datetime) -> dict[str, Any]:
    """Every published table's checks; returns counts and the seconds spent in queries."""
    import duckdb

    from datamesh.audit.run_suites import plan_domain_suites
    from datamesh.discover.projects import discover_domains
    from datamesh.registry import read_interface
    from datamesh.warehouse import Warehouse

    warehouse = Warehouse(warehouse_root)
    tables = checks = 0
    untranslated: list[str] = []
    query_seconds = 0.0
    results: dict[str, dict[str, Any]] = {}
    for domain in discover_domains(root):
        interface = read_interface(warehouse.registry_dir, domain.name)
        if interface is None:
            continue
        plans = plan_domain_suites(domain.name, domain.path, interface["models"], as_of)
        started = time.perf_counter()
        with duckdb.connect(str(warehouse.published_file(domain.name)), read_only=True) as conn:
            conn.execute(METADATA).fetchall()
            for plan in plans:
                sql, keys = table_query(plan, untranslated)
                row = conn.execute(sql).fetchone()
                results[plan.unique_id] = dict(zip(keys, row, strict=False))
                tables += 1
                checks += len(plan.expectations)
        query_seconds += time.perf_counter() - started
    return {"tables": tables, "checks": checks - len(untranslated), "untranslated": untranslated,
            "query_seconds": round(query_seconds, 3), "results": results}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--as-of", type=datetime.fromisoformat, required=True)
    args = parser.parse_args(argv)
    summary = run_checks(args.root, args.warehouse, args.as_of)
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
