"""Turn producers' registry interfaces into the nodes dbt injects for cross-project refs.

Only public models are injected: a ref to another domain's protected or private model then
fails at parse with dbt's own "node ... was not found" error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbt.contracts.graph.node_args import ModelNodeArgs

from datamesh.resolve.upstreams import Upstream


def _deprecation(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def model_node_args(producer: str, model: dict[str, Any]) -> ModelNodeArgs:
    return ModelNodeArgs(
        name=model["name"],
        package_name=producer,
        identifier=model["identifier"],
        schema=model["schema"],
        database=model["database"],
        relation_name=model["relation_name"],
        version=model.get("version"),
        latest_version=model.get("latest_version"),
        deprecation_date=_deprecation(model.get("deprecation_date")),
        access="public",
    )


def injected_nodes(upstreams: list[Upstream]) -> list[ModelNodeArgs]:
    return [
        model_node_args(upstream.name, model)
        for upstream in upstreams
        for model in upstream.interface.get("models", [])
        if model.get("access") == "public"
    ]
