"""Real dbt exceptions, raised by dbt's own code, for the parse-failure classifier's tests."""

from __future__ import annotations

import pytest
from dbt.artifacts.resources import FileHash
from dbt.contracts.graph.nodes import ModelNode
from dbt.exceptions import TargetNotFoundError
from dbt.node_types import NodeType
from dbt.parser.manifest import invalid_target_fail_unless_test


def model_node(domain: str, name: str, file: str) -> ModelNode:
    return ModelNode(
        database=domain, schema="main", name=name, resource_type=NodeType.Model,
        package_name=domain, path=file.removeprefix("models/"), original_file_path=file,
        unique_id=f"model.{domain}.{name}", fqn=[domain, name], alias=name,
        checksum=FileHash.from_contents(""),
    )  # fmt: skip


def dbt_ref_error(
    package: str, target: str, version: str | float | None = None
) -> TargetNotFoundError:
    """What dbt's parser raises for sales' model 'peek' (models/marts/peek.sql) refing a node."""
    node = model_node("sales", "peek", "models/marts/peek.sql")
    with pytest.raises(TargetNotFoundError) as raised:
        invalid_target_fail_unless_test(node, target, "node", package, version, disabled=False)
    return raised.value
