"""Read a domain's public interface and its cross-domain refs out of dbt's manifest.json.

One extraction serves the registry (what a domain publishes) and the mesh manifest.
"""

from __future__ import annotations

from typing import Any


def _iso(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    return text.replace(" ", "T")


def _owner(manifest: dict[str, Any], group: str | None) -> dict[str, Any] | None:
    if not group:
        return None
    for node in manifest.get("groups", {}).values():
        if node.get("name") == group:
            owner = node.get("owner") or {}
            return {"name": owner.get("name"), "email": owner.get("email")}
    return None


def consumer_owner(manifest: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
    """The owner of the group a model belongs to (whom to tell when its reads break)."""
    return _owner(manifest, node.get("group") or (node.get("config") or {}).get("group"))


def _data_tests(manifest: dict[str, Any], model_id: str) -> list[dict[str, Any]]:
    """dbt's built-in generic tests attached to a model, as plain records."""
    tests: list[dict[str, Any]] = []
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "test" or node.get("attached_node") != model_id:
            continue
        meta = node.get("test_metadata") or {}
        if not meta.get("name"):
            continue
        kwargs = {
            k: v for k, v in (meta.get("kwargs") or {}).items() if k not in {"model", "column_name"}
        }
        tests.append(
            {
                "type": meta["name"],
                "column": node.get("column_name") or (meta.get("kwargs") or {}).get("column_name"),
                "kwargs": kwargs,
                "severity": (node.get("config") or {}).get("severity", "ERROR").lower(),
            }
        )
    return sorted(tests, key=lambda t: (t["column"] or "", t["type"]))


def _column_record(column: dict[str, Any], model_constraints: list[dict]) -> dict[str, Any]:
    constraints = [c.get("type") for c in column.get("constraints") or [] if c.get("type")]
    for constraint in model_constraints:
        columns = constraint.get("columns") or []
        if column["name"] not in columns or not constraint.get("type"):
            continue
        if len(columns) == 1:
            constraints.append(constraint["type"])
        elif constraint["type"] == "primary_key":
            constraints.append("not_null")  # each part of a compound key; unique only together
    return {
        "name": column["name"],
        "data_type": column.get("data_type"),
        "description": column.get("description") or "",
        "constraints": sorted(set(constraints)),
    }


def model_record(manifest: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Everything a consumer, a reviewer or a validator needs to know about one model version."""
    config = node.get("config") or {}
    model_constraints = node.get("constraints") or []
    group = node.get("group") or config.get("group")
    version = node.get("version")
    latest = node.get("latest_version")
    return {
        "unique_id": node["unique_id"],
        "name": node["name"],
        "version": version,
        "latest_version": latest,
        "is_latest": version is None or latest is None or str(version) == str(latest),
        "deprecation_date": _iso(node.get("deprecation_date")),
        "access": node.get("access") or config.get("access") or "protected",
        "materialized": config.get("materialized"),
        "database": node.get("database"),
        "schema": node.get("schema"),
        "identifier": node.get("alias") or node["name"],
        "relation_name": node.get("relation_name"),
        "description": node.get("description") or "",
        "group": group,
        "owner": _owner(manifest, group),
        "contract_enforced": bool((config.get("contract") or {}).get("enforced")),
        "columns": [_column_record(c, model_constraints) for c in node.get("columns", {}).values()],
        "constraints": [
            {"type": c.get("type"), "columns": list(c.get("columns") or [])}
            for c in model_constraints
        ],
        "data_tests": _data_tests(manifest, node["unique_id"]),
        "sql_file": node.get("original_file_path"),
        "yaml_file": (node.get("patch_path") or "").split("://", 1)[-1] or None,
    }


def own_models(manifest: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """The project's own model nodes (injected upstream nodes excluded), sorted by id."""
    nodes = [
        node
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and node.get("package_name") == project
    ]
    return sorted(nodes, key=lambda n: n["unique_id"])


def public_models(manifest: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """The data products a domain publishes: its public models, one record per version."""
    return [
        model_record(manifest, node)
        for node in own_models(manifest, project)
        if (node.get("access") or "protected") == "public"
    ]


def _producer_of(ref: dict[str, Any], depends_on: list[str]) -> dict[str, Any] | None:
    package, name = ref.get("package"), ref.get("name")
    prefix = f"model.{package}.{name}"
    for unique_id in depends_on:
        if unique_id == prefix or unique_id.startswith(prefix + ".v"):
            version = unique_id[len(prefix) + 2 :] if unique_id != prefix else None
            return {"unique_id": unique_id, "version": _version(version)}
    return None


def _version(value: Any) -> int | str | None:
    if value in (None, ""):
        return None
    text = str(value)
    return int(text) if text.isdigit() else text


def cross_domain_edges(manifest: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """Every ref from this project's models to another project's model, as dbt resolved it."""
    edges: list[dict[str, Any]] = []
    for node in own_models(manifest, project):
        depends_on = (node.get("depends_on") or {}).get("nodes") or []
        for ref in node.get("refs") or []:
            package = ref.get("package")
            if not package or package == project:
                continue
            producer = _producer_of(ref, depends_on)
            edges.append(
                {
                    "consumer": {
                        "domain": project,
                        "model": node["name"],
                        "version": _version(node.get("version")),
                        "unique_id": node["unique_id"],
                        "file": node.get("original_file_path"),
                    },
                    "producer": {
                        "domain": package,
                        "model": ref.get("name"),
                        "version": (producer or {}).get("version"),
                        "unique_id": (producer or {}).get("unique_id"),
                    },
                    "pinned": ref.get("version") is not None,
                }
            )
    return sorted(
        edges,
        key=lambda e: (e["consumer"]["unique_id"], e["producer"]["unique_id"] or ""),
    )


def exposures(manifest: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """The project's exposures: consumers outside dbt that count as uses of a model."""
    return sorted(
        (
            {
                "name": node["name"],
                "type": node.get("type"),
                "owner": node.get("owner"),
                "depends_on": sorted((node.get("depends_on") or {}).get("nodes") or []),
            }
            for node in manifest.get("exposures", {}).values()
            if node.get("package_name") == project
        ),
        key=lambda e: e["name"],
    )
