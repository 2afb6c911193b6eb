"""Each domain's compiled SQL, for the checks that read what a model really queries.

``dbt compile`` runs in process without reading data (``manifest/parse.py``); what the checks
need of it is kept per domain under the same content key as the parse cache, so a second
``mesh check`` on an unchanged tree compiles nothing, and a domain the manifest stage already
compiled for that key (one with upstreams: its edges' columns come from compiled SQL) is not
compiled again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.jsonio import write_json_atomic
from datamesh.manifest.assemble import _cache_key as parse_cache_key
from datamesh.manifest.parse import compile_domain
from datamesh.warehouse import Warehouse


@dataclass(frozen=True)
class CompiledModel:
    """One of the domain's own models: its SQL as written and as dbt compiled it."""

    name: str
    file: str  # relative to the domain folder
    raw_code: str
    compiled_code: str
    allowed: tuple[str, ...]  # relation names of the nodes it depends on (refs, sources)


@dataclass(frozen=True)
class DeclaredSource:
    """One of the domain's own source tables and where it points."""

    name: str  # source_name.table
    file: str
    database: str | None
    schema: str | None
    external_location: str | None


@dataclass(frozen=True)
class CompiledDomain:
    name: str
    models: tuple[CompiledModel, ...]
    sources: tuple[DeclaredSource, ...]


def _external_location(source: dict[str, Any]) -> str | None:
    config = source.get("config") or {}
    for meta in (source.get("meta") or {}, config.get("meta") or {}, config):
        if meta.get("external_location"):
            return str(meta["external_location"])
    return None


def compiled_from_manifest(name: str, dbt_manifest: dict[str, Any]) -> dict[str, Any]:
    """What the checks keep of one domain's compiled dbt manifest (a JSON record)."""
    relations = {
        uid: node.get("relation_name")
        for uid, node in {**dbt_manifest["nodes"], **dbt_manifest.get("sources", {})}.items()
    }
    models = [
        {
            "name": node["name"],
            "file": node["original_file_path"],
            "raw_code": node.get("raw_code") or "",
            "compiled_code": node.get("compiled_code") or "",
            "allowed": sorted(
                {relations[u] for u in node["depends_on"]["nodes"] if relations.get(u)}
            ),
        }
        for node in dbt_manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == name
    ]
    sources = [
        {
            "name": f"{source['source_name']}.{source['name']}",
            "file": source["original_file_path"],
            "database": source.get("database"),
            "schema": source.get("schema"),
            "external_location": _external_location(source),
        }
        for source in dbt_manifest.get("sources", {}).values()
        if source["package_name"] == name
    ]
    return {
        "name": name,
        "models": sorted(models, key=lambda m: m["file"]),
        "sources": sorted(sources, key=lambda s: s["name"]),
    }


def _record(data: dict[str, Any]) -> CompiledDomain:
    return CompiledDomain(
        data["name"],
        tuple(CompiledModel(**{**m, "allowed": tuple(m["allowed"])}) for m in data["models"]),
        tuple(DeclaredSource(**s) for s in data["sources"]),
    )


def _upstream_interfaces(domain: Domain, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    models = {d["name"]: d["models"] for d in manifest["domains"]}
    return [{"domain": u, "models": models.get(u, [])} for u in domain.upstreams]


def compiled_domain(
    domain: Domain, graph: DomainGraph, manifest: dict[str, Any], warehouse: Warehouse
) -> CompiledDomain:
    """``domain`` compiled against the parse-time interfaces ``mesh check`` just registered."""
    key = parse_cache_key(domain, _upstream_interfaces(domain, manifest))
    cache_file = warehouse.compile_cache_dir / f"{domain.name}.json"
    if cache_file.is_file():
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return _record(cached["compiled"])
    # the manifest stage compiled a domain with upstreams for the same key: read, not rerun
    dbt_manifest = compile_domain(domain, warehouse, warehouse.parse_registry_dir, graph, key)
    compiled = compiled_from_manifest(domain.name, dbt_manifest)
    write_json_atomic(cache_file, {"key": key, "compiled": compiled})
    return _record(compiled)
