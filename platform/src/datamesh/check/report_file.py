"""The check report as a file: ``Warehouse.check_report_file``, written by every ``mesh check``
and read by the map (``schemas/check_report.schema.json``).

The record is ``findings.CheckResult``; this module writes it and reads it back.
"""

from __future__ import annotations

from pathlib import Path

from datamesh.check.config import Waiver
from datamesh.check.findings import Addition, BreakingChange, CheckResult, Finding
from datamesh.jsonio import read_report, write_json_atomic
from datamesh.warehouse import Warehouse

SCHEMA = "check_report.schema.json"
WHAT = "check report"


def write_check_report(warehouse: Warehouse, result: CheckResult) -> Path:
    path = warehouse.check_report_file
    write_json_atomic(path, result.to_json())
    return path


def read_check_report(path: Path) -> CheckResult | None:
    """The check report at ``path``; None when missing, a ``MeshError`` naming it when invalid."""
    data = read_report(path, SCHEMA, WHAT)
    if data is None:
        return None
    waived = []
    for entry in data["waived"]:
        finding = Finding.from_json(entry)
        waived.append((finding, Waiver(finding.rule, finding.domain, finding.model or "",
                                       entry["reason"])))  # fmt: skip
    return CheckResult(
        generated_at=data["generated_at"],
        baseline=data["baseline"],
        findings=[Finding.from_json(f) for f in data["findings"]],
        breaking_changes=[BreakingChange.from_json(c) for c in data["breaking_changes"]],
        waived=waived,
        left_out=list(data["left_out_domains"]),
        changelog=[Addition(**a) for a in data.get("changelog") or []],
    )
