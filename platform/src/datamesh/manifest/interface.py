"""Read a domain's public interface and its cross-domain refs out of dbt's manifest.json.

One extraction serves the registry (what a domain publishes) and the mesh manifest.
"""

from __future__ import annotations

from collections.abc import Collection
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


NAMED_NODES = ("model", "seed", "snapshot")


def non_public_nodes(manifest: dict[str, Any], project: str) -> list[dict[str, Any]]:
    """The project's refable nodes that are not public: what a consumer's wrong ref names.

    Kept in the interface (names, kind, access, group only) so a ref to one is explained as
    what it is (a seed, a protected model, a private model of a group) instead of "not found".
    """
    found = []
    for node in manifest.get("nodes", {}).values():
        kind = node.get("resource_type")
        if kind not in NAMED_NODES or node.get("package_name") != project:
            continue
        access = (node.get("access") or "protected") if kind == "model" else None
        if access == "public":
            continue
        found.append(
            {
                "name": node["name"],
                "version": node.get("version"),
                "resource_type": kind,
                "access": access,
                "group": (node.get("config") or {}).get("group") or node.get("group"),
            }
        )
    return sorted(found, key=lambda n: (n["name"], str(n["version"])))


def _split_model_id(unique_id: str) -> tuple[str, str, int | str | None] | None:
    """(package, name, version) of a model id ``model.<package>.<name>[.v<version>]``."""
    parts = unique_id.split(".")
    if parts[0] != "model" or len(parts) < 3:
        return None
    version = parts[3][1:] if len(parts) > 3 and parts[3].startswith("v") else None
    return parts[1], parts[2], _version(version)


def _version(value: Any) -> int | str | None:
    if value in (None, ""):
        return None
    text = str(value)
    return int(text) if text.isdigit() else text


def _pinned(refs: list[dict[str, Any]], package: str, name: str) -> bool:
    """Whether the consumer's ref to ``package.name`` names a version, however it was written."""
    return any(
        r.get("name") == name
        and r.get("package") in (None, package)
        and r.get("version") is not None
        for r in refs
    )


def _edge_kind(
    manifest: dict[str, Any], unique_id: str, package: str, package_domains: Collection[str]
) -> str | None:
    """``package`` for a model of a domain installed as a local package, ``ref`` for one the
    mesh injected (no file in this project), None for a model of any other installed package."""
    if package in package_domains:
        return "package"
    node = manifest.get("nodes", {}).get(unique_id) or {}
    if node.get("original_file_path") or node.get("path"):
        return None
    return "ref"


def cross_domain_edges(
    manifest: dict[str, Any], project: str, package_domains: Collection[str] = ()
) -> list[dict[str, Any]]:
    """Every model of another project this project's models read, as dbt resolved it.

    An edge is what dbt put in the node's ``depends_on``, however the ref was written
    (``ref('orders')`` resolves into another project when the name is unique there).
    ``package_domains``: domains this project installs as local packages (edge kind ``package``).
    """
    edges: list[dict[str, Any]] = []
    for node in own_models(manifest, project):
        refs = node.get("refs") or []
        for unique_id in (node.get("depends_on") or {}).get("nodes") or []:
            split = _split_model_id(unique_id)
            if split is None or split[0] == project:
                continue
            package, name, version = split
            kind = _edge_kind(manifest, unique_id, package, package_domains)
            if kind is None:
                continue
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
                        "model": name,
                        "version": version,
                        "unique_id": unique_id,
                    },
                    "pinned": _pinned(refs, package, name),
                    "kind": kind,
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
