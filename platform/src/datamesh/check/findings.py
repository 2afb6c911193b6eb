"""The records a check produces: governance findings and breaking changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    """A model (or an exposure, ``exposure:<name>``) that reads a producer's model version."""

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
