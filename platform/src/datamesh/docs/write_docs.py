"""Generate one domain's dbt docs and complete its upstream nodes from the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.docs.column_notes import add_column_lineage
from datamesh.docs.upstream_nodes import complete_catalog, complete_manifest, static_page
from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic
from datamesh.manifest.column_lineage import downstream_columns, upstream_columns
from datamesh.manifest.edge_columns import annotate_edges
from datamesh.manifest.interface import cross_domain_edges
from datamesh.manifest.parse import generate_docs
from datamesh.registry import read_interface, registered_domains
from datamesh.warehouse import Warehouse


def upstream_interfaces(warehouse: Warehouse, domain: str, upstreams: tuple[str, ...]) -> dict:
    interfaces: dict[str, dict[str, Any]] = {}
    for name in upstreams:
        entry = read_interface(warehouse.registry_dir, name)
        if entry is None:
            raise MeshError(f"domain '{domain}' reads '{name}', which has never been published "
                            f"({warehouse.registry_file(name)} missing); run mesh build -s "
                            f"+{domain} first")  # fmt: skip
        interfaces[name] = entry
    return interfaces


def _registered_edges(warehouse: Warehouse, skip: str) -> list[dict[str, Any]]:
    """The edges other domains registered at their last publish (a damaged entry: none)."""
    edges: list[dict[str, Any]] = []
    for name in registered_domains(warehouse.registry_dir):
        if name == skip:
            continue
        try:
            entry = read_interface(warehouse.registry_dir, name) or {}
        except MeshError:
            continue
        edges += entry.get("edges") or []
    return edges


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_domain_docs(root: Path, warehouse: Warehouse, name: str) -> tuple[Path, list[str]]:
    """The docs folder and the upstream node ids it documented.

    Columns get their lineage across domains, one hop each way: the domain's models from its
    code as it stands, other domains' reads as they registered them at their last publish."""
    graph = DomainGraph.from_domains(discover_domains(root))
    domain = graph.domains.get(name)
    if domain is None:
        known = ", ".join(sorted(graph.domains))
        raise MeshError(f"unknown domain '{name}' (domains under {root}: {known})")
    interfaces = upstream_interfaces(warehouse, name, domain.upstreams)
    folder = generate_docs(domain, warehouse, graph, warehouse.docs_dir(name))
    manifest, catalog = _read(folder / "manifest.json"), _read(folder / "catalog.json")
    edges = annotate_edges(
        cross_domain_edges(manifest, name, domain.package_upstreams), manifest, name,
        interfaces.values(),
    )  # fmt: skip
    documented = complete_manifest(manifest, interfaces)
    readers = downstream_columns([*edges, *_registered_edges(warehouse, name)])
    add_column_lineage(manifest, upstream_columns(edges), readers)
    complete_catalog(catalog, manifest, interfaces)
    write_json_atomic(folder / "manifest.json", manifest)
    write_json_atomic(folder / "catalog.json", catalog)
    page = static_page(
        (folder / "index.html").read_text(encoding="utf-8"),
        json.dumps(manifest),
        json.dumps(catalog),
    )
    (folder / "static_index.html").write_text(page, encoding="utf-8")
    return folder, documented
