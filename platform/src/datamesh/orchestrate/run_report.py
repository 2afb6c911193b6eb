"""The run report of one ``mesh build``: a typed record, its writer and its reader.

Written to ``Warehouse.run_report_file(run_id)`` and ``Warehouse.last_run_file``; its JSON
Schema is ``schemas/run_report.schema.json``. Like dbt's ``run_results.json`` it carries a
``schema_version`` so readers (the map, the benchmark, CI scripts) know what they read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from datamesh.jsonio import read_report, write_json_atomic
from datamesh.warehouse import Warehouse

SCHEMA = "run_report.schema.json"
SCHEMA_VERSION = 1
WHAT = "build run report"


class Status(StrEnum):
    """How one domain's build ended."""

    PUBLISHED = "published"
    UNCHANGED = "unchanged"  # nothing it reads changed since its last publish: skipped
    FAILED = "failed"
    BLOCKED = "blocked"  # an upstream did not publish
    INTERRUPTED = "interrupted"  # SIGINT/SIGTERM: stopped or never started, nothing published

    @property
    def ok(self) -> bool:
        """Consumers may build on it: what they read is published and current."""
        return self in (Status.PUBLISHED, Status.UNCHANGED)


class RunStatus(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass
class DomainResult:
    """One domain's outcome in a run report."""

    domain: str
    status: Status
    reason: str = ""
    seconds: float = 0.0
    dbt_seconds: float = 0.0
    audit_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    log_file: str | None = None
    started_ahead_of: list[str] = field(default_factory=list)  # producers still building then
    restarted: str = ""  # why a build started ahead was called off and run again
    phases: dict[str, float] = field(default_factory=dict)  # seconds by write/phases.PHASES

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DomainResult:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        return cls(**{**values, "status": Status(data["status"])})


@dataclass
class RunReport:
    """One build: what was selected, how each domain ended, and how long it took."""

    run_id: str
    started_at: str
    seconds: float
    warehouse: str
    selected: list[str]
    workers: int
    full_refresh: bool
    status: RunStatus
    domains: list[DomainResult]
    integrity: list[dict[str, str]] = field(default_factory=list)  # damaged publications found
    interrupted_by: str = ""  # SIGINT or SIGTERM when a signal stopped the build
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def of(cls, results: list[DomainResult], **run: Any) -> RunReport:
        """The report of a run whose domains ended as ``results``: failed if any did not."""
        failed = any(not r.status.ok for r in results)
        status = RunStatus.FAILED if failed else RunStatus.SUCCESS
        if run.get("interrupted_by"):
            status = RunStatus.INTERRUPTED
        return cls(**run, status=status, domains=results)

    def domain(self, name: str) -> DomainResult:
        return next(d for d in self.domains if d.domain == name)

    def statuses(self) -> dict[str, Status]:
        return {d.domain: d.status for d in self.domains}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": data.pop("schema_version"), **data}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunReport:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        domains = [DomainResult.from_json(d) for d in data["domains"]]
        return cls(**{**values, "status": RunStatus(data["status"]), "domains": domains})


def write_run_report(warehouse: Warehouse, report: RunReport) -> None:
    """Keep this run's report, and make it the one ``last_run_file`` names."""
    data = report.to_json()
    write_json_atomic(warehouse.run_report_file(report.run_id), data)
    write_json_atomic(warehouse.last_run_file, data)


def read_run_report(path: Path) -> RunReport | None:
    """The run report at ``path``; None when missing, a ``MeshError`` naming it when invalid."""
    data = read_report(path, SCHEMA, WHAT)
    return None if data is None else RunReport.from_json(data)
