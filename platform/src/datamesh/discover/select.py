"""dbt-style selection over domains: ``sales+``, ``+marketing``, ``tag:core``, ``path:x``.

A selector is ``[+]<method>[+]``: a leading ``+`` adds every upstream of what the method picks,
a trailing ``+`` every downstream. Methods:

- ``<domain>``: that domain; ``*`` or ``all``: every domain;
- ``tag:<tag>``: the domains whose ``dbt_project.yml`` tags all their models with it at the
  project level (``models: {<project>: {+tags: [...]}}``, dbt's own config, so ``dbt ls -s
  tag:<tag>`` inside the domain agrees); tags set deeper (a folder, one model) do not select
  the domain;
- ``path:<folder>``: the domains under that folder (relative to the current folder);
- ``<domain>.<model>``: the domain of that model (its model files must exist). A build is per
  domain (write-audit-publish publishes a whole domain), so the whole domain is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.errors import DiscoveryError, MeshError
from datamesh.yamlfile import load_yaml


def project_tags(domain: Domain) -> set[str]:
    """The ``+tags`` a domain's dbt_project.yml sets on all of its models."""
    data = load_yaml(domain.project_file, error=DiscoveryError) or {}
    models = data.get("models") if isinstance(data, dict) else None
    config = models.get(data.get("name")) if isinstance(models, dict) else None
    tags = config.get("+tags", config.get("tags")) if isinstance(config, dict) else None
    if isinstance(tags, str):
        return {tags}
    return {str(t) for t in tags} if isinstance(tags, list) else set()


def _by_tag(graph: DomainGraph, tag: str) -> set[str]:
    return {name for name, d in graph.domains.items() if tag in project_tags(d)}


def _by_path(graph: DomainGraph, folder: str) -> set[str]:
    where = Path(folder).expanduser()
    where = (where if where.is_absolute() else Path.cwd() / where).resolve()
    return {name for name, d in graph.domains.items() if d.path.is_relative_to(where)}


def model_files(domain: Domain, model: str) -> list[Path]:
    """The SQL files of ``model`` (every version) in a domain's models folder."""
    models = domain.path / "models"
    return sorted([*models.rglob(f"{model}.sql"), *models.rglob(f"{model}_v*.sql")])


def _by_model(graph: DomainGraph, selector: str, domain: str, model: str) -> set[str]:
    if domain not in graph.domains:
        _unknown(graph, selector, domain)
    if not model_files(graph.domains[domain], model):
        raise MeshError(
            f"selector '{selector}': domain '{domain}' has no model '{model}' "
            f"(no {model}.sql or {model}_v<N>.sql under {graph.domains[domain].path / 'models'})"
        )
    return {domain}


def _unknown(graph: DomainGraph, selector: str, name: str) -> None:
    known = ", ".join(sorted(graph.domains))
    raise MeshError(f"selector '{selector}': no domain named '{name}' (known: {known})")


METHODS: dict[str, Callable[[DomainGraph, str], set[str]]] = {"tag": _by_tag, "path": _by_path}


def _base(graph: DomainGraph, selector: str, body: str) -> set[str]:
    if body in {"*", "all"}:
        return set(graph.domains)
    method, colon, value = body.partition(":")
    if colon:
        if method not in METHODS or not value:
            raise MeshError(
                f"selector '{selector}': unknown method '{method}:' "
                f"(known: {', '.join(f'{m}:' for m in METHODS)}, <domain>, <domain>.<model>)"
            )
        picked = METHODS[method](graph, value)
        if not picked:
            raise MeshError(f"selector '{selector}': no domain matches {method} '{value}'")
        return picked
    domain, dot, model = body.partition(".")
    if dot:
        return _by_model(graph, selector, domain, model)
    if body not in graph.domains:
        _unknown(graph, selector, body)
    return {body}


def _one(graph: DomainGraph, selector: str) -> set[str]:
    with_up, with_down = selector.startswith("+"), selector.endswith("+")
    picked = _base(graph, selector, selector.strip("+"))
    for name in list(picked):
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
