"""Parse one domain with dbt, in this process, against a given registry of upstream interfaces."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from datamesh.dbt_env import REGISTRY_ENV, WAREHOUSE_ENV, dbt_common_args, environment
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.errors import ParseError
from datamesh.warehouse import Warehouse

MISSING_NODE = re.compile(
    r"depends on a node named '(?P<model>[^']+)'(?: with version '(?P<version>[^']+)')? "
    r"in package (?:or project )?'(?P<package>[^']+)' which was not found"
)


def explain_parse_failure(domain: Domain, graph: DomainGraph, message: str) -> str:
    """Add what the mesh knows to dbt's error: an undeclared or a non-public cross-domain ref."""
    found = MISSING_NODE.search(message)
    if not found:
        return message
    package, model = found["package"], found["model"]
    if package not in graph.domains:
        hint = f"'{package}' is not a domain of this mesh"
    elif package not in domain.upstreams:
        hint = (
            f"domain '{domain.name}' refs domain '{package}', which is not declared in "
            f"{domain.dependencies_file} (add '- name: {package}' under projects:)"
        )
    else:
        hint = (
            f"'{model}' is not a public model of domain '{package}': only public models "
            "can be referenced from another domain"
        )
    return f"{hint}\n{message}"


def parse_domain(
    domain: Domain, warehouse: Warehouse, registry_dir: Path, graph: DomainGraph
) -> dict[str, Any]:
    """Run ``dbt parse`` for one domain and return its manifest.json as a dict."""
    from dbt.cli.main import dbtRunner

    # No partial parsing: the platform caches parses by content, and dbt's partial parse
    # reused stale injected nodes when one target folder served changed copies of a domain.
    args = [
        "parse",
        *dbt_common_args(
            domain.path, warehouse.target_dir(domain.name), warehouse.log_dir(domain.name)
        ),
        "--log-level",
        "none",
        "--no-use-colors",
    ]
    args.append("--no-partial-parse")
    with environment(**{WAREHOUSE_ENV: str(warehouse.root), REGISTRY_ENV: str(registry_dir)}):
        result = dbtRunner().invoke(args)
    if not result.success:
        message = str(result.exception) if result.exception else "dbt parse failed"
        raise ParseError(
            f"domain '{domain.name}' ({domain.project_file}) failed to parse:\n"
            + explain_parse_failure(domain, graph, message)
        )
    manifest_path = warehouse.target_dir(domain.name) / "manifest.json"
    return json.loads(manifest_path.read_text(encoding="utf-8"))
