"""The engine seam of write-audit-publish: one object per engine, the same calls for both.

The orchestrator asks a ``Publisher`` where a domain's dbt writes, what the audit reads, how to
publish, discard and collect, and whether a publication is intact; it never asks which engine
runs. DuckDB: a staging file, a candidate file copied out of it, an immutable publication
folder. Spark: a schema per build, audited in place, published by the registry switch.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from datamesh.engine import spark_server
from datamesh.engine.kinds import EngineName, SparkSchema, build_schema, schema_of
from datamesh.errors import MeshError
from datamesh.publish.grants import write_grants
from datamesh.publish.integrity import IntegrityProblem, scan_publications
from datamesh.publish.publish import (
    checkpoint,
    collect_publications,
    discard_candidate,
    publish_domain,
    write_candidate,
)
from datamesh.publish.spark_publish import (
    collect_schemas,
    discard_schema,
    publish_spark_domain,
    scan_spark_publications,
)
from datamesh.warehouse import Warehouse

Candidate = Path | SparkSchema  # what the audit reads and a publish names


class Publisher(Protocol):
    engine: EngineName
    # a consumer may start ahead of its producers and read their candidates before they publish
    # (the DuckDB plugin's start gate); otherwise it starts once they published
    pipelines: bool

    def dbt_target(self, domain: str, run_id: str) -> SparkSchema | None:
        """Where the domain's dbt writes besides its staging folder (None: the staging file)."""

    def candidate(
        self, warehouse: Warehouse, interface: dict[str, Any], staging: Path, run_id: str
    ) -> Candidate:
        """What the audit reads after a good build, and what the publish will name."""

    def publish(
        self,
        warehouse: Warehouse,
        interface: dict[str, Any],
        candidate: Candidate,
        *,
        fingerprint: str,
        run_id: str,
        consumers: list[str],
    ) -> None: ...

    def discard(self, domain: str, run_id: str, candidate: Candidate | None) -> None:
        """What a build wrote that will not be published goes (a failed, blocked, stopped one)."""

    def collect(self, warehouse: Warehouse, domain: str, keep: set[str | None]) -> None:
        """Remove the domain's publications the registry no longer names (``keep``: storages)."""

    def scan(self, warehouse: Warehouse, domains: list[str]) -> dict[str, IntegrityProblem]:
        """The registered domains whose publication is not what was published."""

    def own_inputs(self) -> dict[str, Any]:
        """Added to every domain's build fingerprint: a change of engine rebuilds."""


@dataclass(frozen=True)
class DuckDBPublisher:
    engine: EngineName = EngineName.DUCKDB
    pipelines: bool = True

    def dbt_target(self, domain: str, run_id: str) -> SparkSchema | None:
        return None

    def candidate(
        self, warehouse: Warehouse, interface: dict[str, Any], staging: Path, run_id: str
    ) -> Candidate:
        checkpoint(staging)
        return write_candidate(warehouse, interface, staging, run_id)

    def publish(self, warehouse: Warehouse, interface: dict[str, Any], candidate: Candidate, *,
                fingerprint: str, run_id: str, consumers: list[str]) -> None:  # fmt: skip
        assert isinstance(candidate, Path)
        publish_domain(warehouse, interface, candidate, fingerprint=fingerprint, run_id=run_id)

    def discard(self, domain: str, run_id: str, candidate: Candidate | None) -> None:
        if isinstance(candidate, Path):
            discard_candidate(candidate)

    def collect(self, warehouse: Warehouse, domain: str, keep: set[str | None]) -> None:
        collect_publications(warehouse, domain, keep)

    def scan(self, warehouse: Warehouse, domains: list[str]) -> dict[str, IntegrityProblem]:
        return scan_publications(warehouse, domains)

    def own_inputs(self) -> dict[str, Any]:
        return {}  # DuckDB fingerprints stay what they were before there was a second engine


@dataclass(frozen=True)
class SparkPublisher:
    endpoint: spark_server.Endpoint
    root: Path  # the warehouse folder: its tag is in every build schema's name
    engine: EngineName = EngineName.SPARK
    pipelines: bool = False  # dbt-spark has no start gate: consumers start after publish

    def dbt_target(self, domain: str, run_id: str) -> SparkSchema | None:
        schema = build_schema(domain, run_id, self.root)
        return SparkSchema(self.endpoint.host, self.endpoint.port, schema)

    def candidate(
        self, warehouse: Warehouse, interface: dict[str, Any], staging: Path, run_id: str
    ) -> Candidate:
        target = self.dbt_target(interface["domain"], run_id)
        assert target is not None
        return target  # the build's own schema: nothing names it until the switch

    def publish(self, warehouse: Warehouse, interface: dict[str, Any], candidate: Candidate, *,
                fingerprint: str, run_id: str, consumers: list[str]) -> None:  # fmt: skip
        assert isinstance(candidate, SparkSchema)
        publish_spark_domain(
            warehouse, interface, candidate, fingerprint=fingerprint, run_id=run_id
        )
        write_grants(warehouse, interface, candidate.schema, consumers)

    def discard(self, domain: str, run_id: str, candidate: Candidate | None) -> None:
        target = self.dbt_target(domain, run_id)
        assert target is not None
        with contextlib.suppress(MeshError):  # unreachable now: the next build drops it
            discard_schema(target)

    def collect(self, warehouse: Warehouse, domain: str, keep: set[str | None]) -> None:
        collect_schemas(self.endpoint, domain, {schema_of(k) for k in keep}, self.root)

    def scan(self, warehouse: Warehouse, domains: list[str]) -> dict[str, IntegrityProblem]:
        return scan_spark_publications(self.endpoint, warehouse, domains)

    def own_inputs(self) -> dict[str, Any]:
        return {"engine": self.engine.value}


def publisher_for(engine: EngineName, warehouse: Warehouse) -> Publisher:
    """The seam for ``engine``; Spark needs a server (a named error when there is none)."""
    if engine is EngineName.SPARK:
        return SparkPublisher(spark_server.endpoint(warehouse), warehouse.root)
    return DuckDBPublisher()
