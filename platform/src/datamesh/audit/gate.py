"""The audit seam of write-audit-publish: every check on a staged build goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.audit.location import AuditLocation
from datamesh.errors import MeshError
from datamesh.warehouse import Warehouse


@dataclass
class AuditResult:
    """Whether a staged domain may be published, and why not."""

    passed: bool
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def audit_domain(
    domain: str,
    location: AuditLocation,
    interface: dict[str, Any],
    warehouse: Warehouse,
    *,
    domain_dir: Path,
) -> AuditResult:
    """Run every public model version's expectation suite on the staged build.

    ``location`` is the staged DuckDB file or the Spark schema the build wrote.
    A critical failure blocks publishing; failed warnings are reported only. ``domain_dir``
    locates ``expectations/``. Data Docs are left to ``mesh validate``: rendering them here
    would slow every publish.
    """
    from datamesh.audit.run_suites import run_domain_suites
    from datamesh.audit.validate import resolve_as_of

    warnings: list[str] = []
    try:
        validations = run_domain_suites(
            domain, domain_dir, interface["models"], location,
            target="staging", warehouse=warehouse, as_of=resolve_as_of(),
        )  # fmt: skip
    except MeshError as exc:
        return AuditResult(passed=False, failures=[str(exc)], warnings=warnings)
    failures: list[str] = []
    for validation in validations:
        name = validation.plan.unique_id
        failures += [f"{name}: {o.describe()}" for o in validation.critical_failures]
        warnings += [f"{name}: {o.describe()}" for o in validation.failed_warnings]
    return AuditResult(passed=not failures, failures=failures, warnings=warnings)
