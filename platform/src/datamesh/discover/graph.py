"""The graph of domains their dependencies.yml files declare: order, cycles, neighbours."""

from __future__ import annotations

import graphlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from datamesh.discover.projects import Domain
from datamesh.errors import GraphError


@dataclass(frozen=True)
class DomainGraph:
    """Domains by name with their declared upstreams; checked for unknown names and cycles.

    ``left_out`` holds the domains of the same tree that :meth:`without` took out: a graph of
    what still parses keeps knowing that the rest of the mesh exists.
    """

    domains: dict[str, Domain]
    left_out: dict[str, Domain] = field(default_factory=dict)

    @classmethod
    def from_domains(cls, domains: Iterable[Domain]) -> DomainGraph:
        graph = cls({d.name: d for d in domains})
        graph._check_upstreams_exist()
        graph.build_order()
        return graph

    def _check_upstreams_exist(self) -> None:
        for domain in self.domains.values():
            for upstream in domain.upstreams:
                if upstream == domain.name:
                    raise GraphError(
                        f"{domain.dependencies_file}: domain '{domain.name}' declares itself "
                        "as an upstream"
                    )
                if upstream not in self.domains and upstream in domain.loom_upstreams:
                    known = ", ".join(sorted(self.domains))
                    raise GraphError(
                        f"{domain.loom_file}: the dbt-loom manifest entry '{upstream}' of domain "
                        f"'{domain.name}' names no dbt project in this mesh (known: {known}): "
                        "name the producer as its dbt_project.yml does, or remove the entry"
                    )
                if upstream not in self.domains:
                    known = ", ".join(sorted(self.domains))
                    raise GraphError(
                        f"{domain.dependencies_file}: domain '{domain.name}' declares upstream "
                        f"'{upstream}', which is not a dbt project in this mesh (known: {known})"
                    )

    def without(self, names: Iterable[str]) -> DomainGraph:
        """This graph less ``names`` and every domain reading from them, in place of a copy."""
        dropped: set[str] = set()
        for name in names:
            if name in self.domains:
                dropped |= {name} | self.descendants(name)
        return DomainGraph(
            {n: d for n, d in self.domains.items() if n not in dropped},
            {**self.left_out, **{n: self.domains[n] for n in sorted(dropped)}},
        )

    def find(self, name: str) -> Domain | None:
        """A domain of the tree, whether in this graph or left out of it."""
        return self.domains.get(name) or self.left_out.get(name)

    def upstreams(self, name: str) -> tuple[str, ...]:
        return self.domains[name].upstreams

    def downstreams(self, name: str) -> tuple[str, ...]:
        return tuple(sorted(d.name for d in self.domains.values() if name in d.upstreams))

    def ancestors(self, name: str) -> set[str]:
        """Every domain ``name`` reads from, directly or not."""
        return self._closure(name, self.upstreams)

    def descendants(self, name: str) -> set[str]:
        """Every domain that reads from ``name``, directly or not."""
        return self._closure(name, self.downstreams)

    @staticmethod
    def _closure(name: str, step) -> set[str]:
        seen: set[str] = set()
        todo = list(step(name))
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(step(current))
        return seen

    def build_order(self) -> list[str]:
        """Producers before consumers; ties broken by name so the order is stable."""
        sorter = graphlib.TopologicalSorter(
            {name: d.upstreams for name, d in sorted(self.domains.items())}
        )
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle = exc.args[1]
            path = " -> ".join(reversed(cycle))
            files = ", ".join(str(self.domains[n].dependencies_file) for n in sorted(set(cycle)))
            raise GraphError(
                f"dependency cycle between domains: {path} (declared in {files})"
            ) from None
        order: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            order.extend(ready)
            sorter.done(*ready)
        return order
