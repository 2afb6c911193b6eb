"""The working tree's mesh manifest, with the ref mistakes dbt rejects turned into findings.

The resolver injects only public models of declared upstreams, so a ref to another domain's
non-public model, to a model (version) it does not define, or to a domain missing from
dependencies.yml, fails dbt's parse. ``mesh check`` reports those as ``ref-not-public`` /
``ref-missing`` / ``ref-undeclared-domain`` findings, leaves the failing domain and its
descendants out, and parses the rest, so governance rules and the breaking-change gate still run
on everything that parses. Any other parse failure is an input error (exit 2) with dbt's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamesh.check.findings import Finding, shown_path
from datamesh.check.rules import rule_finding
from datamesh.discover.graph import DomainGraph
from datamesh.manifest.assemble import build_mesh_manifest
from datamesh.manifest.parse_errors import REF_FINDINGS, MeshParseErrors, ParseFailure
from datamesh.warehouse import Warehouse


@dataclass(frozen=True)
class CurrentMesh:
    """The manifest of what parses, the ref findings, and the domains left out."""

    manifest: dict[str, Any]
    findings: tuple[Finding, ...]
    left_out: frozenset[str]


def ref_finding(failure: ParseFailure, base: Path | None) -> Finding | None:
    """The finding a ref mistake is (same sentence as ``mesh manifest``), else None."""
    if failure.kind not in REF_FINDINGS or failure.path is None:
        return None

    def show(path: Path) -> str:
        return shown_path(path, base)

    return rule_finding(
        failure.kind.value, failure.sentence(show),
        domain=failure.domain.name, model=failure.model, file=show(failure.path),
    )  # fmt: skip


def current_mesh(
    graph: DomainGraph, root: Path, warehouse: Warehouse, output: Path, base: Path | None = None
) -> CurrentMesh:
    """Parse the working tree; ref mistakes become findings and their domains are left out."""
    findings: list[Finding] = []
    parsed = graph
    while True:
        if not parsed.domains:
            manifest: dict[str, Any] = {"domains": [], "edges": [], "build_order": []}
            break
        try:
            manifest = build_mesh_manifest(root, warehouse, output, graph=parsed)
            break
        except MeshParseErrors as exc:
            found = [ref_finding(failure, base) for failure in exc.failures]
            if any(f is None or f.domain not in parsed.domains for f in found):
                raise
            findings.extend(f for f in found if f is not None)
            parsed = parsed.without([f.domain for f in found if f is not None])
    return CurrentMesh(manifest, tuple(findings), frozenset(parsed.left_out))
