"""JSON files the platform writes atomically, and reads back checked against their schema."""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from datamesh.errors import MeshError


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write JSON atomically (``write_text_atomic``)."""
    write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")


def read_json_object(path: Path, what: str) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when the file does not exist."""
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MeshError(f"{path}: {what} is not valid JSON: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MeshError(f"{path}: {what} cannot be read: {exc}") from exc
    if not isinstance(payload, dict):
        raise MeshError(f"{path}: {what} must be a JSON object, found {type(payload).__name__}")
    return payload


@cache
def packaged_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``datamesh/schemas/``."""
    return json.loads(files("datamesh").joinpath("schemas", name).read_text("utf-8"))


_TYPE_WORDS = {"array": "a list", "object": "a JSON object", "string": "a string"}


def check_schema(payload: dict[str, Any], schema: str, path: Path, what: str) -> None:
    """Raise naming the file and the JSON path of the first problem (a wrong type first)."""
    validator = Draft202012Validator(packaged_schema(schema))
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    first = next((e for e in errors if e.validator == "type" and e.absolute_path), errors[0])
    where = "/".join(str(p) for p in first.absolute_path) or "(root)"
    if first.validator == "type" and isinstance(first.validator_value, str):
        expected = _TYPE_WORDS.get(first.validator_value, first.validator_value)
        raise MeshError(f"{path}: {what}: '{where}' must be {expected}")
    raise MeshError(f"{path}: {what} does not match its schema at {where}: {first.message}")


def read_report(path: Path, schema: str, what: str) -> dict[str, Any] | None:
    """A report the platform wrote, checked against its schema; None when it does not exist.

    A report that is there but unreadable is an error naming the file, never silently
    ignored or rebuilt: a stage reading it would otherwise report on half the truth.
    """
    payload = read_json_object(path, what)
    if payload is not None:
        check_schema(payload, schema, path, what)
    return payload
