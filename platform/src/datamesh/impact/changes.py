"""What a change to a public interface is, and whom it breaks: shared by ``mesh check`` (against
a baseline) and ``mesh build`` (at publish, against what registered consumers read)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
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
    is reported but does not fail the check. ``cautions`` are readers a type change leaves
    working by the engine's implicit cast (``impact/cast_compare.py``): a warning to check the
    values, not a failure.
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
    cautions: tuple[Consumer, ...] = field(default_factory=tuple)

    @property
    def breaking(self) -> bool:
        return bool(self.consumers)

    @property
    def severity(self) -> Severity:
        if self.breaking:
            return ERROR
        return WARNING if self.cautions else INFO

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
            "cautions": [c.to_json() for c in self.cautions],
            "message": self.message,
            "file": self.file,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BreakingChange:
        consumers = tuple(Consumer(**_known(Consumer, c)) for c in data["consumers"])
        cautions = tuple(Consumer(**_known(Consumer, c)) for c in data.get("cautions") or [])
        return cls(**{**_known(cls, data), "consumers": consumers, "cautions": cautions})


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


def version_number(value: Any) -> float | None:
    """A model version as a number to compare (dbt versions may be strings), else None."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
