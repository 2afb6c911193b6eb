"""The audit seam of write-audit-publish: every check on a staged file goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb


@dataclass
class AuditResult:
    """Whether a staged domain may be published, and why not."""

    passed: bool
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def check_published_relations(database_file: Path, models: list[dict[str, Any]]) -> list[str]:
    """Every public model's table exists in the staged file with at least one row."""
    problems: list[str] = []
    with duckdb.connect(str(database_file), read_only=True) as conn:
        for model in models:
            relation = f'"{model["schema"]}"."{model["identifier"]}"'
            try:
                (rows,) = conn.execute(f"select count(*) from {relation}").fetchone()
            except duckdb.Error as exc:
                problems.append(f"{model['unique_id']}: {relation} cannot be read: {exc}")
                continue
            if rows == 0:
                problems.append(f"{model['unique_id']}: {relation} is empty")
    return problems


def audit_domain(
    domain: str, database_file: Path, interface: dict[str, Any], reports_dir: Path
) -> AuditResult:
    """Run every audit on a staged domain; a failure blocks publishing."""
    failures = check_published_relations(database_file, interface["models"])
    return AuditResult(passed=not failures, failures=failures)
