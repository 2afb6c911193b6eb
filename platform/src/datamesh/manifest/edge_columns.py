"""Each cross-domain edge with the producer columns its consumer model reads.

Needs dbt's compiled SQL (a ``dbt compile`` or ``dbt build`` manifest.json) and the producers'
interfaces (the injected nodes carry no columns; the registry does). An edge whose SQL was not
compiled, or cannot be resolved, reads ``"unknown"``: every column, on the safe side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from datamesh.manifest.columns_read import (
    OUTPUT,
    RelationKey,
    columns_read,
    first_line,
    relation_key,
)
from datamesh.manifest.interface import consumer_owner, own_models

UNKNOWN = "unknown"


def _producer_columns(interfaces: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        model["unique_id"]: [c["name"] for c in model.get("columns") or []]
        for interface in interfaces
        for model in interface.get("models") or []
    }


def _ref_line(raw: str, model: str) -> int | None:
    return first_line(raw, [f"'{model}'", f'"{model}"'])


def _known_own(dbt_manifest: dict[str, Any], project: str) -> dict[RelationKey, list[str]]:
    known: dict[RelationKey, list[str]] = {}
    for node in own_models(dbt_manifest, project):
        key = relation_key(node.get("relation_name") or "")
        if key and node.get("columns"):
            known[key] = list(node["columns"])
    return known


def annotate_edges(
    edges: list[dict[str, Any]],
    dbt_manifest: dict[str, Any],
    project: str,
    upstream_interfaces: Iterable[dict[str, Any]],
) -> list[dict[str, Any]]:
    """``edges`` (from ``cross_domain_edges``) each with ``columns``: a list of
    ``{"name", "line", "usage", "feeds"}`` or ``"unknown"`` (then ``columns_reason`` says
    why), and ``star``."""
    registered = _producer_columns(upstream_interfaces)
    nodes = dbt_manifest.get("nodes", {})
    by_consumer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        by_consumer[edge["consumer"]["unique_id"]].append(edge)
    known = _known_own(dbt_manifest, project)
    annotated: list[dict[str, Any]] = []
    for unique_id, consumer_edges in by_consumer.items():
        node = nodes.get(unique_id) or {}
        sql, raw = node.get("compiled_code"), node.get("raw_code") or ""
        owner = {"consumer_owner": consumer_owner(dbt_manifest, node)}
        keys: dict[int, RelationKey | None] = {}
        producers: dict[RelationKey, list[str] | None] = {}
        for index, edge in enumerate(consumer_edges):
            target = nodes.get(edge["producer"]["unique_id"] or "") or {}
            key = relation_key(target.get("relation_name") or "")
            keys[index] = key
            if key is not None:
                producers[key] = registered.get(edge["producer"]["unique_id"])
        reads = columns_read(sql, producers, known) if sql and producers else {}
        for index, edge in enumerate(consumer_edges):
            key = keys[index]
            read = reads.get(key) if key is not None else None
            if read is None or read.columns is None:
                reason = (
                    read.reason
                    if read is not None
                    else ("the model's SQL was not compiled" if not sql else "no relation name")
                )
                annotated.append({**edge, **owner, "columns": UNKNOWN, "columns_reason": reason,
                                  "star": bool(read and read.star)})  # fmt: skip
                continue
            ref_line = _ref_line(raw, edge["producer"]["model"])
            columns = [
                {
                    "name": name,
                    "line": first_line(raw, [name]) or ref_line,
                    "usage": read.usage.get(name, OUTPUT),
                    "feeds": sorted(read.feeds.get(name, ())),
                }
                for name in sorted(read.columns)
            ]
            annotated.append({**edge, **owner, "columns": columns, "star": read.star})
    return sorted(
        annotated, key=lambda e: (e["consumer"]["unique_id"], e["producer"]["unique_id"] or "")
    )


def reads_column(edge: dict[str, Any], column: str | None) -> bool:
    """Whether ``edge`` reads ``column`` (any column when None); unknown reads everything."""
    columns = edge.get("columns", UNKNOWN)
    if columns == UNKNOWN or column is None:
        return True
    return any(c["name"].lower() == column.lower() for c in columns)


def read_line(edge: dict[str, Any], column: str | None) -> int | None:
    """The line in the consumer's file where it reads ``column`` (best effort)."""
    columns = edge.get("columns", UNKNOWN)
    if columns == UNKNOWN:
        return None
    lines = [c.get("line") for c in columns if column is None or c["name"] == column.lower()]
    found = [line for line in lines if line]
    return min(found) if found else None


def read_usage(edge: dict[str, Any], column: str) -> str:
    """How ``edge`` reads ``column`` (``columns_read.USAGES``); reaching the output when not
    known (an unresolved read, or an edge recorded before usage was)."""
    columns = edge.get("columns", UNKNOWN)
    if columns == UNKNOWN:
        return OUTPUT
    found = [c.get("usage") or OUTPUT for c in columns if c["name"] == column.lower()]
    return found[0] if found else OUTPUT
