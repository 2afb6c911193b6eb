"""Reading YAML files with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from datamesh.errors import MeshError


def load_yaml(
    path: Path,
    *,
    error: type[MeshError] = MeshError,
    transform: Callable[[str], str] | None = None,
) -> Any:
    """Parse one YAML file; a syntax error becomes ``error`` naming the file and line.

    ``transform`` rewrites the text first (a tool's own variable interpolation, say).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror}") from exc
    if transform is not None:
        text = transform(text)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{where}: invalid YAML: {problem}") from exc
