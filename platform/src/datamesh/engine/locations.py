"""Where a domain's current publication is, on whichever engine published it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamesh.engine import spark_server
from datamesh.engine.kinds import EngineName, SparkSchema, entry_engine, schema_of
from datamesh.warehouse import Warehouse


def published_location(warehouse: Warehouse, entry: dict[str, Any]) -> Path | SparkSchema:
    """The DuckDB file or the Spark schema the registry entry names (the switch of a publish)."""
    if entry_engine(entry) == EngineName.SPARK.value:
        schema = schema_of(entry.get("storage"))
        if schema is None:
            raise spark_server.SparkServerError(
                f"{warehouse.registry_file(entry['domain'])}: a Spark entry without a schema "
                f"(storage {entry.get('storage')!r}); rebuild the domain"
            )
        endpoint = spark_server.endpoint(warehouse)
        return SparkSchema(endpoint.host, endpoint.port, schema)
    return warehouse.root / entry["storage"]
