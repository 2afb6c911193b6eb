"""Column lineage across domains, written where a dbt docs reader looks: the columns.

dbt docs render a column's description as Markdown and show its ``meta``, so each column gets
one line per hop: ``from sales.fct_orders.order_date`` on a consumer's column, ``read by
marketing.int_customer_activity.first_order_date`` on a producer's (an upstream node's, or the
domain's own public model's), and the same lists under ``meta.mesh_lineage``. Pure functions
on dbt's manifest.json document.
"""

from __future__ import annotations

from typing import Any

from datamesh.docs.upstream_nodes import column_entry

Lineage = dict[str, dict[str, list[str]]]  # model id -> column -> labels


def _column(node: dict[str, Any], name: str) -> dict[str, Any]:
    """The node's column ``name`` (dbt keeps YAML's case), added when the YAML lacks it."""
    columns = node.setdefault("columns", {})
    for key, column in columns.items():
        if key.lower() == name.lower():
            return column
    columns[name] = column_entry({"name": name})
    return columns[name]


def _note(column: dict[str, Any], key: str, words: str, labels: list[str]) -> None:
    lines = "\n".join(f"- {words} `{label}`" for label in labels)
    description = (column.get("description") or "").rstrip()
    column["description"] = f"{description}\n\n{lines}" if description else lines
    meta = column.setdefault("meta", {})
    lineage = meta.setdefault("mesh_lineage", {})
    lineage[key] = sorted({*lineage.get(key, []), *labels})


def add_column_lineage(manifest: dict[str, Any], upstream: Lineage, downstream: Lineage) -> int:
    """Note each column's sources (``upstream``) and readers (``downstream``) on the nodes of
    ``manifest`` that hold them, in place; returns how many columns got a note."""
    nodes = manifest.get("nodes", {})
    noted = 0
    for lineage, key, words in ((upstream, "from", "from"), (downstream, "read_by", "read by")):
        for unique_id, columns in sorted(lineage.items()):
            node = nodes.get(unique_id)
            if node is None:
                continue
            for name, labels in sorted(columns.items()):
                if name == "*":  # read by a model whose columns could not be resolved
                    _note(node, key, words, labels)
                    continue
                _note(_column(node, name), key, words, labels)
                noted += 1
    return noted
