"""The grants a governed catalog would need for one publication, as a file for an operator.

Open-source Spark enforces no grants, so the mesh cannot make a consumer's session read-only;
it detects writes instead (table fingerprints, publish/spark_publish.py). On an engine with
grants (Databricks Unity Catalog, a Hive metastore with SQL-standard authorization) these
statements make the access rules real: each consumer domain (one principal per domain, named
after it) may read the public model versions and nothing else; the owning domain's own builds
write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamesh.engine.kinds import quote_identifier
from datamesh.jsonio import write_text_atomic
from datamesh.warehouse import Warehouse


def grant_statements(interface: dict[str, Any], schema: str, consumers: list[str]) -> list[str]:
    """REVOKE everything, then GRANT read on the public tables to each declared consumer."""
    domain = interface["domain"]
    where = quote_identifier(schema)
    public = sorted({m["identifier"] for m in interface["models"] if m.get("access") == "public"})
    lines = [f"GRANT ALL PRIVILEGES ON SCHEMA {where} TO {quote_identifier(domain)};"]
    for consumer in sorted(consumers):
        who = quote_identifier(consumer)
        lines.append(f"REVOKE ALL PRIVILEGES ON SCHEMA {where} FROM {who};")
        lines.append(f"GRANT USAGE ON SCHEMA {where} TO {who};")
        lines += [
            f"GRANT SELECT ON TABLE {where}.{quote_identifier(table)} TO {who};" for table in public
        ]
    return lines


def write_grants(
    warehouse: Warehouse, interface: dict[str, Any], schema: str, consumers: list[str]
) -> Path:
    """The grants file of the publication now in the registry (Warehouse.grants_file)."""
    domain = interface["domain"]
    header = [
        f"-- Grants for domain '{domain}', publication {schema}, written "
        f"{datetime.now(UTC).isoformat(timespec='seconds')} by mesh build.",
        "-- Open-source Spark does not enforce these: apply them on a catalog with grants.",
        f"-- Consumers (declared in their dependencies.yml): {', '.join(consumers) or 'none'}.",
        "-- Everything not granted here (private and protected models) stays unreadable to them.",
    ]
    file = warehouse.grants_file(domain)
    lines = header + grant_statements(interface, schema, consumers)
    write_text_atomic(file, "\n".join(lines) + "\n")
    return file
