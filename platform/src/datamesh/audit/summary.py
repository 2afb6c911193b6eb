"""The validation summary: one line per model version validated so far, typed, with its
writer and reader (``schemas/validation_summary.schema.json``; the map reads it).

Audits of one build run in parallel threads and each merges its domain's lines into the file.
A summary that is there but unreadable stops the merge with an error naming the file: dropping
it would silently forget every other domain's results.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamesh.jsonio import read_report, write_json_atomic

SCHEMA = "validation_summary.schema.json"
SCHEMA_VERSION = 1
WHAT = "validation summary"
_LOCK = threading.Lock()


@dataclass
class ModelSummary:
    """One model version's latest validation, and where its full results are."""

    unique_id: str
    domain: str
    model: str
    version: int | str | None
    success: bool
    critical_failures: int
    warnings: int
    evaluated: int
    validated_at: str
    target: str  # staging | published
    result_file: str | None  # relative to the reports folder

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelSummary:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass
class ValidationSummary:
    generated_at: str
    models: list[ModelSummary] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "generated_at": self.generated_at,
            "models": [asdict(m) for m in self.models],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValidationSummary:
        models = [ModelSummary.from_json(m) for m in data["models"]]
        return cls(data["generated_at"], models, data["schema_version"])


def read_validation_summary(path: Path) -> ValidationSummary | None:
    """The summary at ``path``; None when missing, a ``MeshError`` naming it when invalid."""
    data = read_report(path, SCHEMA, WHAT)
    return None if data is None else ValidationSummary.from_json(data)


def merge_into_summary(path: Path, models: list[ModelSummary]) -> ValidationSummary:
    """Replace these model versions' lines in the summary, keeping every other one."""
    with _LOCK:  # parallel domain audits of one build read, merge and write it in turn
        previous = read_validation_summary(path)
        entries = {m.unique_id: m for m in previous.models} if previous else {}
        entries |= {m.unique_id: m for m in models}
        summary = ValidationSummary(
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            models=[entries[k] for k in sorted(entries)],
        )
        write_json_atomic(path, summary.to_json())
    return summary
