"""dbt-style selection over domains: ``sales+``, ``+marketing``, ``+finance+``, ``*``."""

from __future__ import annotations

from collections.abc import Iterable

from datamesh.discover.graph import DomainGraph
from datamesh.errors import MeshError


def _one(graph: DomainGraph, selector: str) -> set[str]:
    if selector in {"*", "all"}:
        return set(graph.domains)
    with_up, with_down = selector.startswith("+"), selector.endswith("+")
    name = selector.strip("+")
    if name not in graph.domains:
        known = ", ".join(sorted(graph.domains))
        raise MeshError(f"selector '{selector}': no domain named '{name}' (known: {known})")
    picked = {name}
    if with_up:
        picked |= graph.ancestors(name)
    if with_down:
        picked |= graph.descendants(name)
    return picked


def _split(selectors: Iterable[str] | None) -> list[str]:
    return [part for item in selectors or [] for part in item.replace(",", " ").split()]


def select_domains(
    graph: DomainGraph,
    select: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> list[str]:
    """The selected domains in build order; no selector means every domain."""
    chosen_selectors = _split(select)
    chosen: set[str] = set()
    for selector in chosen_selectors or ["*"]:
        chosen |= _one(graph, selector)
    for selector in _split(exclude):
        chosen -= _one(graph, selector)
    return [name for name in graph.build_order() if name in chosen]
