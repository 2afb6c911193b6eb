"""What a benchmark scenario produces: measured rows, targets checked, notes on where time goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.measure import Measurement, Stats, summarise


@dataclass
class Row:
    """One measured command: wall time and peak memory over its runs (or why it did not run)."""

    label: str
    seconds: Stats | None = None
    peak_bytes: Stats | None = None
    max_process_bytes: Stats | None = None
    skipped: str | None = None

    @classmethod
    def of(cls, label: str, runs: list[Measurement]) -> Row:
        return cls(
            label,
            summarise(r.seconds for r in runs),
            summarise(r.peak_bytes for r in runs),
            summarise(r.max_process_bytes for r in runs),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "seconds": self.seconds.to_json() if self.seconds else None,
            "peak_bytes": self.peak_bytes.to_json() if self.peak_bytes else None,
            "max_process_bytes": (
                self.max_process_bytes.to_json() if self.max_process_bytes else None
            ),
            "skipped": self.skipped,
        }


@dataclass
class Target:
    """A figure the issue sets a goal for; ``met`` is None when it could not be measured."""

    what: str
    value: float | None
    goal: str
    met: bool | None
    unit: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "value": self.value, "unit": self.unit, "goal": self.goal,
                "met": self.met}  # fmt: skip


@dataclass
class Scenario:
    """One numbered item of the issue."""

    number: int
    title: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "rows": [r.to_json() for r in self.rows],
            "targets": [t.to_json() for t in self.targets],
            "notes": self.notes,
            "details": self.details,
        }


def at_most(what: str, value: float | None, limit: float, unit: str = "") -> Target:
    """A target ``value <= limit`` (None when the value could not be measured)."""
    goal = f"<= {limit:g}{unit}"
    return Target(what, value, goal, None if value is None else value <= limit, unit)
