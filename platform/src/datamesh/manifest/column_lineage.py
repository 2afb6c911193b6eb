"""Column-level lineage across domains, one hop each way, from the edges' columns read.

Each edge column records the consumer's output columns it feeds (``columns_read.py`` follows
it through CTEs and subqueries), so a producer column's readers and a consumer column's sources
are a regrouping of the edges: no SQL is parsed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from datamesh.manifest.edge_columns import UNKNOWN


def endpoint_label(endpoint: dict[str, Any], column: str | None = None) -> str:
    """``sales.fct_orders v2.order_date`` (no ``vN`` for an unversioned model)."""
    version = endpoint.get("version")
    text = f"{endpoint['domain']}.{endpoint['model']}" + (
        f" v{version}" if version is not None else ""
    )
    return f"{text}.{column}" if column else text


def upstream_columns(edges: Iterable[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Consumer model id -> its output column -> the producer columns it derives from."""
    found: dict[str, dict[str, set[str]]] = {}
    for edge in edges:
        columns = edge.get("columns", UNKNOWN)
        if columns == UNKNOWN:
            continue
        model = found.setdefault(edge["consumer"]["unique_id"], {})
        for column in columns:
            for output in column.get("feeds") or []:
                label = endpoint_label(edge["producer"], column["name"])
                model.setdefault(output, set()).add(label)
    return {m: {c: sorted(s) for c, s in cols.items()} for m, cols in found.items()}


def downstream_columns(edges: Iterable[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Producer model id -> its column -> the consumer columns it feeds; a column read only in
    predicates names the consumer model with ``(in a predicate)``, an unresolved read
    ``(columns not resolved)`` under ``*``, an edge recorded without lineage
    ``(lineage not recorded)``."""
    found: dict[str, dict[str, set[str]]] = {}
    for edge in edges:
        model = found.setdefault(edge["producer"]["unique_id"], {})
        consumer = edge["consumer"]
        columns = edge.get("columns", UNKNOWN)
        if columns == UNKNOWN:
            model.setdefault("*", set()).add(f"{endpoint_label(consumer)} (columns not resolved)")
            continue
        for column in columns:
            readers = model.setdefault(column["name"], set())
            if "feeds" not in column:  # registered before lineage was recorded
                readers.add(f"{endpoint_label(consumer)} (lineage not recorded)")
                continue
            readers.update(endpoint_label(consumer, output) for output in column["feeds"])
            if not column["feeds"]:
                readers.add(f"{endpoint_label(consumer)} (in a predicate)")
    return {m: {c: sorted(s) for c, s in cols.items()} for m, cols in found.items()}
