"""Say which model, column and type a failed build used that the mesh's engine does not know.

A project adopted from another warehouse may carry its types along (Snowflake's ``number``,
``timestamp_ntz``): dbt's error for it is DuckDB's ``Type with name number does not exist!``
with the SQL dbt generated for the contract, which names no column. This reads the failing
node's contract from dbt's manifest.json and names the column whose declared type it is.
"""

from __future__ import annotations

import re
from typing import Any

from datamesh.profiles import ENGINE

_UNKNOWN_TYPE = re.compile(r"Type with name (\w+) does not exist!(?:\s*Did you mean \"(\w+)\"\?)?")


def is_unknown_type(message: str) -> bool:
    """Whether dbt's error message is the engine refusing a type name."""
    return _UNKNOWN_TYPE.search(message) is not None


def _base(data_type: str) -> str:
    """``number(10, 2)`` -> ``number``: the name the engine looks up."""
    return data_type.split("(", 1)[0].strip().lower()


def _model_label(node: dict[str, Any]) -> str:
    version = node.get("version")
    label = f"{node.get('package_name')}.{node.get('name')}"
    return f"{label} v{version}" if version is not None else label


def explain_unknown_type(message: str, node: dict[str, Any] | None) -> str | None:
    """A sentence naming model, column, type and engine; None when ``message`` is another error.

    ``node``: the failing model as dbt's manifest.json has it (None when there is none).
    """
    found = _UNKNOWN_TYPE.search(message)
    if found is None:
        return None
    type_name, suggestion = found.group(1), found.group(2)
    hint = f"; did you mean '{suggestion}'?" if suggestion else ""
    if node is None:
        return f"type '{type_name}' does not exist in {ENGINE}, the mesh's engine{hint}"
    model = _model_label(node)
    where = str(node.get("patch_path") or "").split("://", 1)[-1]
    columns = [
        column
        for column in (node.get("columns") or {}).values()
        if _base(str(column.get("data_type") or "")) == type_name.lower()
    ]
    if not columns:
        sql = node.get("original_file_path") or "its SQL"
        return (
            f"model '{model}' ({sql}) uses type '{type_name}', which does not exist in "
            f"{ENGINE}, the mesh's engine{hint}"
        )
    return "; ".join(
        f"model '{model}' column '{column.get('name')}' ({where}): contract type "
        f"'{column.get('data_type')}' does not exist in {ENGINE}, the mesh's engine{hint}"
        for column in columns
    )
