"""Copy a domain's public interface, and nothing else, out of its staging file.

Consumers attach what a domain publishes, so that file must hold the public model versions only:
private and protected models (staging views that read raw files, intermediate tables) stay in the
producer's own working file and cannot be read by name from another domain.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb

from datamesh.errors import MeshError

STAGING_ALIAS = "mesh_staging"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def public_relations(models: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(schema, identifier) of every public model version, in interface order, once each."""
    seen: dict[tuple[str, str], None] = {}
    for model in models:
        if model.get("access") == "public":
            seen.setdefault((model.get("schema") or "main", model["identifier"]), None)
    return list(seen)


def extract_public(staging_file: Path, candidate: Path, models: list[dict[str, Any]]) -> None:
    """Write ``candidate``: one table per public model version, same schema and name.

    Views become tables (a view would read the producer's private relations). The file is
    checkpointed and synced, so it is whole before anything names it.
    """
    if candidate.exists():
        raise MeshError(f"{candidate}: a publication is never written twice")
    candidate.parent.mkdir(parents=True, exist_ok=True)
    staging_sql = str(staging_file).replace("'", "''")
    try:
        with duckdb.connect(str(candidate)) as conn:
            conn.execute(f"ATTACH '{staging_sql}' AS {STAGING_ALIAS} (READ_ONLY)")
            for schema, identifier in public_relations(models):
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
                conn.execute(
                    f"CREATE TABLE {quote(schema)}.{quote(identifier)} AS "
                    f"SELECT * FROM {STAGING_ALIAS}.{quote(schema)}.{quote(identifier)}"
                )
            conn.execute(f"DETACH {STAGING_ALIAS}")
            conn.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise MeshError(f"{candidate}: could not copy the public models out of {staging_file}: "
                        f"{exc}") from exc  # fmt: skip
    _sync(candidate)


def _sync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
