"""Uniqueness as a Great Expectations expectation that DuckDB can run in bounded memory.

GX offers two ways to check a key: ``expect_column_values_to_be_unique`` (a window function, ~3x
a plain scan at 10M rows) and ``count(distinct)`` through the unique-value proportion. DuckDB
cannot spill a ``count(distinct)``: at 25M keys it needs ~700 MB, and under the audit's memory
limit it fails with "Out of Memory" on some runs and not others. A ``GROUP BY`` spills to disk,
so this expectation counts duplicated keys and rows with one grouped query::

    select (select count(key) from <batch>), count(*), sum(n)
    from (select key, count(*) as n from <batch> where key is not null
          group by key having count(*) > 1)

It is a regular GX expectation (metric provider plus expectation class, registered by GX on
import), so it runs in the same suite, validation result and Data Docs as every other check.
Like GX's own uniqueness, it ignores nulls. The query is plain SQLAlchemy, so it runs unchanged
on Spark through PyHive's dialect (``gx_spark``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import ColumnAggregateExpectation
from great_expectations.expectations.metrics.column_aggregate_metric_provider import (
    ColumnAggregateMetricProvider,
)
from great_expectations.expectations.metrics.metric_provider import metric_value

METRIC = "column.grouped_duplicates"
EXPECTATION = "expect_column_values_to_have_no_duplicates"


class ColumnGroupedDuplicates(ColumnAggregateMetricProvider):
    """Non-null rows, duplicated keys and the rows that hold them, from one GROUP BY."""

    metric_name = METRIC

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict[str, Any],
        metric_value_kwargs: dict[str, Any],
        **kwargs: Any,
    ) -> dict[str, int]:
        selectable, _, accessor = execution_engine.get_compute_domain(
            metric_domain_kwargs, MetricDomainTypes.COLUMN
        )
        key = sa.column(accessor["column"])
        duplicated = (
            sa.select(key, sa.func.count().label("n"))
            .select_from(selectable)
            .where(key.is_not(None))
            .group_by(key)
            .having(sa.func.count() > 1)
            .subquery("duplicated")
        )
        nonnull = sa.select(sa.func.count(key)).select_from(selectable).scalar_subquery()
        query = sa.select(
            nonnull, sa.func.count(), sa.func.coalesce(sa.func.sum(duplicated.c.n), 0)
        ).select_from(duplicated)
        rows, keys, duplicated_rows = execution_engine.execute_query(query).fetchone()
        return {
            "rows": int(rows),
            "duplicated_keys": int(keys),
            "duplicated_rows": int(duplicated_rows),
        }


class ExpectColumnValuesToHaveNoDuplicates(ColumnAggregateExpectation):
    """Every non-null value of the column occurs once (checked with a spillable GROUP BY)."""

    metric_dependencies: ClassVar[tuple[str, ...]] = (METRIC,)
    success_keys: ClassVar[tuple[str, ...]] = ()

    def _validate(
        self,
        metrics: dict[str, Any],
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        stats = metrics[METRIC]
        rows, duplicated = stats["rows"], stats["duplicated_rows"]
        return {
            "success": duplicated == 0,
            "result": {
                "observed_value": f"{stats['duplicated_keys']} duplicated keys",
                "element_count": rows,
                "unexpected_count": duplicated,
                "unexpected_percent": 100.0 * duplicated / rows if rows else 0.0,
            },
        }
