"""Which engine a mesh runs on, and where a build's relations live on it.

The stages above the engine seam pass these records around without looking inside: a DuckDB
build is a database file, a Spark build is a schema on a Thrift server.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from datamesh.engine.spark_server import Endpoint
from datamesh.errors import MeshError

ENGINE_ENV = "MESH_ENGINE"


class EngineName(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


def selected_engine(value: str | None = None) -> EngineName:
    """``value`` (``--engine``), else ``MESH_ENGINE``, else DuckDB; an unknown name is named."""
    text = value or os.environ.get(ENGINE_ENV) or EngineName.DUCKDB.value
    try:
        return EngineName(text.strip().lower())
    except ValueError:
        known = ", ".join(e.value for e in EngineName)
        source = "--engine" if value else ENGINE_ENV
        raise MeshError(f"{source}={text!r} is not an engine this mesh runs on ({known})") from None


@dataclass(frozen=True)
class SparkSchema:
    """One schema on a Spark Thrift server: a build's staging, or a domain's publication."""

    host: str
    port: int
    schema: str

    @property
    def sqlalchemy_url(self) -> str:
        """PyHive's SQLAlchemy dialect: how Great Expectations reaches Spark SQL."""
        return f"hive://{self.host}:{self.port}/{self.schema}"

    @property
    def endpoint(self) -> Endpoint:
        """The server the schema is on, for the platform's own statements."""
        return Endpoint(self.host, self.port, external=True)

    def relation(self, table: str) -> str:
        return f"{quote_identifier(self.schema)}.{quote_identifier(table)}"


def quote_identifier(name: str) -> str:
    """A Spark SQL identifier in backticks (a backtick inside is doubled)."""
    return "`" + name.replace("`", "``") + "`"


def entry_engine(entry: dict[str, Any]) -> str:
    """The engine a registry entry was published on (entries from before Spark: DuckDB)."""
    return str(entry.get("engine") or EngineName.DUCKDB.value)


# How a Spark publication is named: each build of a domain writes ``<domain>__b<tag>_<run id>``,
# and a registry entry's storage names it as ``spark:<schema>``. The tag stands for the warehouse
# (its folder), so two meshes on one server (production and a pull request's CI, or a copy of a
# warehouse) never collect each other's schemas.
BUILD_SCHEMA_MARK = "__b"
STORAGE_PREFIX = "spark:"


def warehouse_tag(root: Path) -> str:
    return hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:6]


def schema_prefix(domain: str, root: Path) -> str:
    """What every build schema of ``domain`` from the warehouse at ``root`` starts with."""
    return f"{domain}{BUILD_SCHEMA_MARK}{warehouse_tag(root)}_"


def build_schema(domain: str, run_id: str, root: Path) -> str:
    """The schema one build of ``domain`` writes: unique per build, a valid Spark name."""
    return schema_prefix(domain, root) + re.sub(r"[^0-9a-z]+", "_", run_id.lower()).strip("_")


def domain_of_schema(schema: str) -> str:
    """The domain a build schema belongs to (``sales__b2026...`` -> ``sales``); else the name."""
    head, mark, _ = schema.partition(BUILD_SCHEMA_MARK)
    return head if mark and head else schema


def storage_of(schema: str) -> str:
    return f"{STORAGE_PREFIX}{schema}"


def schema_of(storage: str | None) -> str | None:
    """The schema a registry entry's storage names, or None when it is not on Spark."""
    if storage and storage.startswith(STORAGE_PREFIX):
        return storage[len(STORAGE_PREFIX) :]
    return None
