"""Great Expectations on Spark: GX's SQL path through PyHive's ``hive://`` dialect.

Why the SQL path and not GX's Spark execution engine: that engine needs a Spark session of its
own, and a second JVM cannot open the Hive metastore the Thrift server holds (embedded Derby
admits one JVM); it would take moving the metastore to PostgreSQL, or reading the tables' files
behind the catalog's back. Through the Thrift server GX pushes every metric down as Spark SQL
on the same catalog the build wrote, as it does on DuckDB, and no table is collected into
Python. Checked with GX 1.24.1, PyHive 0.7 and Spark 3.5.9 (``tests/spark/test_audit_spark.py``).

PyHive reflects ``date``, ``timestamp`` and ``decimal`` columns as its own TypeDecorators, which
no SQLAlchemy type name matches, and GX resolves type names for ``hive`` in SQLAlchemy's
namespace only; so the datasource's execution engine is given a type module, as GX does for the
dialects it knows, in which those names resolve (``suites.SPARK_TYPES`` plans them).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from datamesh.audit.location import MissingTableError
from datamesh.audit.suites import SuitePlan
from datamesh.engine.kinds import SparkSchema, quote_identifier
from datamesh.engine.spark_sql import SparkStatementError, query


def type_module() -> ModuleType:
    """SQLAlchemy's types plus PyHive's reflected ones, and the dialect (GX's module shape)."""
    from pyhive import sqlalchemy_hive
    from sqlalchemy import types

    module = ModuleType(f"{__name__}.types")
    module.__dict__.update(
        {name: value for name, value in vars(types).items()
         if isinstance(value, type) and issubclass(value, types.TypeEngine)}
    )  # fmt: skip
    for reflected in (sqlalchemy_hive.HiveDate, sqlalchemy_hive.HiveTimestamp,
                      sqlalchemy_hive.HiveDecimal):  # fmt: skip
        setattr(module, reflected.__name__, reflected)
    module.dialect = sqlalchemy_hive.HiveDialect  # type: ignore[attr-defined]
    return module


def check_tables(location: SparkSchema, plans: list[SuitePlan]) -> None:
    """Every planned table is in the schema; otherwise an error naming the model and schema."""
    try:
        rows = query(location.endpoint, f"show tables in {quote_identifier(location.schema)}")
    except SparkStatementError as exc:  # refused, e.g. a schema that does not exist
        raise MissingTableError(
            f"{location.sqlalchemy_url}: schema {location.schema} cannot be read: {exc.message}"
        ) from None
    found = {str(row[1]).lower() for row in rows}  # (namespace, tableName, isTemporary)
    for plan in plans:
        if plan.identifier.lower() not in found:
            raise MissingTableError(
                f"{location.sqlalchemy_url}: table {location.schema}.{plan.identifier} of "
                f"{plan.unique_id} not found"
            )


def add_datasource(context: Any, name: str, location: SparkSchema) -> Any:
    """A GX SQL datasource on the schema, in which the planned type names resolve."""
    datasource = context.data_sources.add_sql(name=name, connection_string=location.sqlalchemy_url)
    datasource.get_execution_engine().dialect_module = type_module()
    return datasource
