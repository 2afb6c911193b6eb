"""Checksums of published files: a damaged or tampered publication is found, never called unchanged.

A publish records the file's SHA-256 and size in the registry entry. Hashing every publication
on every build would cost seconds at scale, so a file already verified is trusted again while its
size, mtime and inode are what they were when it was verified (any write through DuckDB, a
truncation or a replaced file changes them); ``full=True`` hashes regardless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamesh.engine.kinds import EngineName, entry_engine
from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic
from datamesh.registry import read_interface
from datamesh.warehouse import Warehouse

CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class IntegrityProblem:
    """A publication that is not what its registry entry says."""

    domain: str
    file: Path | str  # a DuckDB file, or a Spark table or schema
    reason: str

    def record(self) -> dict[str, str]:
        """For the run report."""
        return {"domain": self.domain, "file": str(self.file), "problem": self.reason}

    def __str__(self) -> str:
        kind = "file" if isinstance(self.file, Path) else "table"
        return f"published {kind} {self.file} of domain '{self.domain}' {self.reason}"


def file_checksum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": path.stat().st_size}


def _stat_key(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _read_cache(warehouse: Warehouse) -> dict[str, Any]:
    try:
        cache = json.loads(warehouse.integrity_cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a cache: lost or damaged only means hashing again
    return cache if isinstance(cache, dict) else {}


def remember_verified(warehouse: Warehouse, file: Path, checksum: dict[str, Any]) -> None:
    cache = _read_cache(warehouse)
    cache[str(file)] = {"stat": _stat_key(file), "sha256": checksum["sha256"]}
    write_json_atomic(warehouse.integrity_cache, cache)


def verify_publication(
    warehouse: Warehouse, entry: dict[str, Any], *, full: bool = False
) -> IntegrityProblem | None:
    """None when the file the entry names is the file that was published."""
    domain = entry["domain"]
    engine = entry_engine(entry)
    if engine != EngineName.DUCKDB.value:
        return IntegrityProblem(domain, str(entry.get("storage")),
                                f"is published on {engine}: this build runs on duckdb")  # fmt: skip
    file = warehouse.root / entry["storage"]
    expected = entry.get("checksum")
    if not file.is_file():
        return IntegrityProblem(domain, file, "is missing")
    if not isinstance(expected, dict) or "sha256" not in expected:
        return IntegrityProblem(domain, file, "has no recorded checksum (published by an "
                                "older version): rebuild it")  # fmt: skip
    if file.stat().st_size != expected.get("size"):
        return IntegrityProblem(
            domain, file, f"has {file.stat().st_size} bytes, {expected.get('size')} were published"
        )
    cached = _read_cache(warehouse).get(str(file))
    unchanged_since_verified = cached and cached.get("stat") == _stat_key(file)
    if not full and unchanged_since_verified and cached.get("sha256") == expected["sha256"]:
        return None
    actual = file_checksum(file)
    if actual["sha256"] != expected["sha256"]:
        return IntegrityProblem(domain, file, "was changed after it was published (checksum "
                                "differs)")  # fmt: skip
    remember_verified(warehouse, file, actual)
    return None


def scan_publications(
    warehouse: Warehouse,
    domains: list[str],
    verify: Callable[[dict[str, Any]], IntegrityProblem | None] | None = None,
) -> dict[str, IntegrityProblem]:
    """Every registered domain of ``domains`` whose publication is not what was published.

    ``verify``: the engine's check of one entry (default: the DuckDB file's checksum).
    """
    problems: dict[str, IntegrityProblem] = {}
    for name in domains:
        try:
            entry = read_interface(warehouse.registry_dir, name)
        except MeshError as exc:
            problems[name] = IntegrityProblem(name, warehouse.registry_file(name), str(exc))
            continue
        check = verify or (lambda e: verify_publication(warehouse, e))
        if entry is not None and (problem := check(entry)):
            problems[name] = problem
    return problems
