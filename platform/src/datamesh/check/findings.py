"""The records a check produces: governance findings and breaking changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ERROR, WARNING, INFO, OFF = "error", "warning", "info", "off"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    """One rule broken by one model (or domain), with the file a reviewer has to fix."""

    rule: str
    severity: str
    message: str
    domain: str
    model: str | None = None
    version: int | str | None = None
    file: str | None = None
    explanation: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Consumer:
    """A model (or an exposure, ``exposure:<name>``) and the producer version it reads."""

    domain: str
    model: str
    version: int | str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BreakingChange:
    """One incompatible change to a public model against the baseline, and who it breaks.

    ``breaking`` is true only when somebody reads the changed version: a change nobody reads
    is reported but does not fail the check.
    """

    kind: str
    domain: str
    model: str
    version: int | str | None
    message: str
    column: str | None = None
    before: Any = None
    after: Any = None
    consumers: tuple[Consumer, ...] = field(default_factory=tuple)
    file: str | None = None

    @property
    def breaking(self) -> bool:
        return bool(self.consumers)

    @property
    def severity(self) -> str:
        return ERROR if self.breaking else WARNING

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "domain": self.domain,
            "model": self.model,
            "version": self.version,
            "column": self.column,
            "before": self.before,
            "after": self.after,
            "breaking": self.breaking,
            "severity": self.severity,
            "consumers": [c.to_json() for c in self.consumers],
            "message": self.message,
            "file": self.file,
        }


def version_number(value: Any) -> float | None:
    """A model version as a number to compare (dbt versions may be strings), else None."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


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
    """Everything one ``mesh check`` found; ``to_json`` is reports/check/latest.json."""

    generated_at: str
    baseline: str | None
    findings: list[Finding]
    breaking_changes: list[BreakingChange]
    waived: list[tuple[Finding, Any]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for item in (*self.findings, *self.breaking_changes):
            counts[item.severity] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if self.summary()[ERROR] else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "baseline": self.baseline,
            "summary": self.summary(),
            "findings": [f.to_json() for f in self.findings],
            "breaking_changes": [c.to_json() for c in self.breaking_changes],
            "waived": [{**f.to_json(), "reason": w.reason} for f, w in self.waived],
            "left_out_domains": list(self.left_out),
        }
