"""The expectation files a domain writes: ``domains/<d>/expectations/<model>[_v<N>].yml``.

Shape (one file per model; a ``_v<N>`` file replaces the plain one for that version)::

    expectations:
      - type: expect_column_values_to_be_between        # any Great Expectations expectation
        kwargs: {column: order_total, min_value: 0, max_value: 2000}
        severity: critical                              # critical blocks publishing
      - type: freshness                                 # newest value no older than the limit
        column: ordered_at
        max_age_days: 3                                 # or max_age_hours
        severity: warning                               # warning only reports
      - type: null_share                                # at most this share of nulls
        column: region
        max_share: 0.2
        severity: warning

This module only checks the shape; column names are checked against the model's contract in
``suites.py`` and expectation types and arguments by Great Expectations in ``validate.py``.
Every error names the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.audit.severity import Severity
from datamesh.errors import MeshError
from datamesh.yamlfile import load_yaml

EXPECTATIONS_DIR = "expectations"
SEVERITIES = tuple(Severity)
FRESHNESS = "freshness"
NULL_SHARE = "null_share"
FRIENDLY_KEYS = {
    FRESHNESS: ({"type", "column", "severity"}, {"max_age_days", "max_age_hours", "description"}),
    NULL_SHARE: ({"type", "column", "max_share", "severity"}, {"description"}),
}
GX_KEYS = ({"type", "kwargs", "severity"}, {"description"})
_VERSIONED = re.compile(r"^(?P<model>.+)_v(?P<version>\d+)$")


class ExpectationFileError(MeshError):
    """An expectation file that cannot be read as a list of expectations."""


@dataclass(frozen=True)
class FileExpectation:
    """One entry of an expectation file, as written (friendly types not yet converted)."""

    type: str
    severity: Severity
    file: Path
    index: int
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the entry is written: ``<file>: expectations[<i>] (<type>)``."""
        return f"{self.file}: expectations[{self.index}] ({self.type})"


def _check_keys(where: str, entry: dict[str, Any], required: set, optional: set) -> None:
    missing = sorted(required - entry.keys())
    if missing:
        raise ExpectationFileError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(entry.keys() - required - optional)
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        raise ExpectationFileError(
            f"{where}: unknown key {', '.join(unknown)} (allowed: {allowed})"
        )


def _number(where: str, entry: dict[str, Any], key: str, low: float, high: float | None) -> float:
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExpectationFileError(f"{where}: {key} must be a number, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ExpectationFileError(f"{where}: {key} must be {bounds}, got {value!r}")
    return float(value)


def _parse_entry(path: Path, index: int, entry: Any) -> FileExpectation:
    where = f"{path}: expectations[{index}]"
    if not isinstance(entry, dict):
        raise ExpectationFileError(f"{where}: must be a mapping with type and severity")
    kind = entry.get("type")
    if not isinstance(kind, str) or not kind:
        raise ExpectationFileError(
            f"{where}: missing type (an expect_* name, {FRESHNESS} or {NULL_SHARE})"
        )
    where = f"{where} ({kind})"
    if kind in FRIENDLY_KEYS:
        _check_keys(where, entry, *FRIENDLY_KEYS[kind])
    elif kind.startswith("expect_"):
        _check_keys(where, entry, *GX_KEYS)
    else:
        raise ExpectationFileError(
            f"{where}: unknown type; use a Great Expectations expect_* name, "
            f"{FRESHNESS} or {NULL_SHARE}"
        )
    severity = entry["severity"]
    if severity not in SEVERITIES:
        raise ExpectationFileError(
            f"{where}: severity must be one of {', '.join(SEVERITIES)}, got {severity!r}"
        )
    if kind == FRESHNESS:
        ages = [k for k in ("max_age_days", "max_age_hours") if k in entry]
        if len(ages) != 1:
            raise ExpectationFileError(f"{where}: give exactly one of max_age_days, max_age_hours")
        hours = _number(where, entry, ages[0], 0, None) * (24 if ages[0] == "max_age_days" else 1)
        kwargs = {"column": entry["column"], "max_age_hours": hours}
    elif kind == NULL_SHARE:
        kwargs = {"column": entry["column"], "max_share": _number(where, entry, "max_share", 0, 1)}
    else:
        kwargs = entry["kwargs"]
        if not isinstance(kwargs, dict):
            raise ExpectationFileError(f"{where}: kwargs must be a mapping, got {kwargs!r}")
    if "column" in kwargs and not isinstance(kwargs["column"], str):
        raise ExpectationFileError(
            f"{where}: column must be a column name, got {kwargs['column']!r}"
        )
    return FileExpectation(kind, Severity(severity), path, index, dict(kwargs))


def load_expectation_file(path: Path) -> list[FileExpectation]:
    """Parse and check one expectation file; a malformed one raises naming file and entry."""
    document = load_yaml(path, error=ExpectationFileError)
    if not isinstance(document, dict) or "expectations" not in document:
        raise ExpectationFileError(f"{path}: must be a mapping with an 'expectations:' list")
    unknown = sorted(set(document) - {"expectations", "description"})
    if unknown:
        raise ExpectationFileError(f"{path}: unknown top-level key {', '.join(unknown)}")
    entries = document["expectations"]
    if not isinstance(entries, list):
        raise ExpectationFileError(f"{path}: 'expectations' must be a list")
    return [_parse_entry(path, i, entry) for i, entry in enumerate(entries)]


def expectation_file_for(domain_dir: Path, model: str, version: Any) -> Path | None:
    """The file for one model version: ``<model>_v<N>.yml`` if present, else ``<model>.yml``."""
    folder = domain_dir / EXPECTATIONS_DIR
    candidates = [f"{model}_v{version}" for _ in [0] if version is not None] + [model]
    for stem in candidates:
        for suffix in (".yml", ".yaml"):
            path = folder / f"{stem}{suffix}"
            if path.is_file():
                return path
    return None


def check_file_names(domain_dir: Path, models: list[dict[str, Any]]) -> None:
    """Every expectation file must name a public model (and version) the domain publishes."""
    folder = domain_dir / EXPECTATIONS_DIR
    if not folder.is_dir():
        return
    names = {m["name"] for m in models}
    versions = {(m["name"], str(m["version"])) for m in models if m.get("version") is not None}
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        if path.stem in names:
            continue
        match = _VERSIONED.match(path.stem)
        if match and (match["model"], match["version"]) in versions:
            continue
        known = ", ".join(sorted(names)) or "none"
        raise ExpectationFileError(
            f"{path}: names no public model version of this domain (public models: {known})"
        )
