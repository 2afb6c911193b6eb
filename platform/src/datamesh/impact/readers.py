"""Who reads a public model, a version of it, or one of its columns: ``mesh impact``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from datamesh.errors import MeshError
from datamesh.manifest.column_lineage import endpoint_label
from datamesh.manifest.columns_read import OUTPUT
from datamesh.manifest.edge_columns import UNKNOWN, read_line, reads_column


class UnknownTarget(MeshError):
    """The model (version, column) asked about is not in the public interface."""


@dataclass(frozen=True)
class Reader:
    domain: str
    model: str
    version: int | str | None  # the producer version it reads
    pinned: bool
    columns: list[str] | None  # of the producer; None: unknown (reads every column)
    file: str | None
    line: int | None
    owner: str | None
    # per producer column read: how (``usage``) and the reader's output columns it feeds
    lineage: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_target(text: str) -> tuple[str, str, str | None]:
    """``domain.model[.column]`` as its parts."""
    parts = text.split(".")
    if len(parts) not in (2, 3) or not all(parts):
        raise MeshError(f"'{text}': expected <domain>.<model> or <domain>.<model>.<column>")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


def _check_target(
    manifest: dict[str, Any], domain: str, model: str, column: str | None, version: Any
) -> None:
    found = [
        m for d in manifest["domains"] if d["name"] == domain for m in d["models"]
        if m["name"] == model
    ]  # fmt: skip
    if not found:
        raise UnknownTarget(f"{domain}.{model} is not a public model of the mesh")
    if version is not None:
        found = [m for m in found if str(m.get("version")) == str(version)]
        if not found:
            raise UnknownTarget(f"{domain}.{model} has no version {version}")
    names = {c["name"].lower() for m in found for c in m.get("columns") or []}
    if column is not None and column.lower() not in names:
        raise UnknownTarget(f"{domain}.{model} has no column '{column}'")


def readers_of(
    manifest: dict[str, Any],
    domain: str,
    model: str,
    column: str | None = None,
    version: int | str | None = None,
) -> list[Reader]:
    """The consumer models that read ``domain.model`` (that version, that column)."""
    _check_target(manifest, domain, model, column, version)
    owners = {d["name"]: (d.get("owner") or {}).get("name") for d in manifest["domains"]}
    found = []
    for edge in manifest["edges"]:
        producer, consumer = edge["producer"], edge["consumer"]
        if (producer["domain"], producer["model"]) != (domain, model):
            continue
        if version is not None and str(producer.get("version")) != str(version):
            continue
        if not reads_column(edge, column):
            continue
        columns = edge.get("columns", UNKNOWN)
        owner = (edge.get("consumer_owner") or {}).get("name") or owners.get(consumer["domain"])
        lineage = None if columns == UNKNOWN else [
            {"column": c["name"], "usage": c.get("usage", OUTPUT),
             "feeds": [endpoint_label(consumer, f) for f in c.get("feeds") or []]}
            for c in columns if column is None or c["name"] == column.lower()
        ]  # fmt: skip
        found.append(
            Reader(
                consumer["domain"], consumer["model"], producer.get("version"),
                bool(edge.get("pinned")),
                None if columns == UNKNOWN else [c["name"] for c in columns],
                consumer.get("file"), read_line(edge, column), owner, lineage,
            )
        )  # fmt: skip
    return sorted(found, key=lambda r: (r.domain, r.model, str(r.version)))
