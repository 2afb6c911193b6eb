"""The breaking-change gate at publish: a new interface may not break what a consumer reads.

The interface a domain is about to publish is compared with the one it published, and each
change is weighed against its readers (``impact/breaking.py``): every consumer's registry
entry records which producer columns each of its models read at its last publish; a consumer
in the tree being built is also judged by its code as it stands (compiled now against the
published interfaces), so a change that moves its only reader off a column in the same commit
breaks nobody. A consumer outside the tree is judged by what it registered.
"""

from __future__ import annotations

from typing import Any

from datamesh.discover.graph import DomainGraph
from datamesh.errors import MeshError
from datamesh.impact.breaking import breaking_changes
from datamesh.impact.changes import BreakingChange
from datamesh.manifest.assemble import interface_from_parse
from datamesh.manifest.parse import compile_domain
from datamesh.manifest.parse_errors import DomainParseError
from datamesh.registry import read_interface, registered_domains
from datamesh.warehouse import Warehouse


def _entry(warehouse: Warehouse, name: str) -> dict[str, Any] | None:
    """A registry entry, or None when there is none or it is damaged (the build rebuilds a
    damaged domain: its old interface is unknown, and a damaged consumer re-registers)."""
    try:
        return read_interface(warehouse.registry_dir, name)
    except MeshError:
        return None


def _domain(interface: dict[str, Any], models: list[dict[str, Any]]) -> dict[str, Any]:
    groups = interface.get("groups") or []
    return {
        "name": interface["domain"],
        "owner": groups[0]["owner"] if groups else None,
        "models": models,
        "exposures": interface.get("exposures") or [],
    }


def _registered_consumers(warehouse: Warehouse, graph: DomainGraph, name: str) -> list[dict]:
    """Registry entries of the domains that read ``name``, as they last published."""
    entries = []
    for other in sorted({*graph.domains, *registered_domains(warehouse.registry_dir)} - {name}):
        entry = _entry(warehouse, other)
        if entry and any(e["producer"]["domain"] == name for e in entry.get("edges") or []):
            entries.append(entry)
    return entries


def _reads_now(
    consumer: str, graph: DomainGraph, warehouse: Warehouse
) -> list[dict[str, Any]] | None:
    """The consumer's edges from its code as it stands, compiled against the published
    interfaces; None when it does not compile (then what it registered is what counts)."""
    domain = graph.domains[consumer]
    upstreams = [_entry(warehouse, u) for u in domain.upstreams]
    if any(u is None for u in upstreams):
        return None
    try:
        compiled = compile_domain(domain, warehouse, warehouse.registry_dir, graph)
    except DomainParseError:
        return None
    return interface_from_parse(domain, compiled, upstreams)["edges"]  # type: ignore[arg-type]


def publish_breaks(
    name: str, new: dict[str, Any], graph: DomainGraph, warehouse: Warehouse
) -> list[BreakingChange]:
    """The changes from ``name``'s published interface to ``new`` that break a reader, or that
    a reader still runs by an implicit cast (``cautions``: a warning, the publish goes on)."""
    old = _entry(warehouse, name)
    if old is None:
        return []
    consumers = _registered_consumers(warehouse, graph, name)
    baseline = {
        "domains": [_domain(old, old["models"])] + [_domain(c, []) for c in consumers],
        "edges": [
            e for c in consumers for e in c.get("edges") or [] if e["producer"]["domain"] == name
        ],
    }
    current = {"domains": [_domain(new, new["models"])], "edges": []}
    unchecked = breaking_changes(baseline, current)
    if not any(c.breaking for c in unchecked):
        return [c for c in unchecked if c.cautions]
    for consumer in consumers:  # judged by their code in the tree, where it compiles
        if consumer["domain"] not in graph.domains:
            continue
        edges = _reads_now(consumer["domain"], graph, warehouse)
        if edges is not None:
            current["domains"].append(_domain(consumer, []))
            current["edges"] += [e for e in edges if e["producer"]["domain"] == name]
    return [c for c in breaking_changes(baseline, current) if c.breaking or c.cautions]


GATE_WARNING = "publish gate: "


def describe_cautions(changes: list[BreakingChange]) -> list[str]:
    """One warning per reader a change leaves working by an implicit cast."""
    return [
        f"{GATE_WARNING}{change.message}: {reader.domain}.{reader.model}"
        + (f" ({reader.where})" if reader.where else "")
        + " reads it only in predicates, compared by an implicit cast: check the values match"
        for change in changes
        for reader in change.cautions
    ]


def describe(changes: list[BreakingChange]) -> list[str]:
    """One line per broken reader: what changed and who reads it, where."""
    lines = []
    for change in changes:
        for reader in change.consumers:
            where = f" ({reader.where})" if reader.where else ""
            owner = f", owner {reader.owner}" if reader.owner else ""
            lines.append(
                f"{change.message}: breaks {reader.domain}.{reader.model}{where}"
                f" reading v{reader.version}{owner}"
                if reader.version is not None
                else f"{change.message}: breaks {reader.domain}.{reader.model}{where}{owner}"
            )
    return lines
