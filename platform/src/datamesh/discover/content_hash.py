"""Content fingerprints: what decides whether a domain must be parsed or built again."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from datamesh.discover.declarations import local_package_dirs
from datamesh.discover.projects import SKIPPED_DIRS


def project_files(project_dir: Path) -> list[Path]:
    """Source files of a dbt project: everything but build outputs and hidden folders."""
    files: list[Path] = []
    for folder, dirs, names in os.walk(project_dir):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        files.extend(Path(folder) / n for n in names if not n.startswith("."))
    return sorted(files)


def hash_files(files: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def hash_json(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def project_fingerprint(project_dir: Path) -> str:
    """The project's files, and its local packages' (their models build inside it)."""
    digest = hash_files(project_files(project_dir), project_dir)
    packages = local_package_dirs(project_dir)
    if not packages:
        return digest
    return hash_json([digest, *(hash_files(project_files(p), p) for p in packages)])
