"""What an audit runs on: a DuckDB file, or a schema on a Spark Thrift server.

The suites, their results and the gate are the same on both; only the connection, the
existence check, identifier quoting and the type names GX sees depend on the engine, and those
are chosen here from the location's type, so no caller asks which engine runs.
"""

from __future__ import annotations

from pathlib import Path

from datamesh.engine.kinds import EngineName, SparkSchema
from datamesh.errors import MeshError

AuditLocation = Path | SparkSchema


class MissingTableError(MeshError):
    """A model version's table is not where the audit looks: the DuckDB file or Spark schema."""


def engine_of(location: AuditLocation) -> EngineName:
    return EngineName.SPARK if isinstance(location, SparkSchema) else EngineName.DUCKDB


def describe(location: AuditLocation) -> str:
    """The file's path, or the schema's URL: what a results record and an error name."""
    return location.sqlalchemy_url if isinstance(location, SparkSchema) else str(location)


def short_name(location: AuditLocation) -> str:
    """The file's stem or the schema's name: part of the GX datasource name."""
    return location.schema if isinstance(location, SparkSchema) else location.stem


def relation(location: AuditLocation, schema: str, identifier: str) -> str:
    """A model version's table as a results record names it (Spark: in the audited schema)."""
    return f"{location.schema if isinstance(location, SparkSchema) else schema}.{identifier}"
