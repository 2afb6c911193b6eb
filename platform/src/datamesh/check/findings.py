"""The records a check produces: governance findings and breaking changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from datamesh.impact.changes import ERROR as ERROR  # re-exported: the check's records
from datamesh.impact.changes import INFO as INFO
from datamesh.impact.changes import OFF as OFF
from datamesh.impact.changes import SEVERITIES as SEVERITIES
from datamesh.impact.changes import SEVERITY_RANK as SEVERITY_RANK
from datamesh.impact.changes import WARNING as WARNING
from datamesh.impact.changes import Addition as Addition
from datamesh.impact.changes import BreakingChange as BreakingChange
from datamesh.impact.changes import Consumer as Consumer
from datamesh.impact.changes import Severity as Severity
from datamesh.impact.changes import _known
from datamesh.impact.changes import version_number as version_number

SCHEMA_VERSION = 1  # of the check report (``schemas/check_report.schema.json``)


@dataclass(frozen=True)
class Finding:
    """One rule broken by one model (or domain), with the file a reviewer has to fix."""

    rule: str
    severity: Severity
    message: str
    domain: str
    model: str | None = None
    version: int | str | None = None
    file: str | None = None
    explanation: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(**{**_known(cls, data), "severity": Severity(data["severity"])})


def finding_key(finding: Finding) -> tuple[str, str, str | None, str]:
    """What makes a finding the same one on the baseline and now (files may move)."""
    return (finding.rule, finding.domain, finding.model, str(finding.version))


def shown_path(path: Path, base: Path | None) -> str:
    """A file as a reviewer finds it: relative to the repo (``base``) when it is inside it."""
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)


@dataclass
class CheckResult:
    """Everything one ``mesh check`` found; ``to_json`` is the check report
    (``check/report_file.py`` writes and reads it)."""

    generated_at: str
    baseline: str | None
    findings: list[Finding]
    breaking_changes: list[BreakingChange]
    waived: list[tuple[Finding, Any]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    changelog: list[Addition] = field(default_factory=list)
    preexisting: frozenset[tuple[str, str, str | None, str]] = frozenset()  # Finding.key

    def is_new(self, finding: Finding) -> bool:
        """Whether this change introduces ``finding`` (it was not found on the baseline)."""
        return finding_key(finding) not in self.preexisting

    def summary(self) -> dict[Severity, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for item in (*self.findings, *self.breaking_changes):
            counts[item.severity] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if self.summary()[ERROR] else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "baseline": self.baseline,
            "summary": self.summary(),
            "findings": [f.to_json() for f in self.findings],
            "breaking_changes": [c.to_json() for c in self.breaking_changes],
            "waived": [{**f.to_json(), "reason": w.reason} for f, w in self.waived],
            "left_out_domains": list(self.left_out),
            "changelog": [a.to_json() for a in self.changelog],
        }
