"""Fill the upstream (plugin-injected) nodes of a consumer's dbt docs from the registry.

dbt-core's plugin API builds injected nodes from ``ModelNodeArgs``, which has no description,
columns, contract or group (dbt-loom issue #114), so ``dbt docs generate`` shows every
upstream as "not currently documented". The registry holds all of it: after dbt writes
``manifest.json`` and ``catalog.json``, each injected node gets its producer's description,
owner (group), columns with descriptions, types and constraints, contract and version, and the
catalog gets the table's columns and types. Pure functions on the JSON documents.
"""

from __future__ import annotations

from typing import Any

_CONSTRAINT = {"name": None, "expression": None, "warn_unenforced": True,
               "warn_unsupported": True, "to": None, "to_columns": []}  # fmt: skip


def _owner_text(owner: dict[str, Any] | None) -> str:
    if not owner:
        return ""
    name, email = owner.get("name") or "", owner.get("email") or ""
    return f"{name} <{email}>" if name and email else name or email


def column_entry(column: dict[str, Any]) -> dict[str, Any]:
    """A column as dbt's manifest.json holds it."""
    return {
        "name": column["name"], "description": column.get("description") or "", "meta": {},
        "data_type": column.get("data_type"),
        "constraints": [{"type": c, **_CONSTRAINT} for c in column.get("constraints") or []],
        "quote": None, "config": {"meta": {}, "tags": []}, "tags": [], "granularity": None,
        "doc_blocks": [],
    }  # fmt: skip


def _mesh_meta(producer: str, interface: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    return {
        "domain": producer,
        "owner": _owner_text(model.get("owner")),
        "published_at": interface.get("published_at"),
        "publication": interface.get("storage"),
    }


def registry_models(interfaces: dict[str, dict[str, Any]]) -> dict[str, tuple[str, dict, dict]]:
    """unique_id -> (producer, its interface, the model version's record), public models only."""
    found: dict[str, tuple[str, dict, dict]] = {}
    for producer, interface in interfaces.items():
        for model in interface.get("models") or []:
            if model.get("access") == "public" and model.get("unique_id"):
                found[model["unique_id"]] = (producer, interface, model)
    return found


def complete_manifest(manifest: dict[str, Any], interfaces: dict[str, dict[str, Any]]) -> list[str]:
    """Document every injected node ``interfaces`` knows, in place; returns their ids."""
    known = registry_models(interfaces)
    done: list[str] = []
    for unique_id, node in manifest.get("nodes", {}).items():
        if unique_id not in known or node.get("original_file_path"):
            continue  # not injected: the project's own node, documented by its own YAML
        producer, interface, model = known[unique_id]
        mesh = _mesh_meta(producer, interface, model)
        enforced = bool(model.get("contract_enforced"))
        node["description"] = model.get("description") or ""
        node["columns"] = {c["name"]: column_entry(c) for c in model.get("columns") or []}
        node["contract"] = {**(node.get("contract") or {}), "enforced": enforced}
        node["group"] = model.get("group")
        node["meta"] = {**(node.get("meta") or {}), "owner": mesh["owner"], "mesh": mesh}
        config = node.setdefault("config", {})
        config["contract"] = {**(config.get("contract") or {}), "enforced": enforced}
        config["materialized"] = model.get("materialized") or config.get("materialized")
        config["access"] = "public"
        config["group"] = model.get("group")
        config["meta"] = {**(config.get("meta") or {}), "owner": mesh["owner"], "mesh": mesh}
        _add_groups(manifest, producer, interface)
        done.append(unique_id)
    return sorted(done)


def _add_groups(manifest: dict[str, Any], producer: str, interface: dict[str, Any]) -> None:
    groups = manifest.setdefault("groups", {})
    for group in interface.get("groups") or []:
        unique_id = f"group.{producer}.{group['name']}"
        groups.setdefault(unique_id, {
            "name": group["name"], "resource_type": "group", "package_name": producer,
            "path": "", "original_file_path": "", "unique_id": unique_id,
            "owner": group.get("owner") or {}, "description": group.get("description"),
            "config": {"meta": {}, "group": group["name"]},
        })  # fmt: skip


def complete_catalog(
    catalog: dict[str, Any], manifest: dict[str, Any], interfaces: dict[str, dict[str, Any]]
) -> list[str]:
    """A catalog entry (table, columns and types, owner) for every upstream node, in place."""
    known = registry_models(interfaces)
    nodes = catalog.setdefault("nodes", {})
    done: list[str] = []
    for unique_id, node in manifest.get("nodes", {}).items():
        if unique_id not in known or node.get("original_file_path"):
            continue
        _, _, model = known[unique_id]
        columns = model.get("columns") or []
        nodes[unique_id] = {
            "metadata": {
                "type": "BASE TABLE", "schema": model.get("schema"),
                "name": model.get("identifier"), "database": model.get("database"),
                "comment": model.get("description") or None,
                "owner": _owner_text(model.get("owner")) or None,
            },
            "columns": {
                c["name"]: {"type": c.get("data_type"), "index": index, "name": c["name"],
                            "comment": c.get("description") or None}
                for index, c in enumerate(columns, start=1)
            },
            "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": False,
                                    "include": False, "description": "Indicates whether there "
                                    "are statistics for this table"}},
            "unique_id": unique_id,
        }  # fmt: skip
        done.append(unique_id)
    return sorted(done)


def static_page(index_html: str, manifest_text: str, catalog_text: str) -> str:
    """dbt's one-file docs page (what ``dbt docs generate --static`` writes), from our files."""
    page = index_html.replace('"MANIFEST.JSON INLINE DATA"', manifest_text)
    return page.replace('"CATALOG.JSON INLINE DATA"', catalog_text)
