"""The mesh manifest's JSON Schema, checked into the package, and validation against it."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

from datamesh.errors import MeshError


@cache
def manifest_schema() -> dict[str, Any]:
    text = files("datamesh").joinpath("schemas/mesh_manifest.schema.json").read_text("utf-8")
    return json.loads(text)


def validate_manifest(manifest: dict[str, Any]) -> None:
    """Raise naming the JSON path of the first problem; the manifest is a published contract."""
    validator = Draft202012Validator(manifest_schema())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise MeshError(f"mesh manifest does not match its schema at {where}: {first.message}")
