"""The records a check produces: governance findings and breaking changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Severity(StrEnum):
    """How much a finding matters; ``off`` (config only) drops a rule."""

    ERROR = "error"  # fails the check
    WARNING = "warning"
    INFO = "info"
    OFF = "off"


ERROR, WARNING, INFO, OFF = Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.OFF
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
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


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    return {k: v for k, v in data.items() if k in names}


@dataclass(frozen=True)
class Consumer:
    """A model (or an exposure, ``exposure:<name>``) and the producer version it reads.

    ``file`` and ``line`` say where it reads the changed column (the file to fix), ``owner``
    whom to notify, ``advice`` what to do about this change for this reader.
    """

    domain: str
    model: str
    version: int | str | None = None
    file: str | None = None
    line: int | None = None
    owner: str | None = None
    pinned: bool | None = None
    advice: str | None = None

    @property
    def where(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line else self.file

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
    def severity(self) -> Severity:
        return ERROR if self.breaking else INFO

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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BreakingChange:
        consumers = tuple(Consumer(**_known(Consumer, c)) for c in data["consumers"])
        return cls(**{**_known(cls, data), "consumers": consumers})


@dataclass(frozen=True)
class Addition:
    """A compatible change (a new column, version or model): the changelog of a check."""

    kind: str
    domain: str
    model: str
    version: int | str | None
    message: str
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def finding_key(finding: Finding) -> tuple[str, str, str | None, str]:
    """What makes a finding the same one on the baseline and now (files may move)."""
    return (finding.rule, finding.domain, finding.model, str(finding.version))


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
