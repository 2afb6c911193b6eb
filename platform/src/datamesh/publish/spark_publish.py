"""Publish on Spark: each build writes a schema of its own; the registry entry is the switch.

A domain's dbt builds into a new schema (``<domain>__<run id>``) that nothing names yet; the
audit reads it there; publishing records its public tables' fingerprints and writes the registry
entry naming it, atomically (a file rename). Before that instant consumers resolve the old
schema with the old interface, after it the new one: never a mix. Schemas older than the
previous publication are dropped (the previous one stays for a consumer that read the registry
a moment before the switch). A failed or killed build leaves a schema nothing names, dropped at
the next build.

Open-source Spark has no grants: any session may write any schema. Each published table's row
count and content hash (``xxhash64`` over every column, summed) is recorded, and a later build
recomputes it before trusting the table (``verify_spark_publication``), so a write by anyone
else is found and reported, not read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamesh.engine.kinds import (
    EngineName,
    SparkSchema,
    entry_engine,
    quote_identifier,
    schema_of,
    schema_prefix,
    storage_of,
)
from datamesh.engine.spark_server import Endpoint
from datamesh.engine.spark_sql import (
    SparkStatementError,
    execute,
    query,
    run_statements,
    spark_cursor,
)
from datamesh.faults import fault_point
from datamesh.publish.integrity import IntegrityProblem, scan_publications
from datamesh.publish.publish import switch_registry
from datamesh.warehouse import Warehouse


def is_spark_entry(entry: dict[str, Any]) -> bool:
    return entry_engine(entry) == EngineName.SPARK.value


def public_tables(interface: dict[str, Any]) -> list[str]:
    """The relations a publication exposes: one per public model version."""
    return sorted({m["identifier"] for m in interface["models"] if m.get("access") == "public"})


def table_fingerprints(location: SparkSchema, tables: list[str]) -> dict[str, dict[str, int]]:
    """Rows and a content hash per table: what a later build compares to find tampering."""
    found: dict[str, dict[str, int]] = {}
    with spark_cursor(location.endpoint) as cursor:
        for table in tables:
            execute(
                cursor,
                f"select count(*), coalesce(sum(xxhash64(*)), 0) from {location.relation(table)}",
            )
            rows, content = cursor.fetchall()[0]
            found[table] = {"rows": int(rows), "hash": int(content)}
    return found


def publish_spark_domain(
    warehouse: Warehouse,
    interface: dict[str, Any],
    location: SparkSchema,
    *,
    fingerprint: str,
    run_id: str,
) -> dict[str, Any]:
    """Switch the registry entry to ``location``'s schema, then drop older build schemas."""
    domain = interface["domain"]
    tables = table_fingerprints(location, public_tables(interface))
    fault_point("publish:audited")
    entry = switch_registry(
        warehouse, interface, storage=storage_of(location.schema), checksum={"tables": tables},
        fingerprint=fingerprint, run_id=run_id, engine=EngineName.SPARK.value,
        extra={"database": None},
    )  # fmt: skip
    fault_point("publish:registered")
    keep = {location.schema, schema_of(entry["previous_storage"])}
    collect_schemas(location.endpoint, domain, keep, warehouse.root)
    fault_point("publish:collected")
    return entry


def domain_schemas(endpoint: Endpoint, domain: str, root: Path) -> list[str]:
    """Every build schema of ``domain`` from the warehouse at ``root`` (published, previous or
    abandoned); other warehouses' schemas on the same server are not listed."""
    prefix = schema_prefix(domain, root)
    rows = query(endpoint, f"show schemas like '{prefix}*'")
    return sorted(r[0] for r in rows if str(r[0]).startswith(prefix))


def collect_schemas(
    endpoint: Endpoint, domain: str, keep: set[str | None], root: Path
) -> list[str]:
    """Drop the build schemas of ``domain`` that ``keep`` does not name; return them."""
    dropped = [s for s in domain_schemas(endpoint, domain, root) if s not in keep]
    if dropped:
        run_statements(endpoint, [f"drop schema if exists {quote_identifier(s)} cascade"
                                for s in dropped])  # fmt: skip
    return dropped


def discard_schema(location: SparkSchema) -> None:
    """A build that failed or was not published: its schema goes (nothing names it)."""
    run_statements(
        location.endpoint, [f"drop schema if exists {quote_identifier(location.schema)} cascade"]
    )


def verify_spark_publication(endpoint: Endpoint, entry: dict[str, Any]) -> IntegrityProblem | None:
    """None when every published table still has the rows and content that were published."""
    domain = entry["domain"]
    if not is_spark_entry(entry):
        engine = entry_engine(entry)
        return IntegrityProblem(domain, str(entry.get("storage")),
                                f"is published on {engine}: this build runs on spark")  # fmt: skip
    schema = schema_of(entry.get("storage"))
    expected = (entry.get("checksum") or {}).get("tables")
    if schema is None or not isinstance(expected, dict):
        reason = "has no recorded table fingerprints (published by an older version): rebuild it"
        return IntegrityProblem(domain, str(entry.get("storage")), reason)
    location = SparkSchema(endpoint.host, endpoint.port, schema)
    try:
        actual = table_fingerprints(location, sorted(expected))
    except SparkStatementError as exc:
        return IntegrityProblem(domain, schema, f"cannot be read ({exc})")
    for table, published in sorted(expected.items()):
        now = actual.get(table)
        if now == published:
            continue
        rows = f"{published['rows']} rows published, {now['rows']} now; " if now else ""
        return IntegrityProblem(
            domain, location.relation(table),
            f"was changed after it was published ({rows}content hash differs)",
        )  # fmt: skip
    return None


def scan_spark_publications(
    endpoint: Endpoint, warehouse: Warehouse, domains: list[str]
) -> dict[str, IntegrityProblem]:
    """Every registered domain of ``domains`` whose tables are not what was published."""
    return scan_publications(
        warehouse, domains, verify=lambda entry: verify_spark_publication(endpoint, entry)
    )
