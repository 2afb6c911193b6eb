"""Build the mesh manifest: every domain, its public interface, cross-domain edges, build order.

Domains are parsed in dependency order; each parse sees its upstreams' interfaces through a
registry of parse-time interfaces. A domain whose files and upstream interfaces are unchanged
reuses its cached parse, so a warm run costs file hashing only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamesh import __version__
from datamesh.discover.content_hash import hash_json, project_fingerprint
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain, discover_domains
from datamesh.jsonio import write_json_atomic
from datamesh.manifest.edge_columns import annotate_edges
from datamesh.manifest.interface import (
    cross_domain_edges,
    exposures,
    non_public_nodes,
    public_models,
)
from datamesh.manifest.parse import compile_domain, parse_domain
from datamesh.manifest.parse_errors import (
    DomainParseError,
    FailureKind,
    MeshParseErrors,
    ParseFailure,
)
from datamesh.manifest.schema import validate_manifest
from datamesh.registry import write_interface
from datamesh.warehouse import Warehouse

SCHEMA_VERSION = 1
# Bumped when what a cached parse holds changes: 2 non-public nodes listed (what a wrong ref
# names), edges with the columns they read, 6 how each column is read (output or predicate),
# 7 the consumer's output columns each one feeds.
CACHE_FORMAT = 7


def _groups(dbt_manifest: dict[str, Any], project: str) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "name": g["name"],
                "owner": {
                    "name": (g.get("owner") or {}).get("name"),
                    "email": (g.get("owner") or {}).get("email"),
                },
            }
            for g in dbt_manifest.get("groups", {}).values()
            if g.get("package_name") == project
        ),
        key=lambda g: g["name"],
    )


def interface_from_parse(
    domain: Domain,
    dbt_manifest: dict[str, Any],
    upstream_interfaces: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What one parse tells about a domain: interface, groups, exposures and outgoing edges.

    With ``upstream_interfaces`` (and compiled SQL in ``dbt_manifest``) each edge also carries
    the producer columns its consumer reads.
    """
    edges = cross_domain_edges(dbt_manifest, domain.name, domain.package_upstreams)
    if upstream_interfaces is not None:
        edges = annotate_edges(edges, dbt_manifest, domain.name, upstream_interfaces)
    return {
        "domain": domain.name,
        "database": domain.name,
        "storage": f"domains/{domain.name}.duckdb",
        "groups": _groups(dbt_manifest, domain.name),
        "models": public_models(dbt_manifest, domain.name),
        "exposures": exposures(dbt_manifest, domain.name),
        "edges": edges,
        "non_public": non_public_nodes(dbt_manifest, domain.name),
    }


def _domain_owner(domain: Domain, groups: list[dict[str, Any]]) -> dict[str, Any] | None:
    for group in groups:
        if group["name"] == domain.team:
            return group["owner"]
    return groups[0]["owner"] if groups else None


def _check_edges_declared(domain: Domain, edges: list[dict[str, Any]]) -> None:
    for edge in edges:
        consumer, producer = edge["consumer"], edge["producer"]
        if edge.get("kind") != "package" and producer["domain"] not in domain.upstreams:
            version = producer["version"] if edge.get("pinned") else None
            raise DomainParseError(
                ParseFailure(
                    FailureKind.UNDECLARED_DOMAIN, domain, model=consumer["model"],
                    file=consumer["file"], producer=producer["domain"], target=producer["model"],
                    version=str(version) if version is not None else None,
                )
            )  # fmt: skip


def _cache_key(domain: Domain, upstream_interfaces: list[dict[str, Any]]) -> str:
    import dbt.version

    upstream_public = [{"domain": i["domain"], "models": i["models"]} for i in upstream_interfaces]
    return hash_json(
        {
            "project": project_fingerprint(domain.path),
            "upstreams": upstream_public,
            "dbt": dbt.version.__version__,
            "platform": __version__,
            "format": CACHE_FORMAT,
        }
    )


def _parse_one(
    domain: Domain,
    warehouse: Warehouse,
    graph: DomainGraph,
    upstream_interfaces: list[dict[str, Any]],
    use_cache: bool,
) -> dict[str, Any]:
    """One domain's interface, from its cached parse when nothing it reads changed."""
    key = _cache_key(domain, upstream_interfaces)
    cache_file = warehouse.parse_cache_dir / f"{domain.name}.json"
    if use_cache and cache_file.is_file():
        cached = json.loads(cache_file.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return cached["interface"]
    registry_dir = warehouse.parse_registry_dir
    if upstream_interfaces:  # compiled SQL tells which producer columns each edge reads
        dbt_manifest = compile_domain(domain, warehouse, registry_dir, graph, key)
    else:
        dbt_manifest = parse_domain(domain, warehouse, registry_dir, graph)
    interface = interface_from_parse(domain, dbt_manifest, upstream_interfaces)
    write_json_atomic(cache_file, {"key": key, "interface": interface})
    return interface


def parse_mesh(
    graph: DomainGraph, warehouse: Warehouse, *, use_cache: bool = True
) -> dict[str, dict[str, Any]]:
    """Parse every domain of ``graph`` in build order; returns each domain's interface.

    A domain that fails does not stop the others: every domain whose upstreams parsed is
    tried, then MeshParseErrors lists every failure (and the domains not tried) at once.
    """
    interfaces: dict[str, dict[str, Any]] = {}
    failures: list[ParseFailure] = []
    not_parsed: dict[str, str] = {}
    for name in graph.build_order():
        domain = graph.domains[name]
        failed = [u for u in domain.upstreams if u in graph.domains and u not in interfaces]
        if failed:
            not_parsed[name] = failed[0]
            continue
        try:
            upstream_interfaces = [interfaces[u] for u in domain.upstreams if u in interfaces]
            interface = _parse_one(domain, warehouse, graph, upstream_interfaces, use_cache)
            _check_edges_declared(domain, interface["edges"])
        except DomainParseError as exc:
            failures.append(exc.failure)
            continue
        write_interface(warehouse.parse_registry_dir, interface)
        interfaces[name] = interface
    if failures:
        raise MeshParseErrors(failures, not_parsed)
    return interfaces


def _edge_record(edge: dict[str, Any], interfaces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    producer = edge["producer"]
    models = interfaces.get(producer["domain"], {}).get("models", [])
    target = next((m for m in models if m["unique_id"] == producer["unique_id"]), None)
    deprecation = target["deprecation_date"] if target else None
    return {
        **edge,
        "producer": {
            **producer,
            "latest_version": target["latest_version"] if target else None,
            "deprecation_date": deprecation,
        },
        "deprecated": deprecation is not None,
        "kind": edge.get("kind", "ref"),
    }


def assemble_manifest(
    root: Path, graph: DomainGraph, interfaces: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The mesh manifest document (see schemas/mesh_manifest.schema.json)."""
    order = graph.build_order()
    domains = []
    for name in order:
        domain, interface = graph.domains[name], interfaces[name]
        domains.append(
            {
                "name": name,
                "path": str(domain.path),
                "description": domain.description,
                "owner": _domain_owner(domain, interface["groups"]),
                "groups": interface["groups"],
                "upstreams": list(domain.upstreams),
                "loom_upstreams": list(domain.loom_upstreams),
                "downstreams": list(graph.downstreams(name)),
                "storage": interface["storage"],
                "models": interface["models"],
                "exposures": interface["exposures"],
            }
        )
    edges = [_edge_record(e, interfaces) for name in order for e in interfaces[name]["edges"]]
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "root": str(root.resolve()),
        "domains": domains,
        "edges": edges,
        "build_order": order,
    }


def build_mesh_manifest(
    root: Path,
    warehouse: Warehouse,
    output: Path | None = None,
    *,
    use_cache: bool = True,
    graph: DomainGraph | None = None,
) -> dict[str, Any]:
    """Parse, assemble, validate against the schema and write the mesh manifest.

    ``graph`` is the mesh under ``root`` as the caller discovered it (or a part of it, see
    ``DomainGraph.without``); without one, ``root`` is discovered here.
    """
    if graph is None:
        graph = DomainGraph.from_domains(discover_domains(root))
    interfaces = parse_mesh(graph, warehouse, use_cache=use_cache)
    manifest = assemble_manifest(root, graph, interfaces)
    validate_manifest(manifest)
    write_json_atomic(output or warehouse.manifest_path, manifest)
    return manifest
