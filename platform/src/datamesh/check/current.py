"""The working tree's mesh manifest, with the two ref mistakes dbt rejects turned into findings.

The resolver injects only public models of declared upstreams, so a ref to another domain's
non-public model, or to a domain missing from dependencies.yml, fails dbt's parse. ``mesh
check`` reports those as ``ref-not-public`` / ``ref-undeclared-domain`` findings, leaves the
failing domain and its descendants out, and parses the rest, so governance rules and the
breaking-change gate still run on everything that parses. Any other parse failure is an input
error (exit 2) with dbt's message.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamesh.check.findings import Finding, shown_path
from datamesh.check.rules import rule_finding
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.errors import ParseError
from datamesh.jsonio import write_json_atomic
from datamesh.manifest.assemble import build_mesh_manifest
from datamesh.manifest.parse import MISSING_NODE
from datamesh.warehouse import Warehouse

FAILED_DOMAIN = re.compile(r"^domain '(?P<domain>[^']+)' \(")
REF_FROM = re.compile(r"Model '(?P<unique_id>[^']+)' \((?P<file>[^)]+)\) depends on a node named")
UNDECLARED_EDGE = re.compile(
    r"^(?P<file>.+): model '(?P<model>[^']+)' refs domain '(?P<producer>[^']+)', "
    r"which is not declared in"
)


@dataclass(frozen=True)
class CurrentMesh:
    """The manifest of what parses, the ref findings, and the domains left out."""

    manifest: dict[str, Any]
    findings: tuple[Finding, ...]
    left_out: frozenset[str]


def _defines(project: Path, model: str, version: str | None) -> bool:
    """Whether a domain has a SQL file for the model (version) under models/."""
    models = project / "models"
    if version:
        return any(models.rglob(f"{model}_v{version}.sql"))
    return any(models.rglob(f"{model}.sql")) or any(models.rglob(f"{model}_v*.sql"))


def ref_failure(message: str, graph: DomainGraph, base: Path | None) -> Finding | None:
    """The finding a ref-to-non-public / undeclared-domain parse error means, else None."""
    undeclared = UNDECLARED_EDGE.search(message)
    if undeclared:
        path = Path(undeclared["file"])
        domain = next((d for d in graph.domains.values() if path.is_relative_to(d.path)), None)
        if domain is None:
            return None
        return rule_finding(
            "ref-undeclared-domain",
            f"{domain.name}.{undeclared['model']} refs domain '{undeclared['producer']}', which "
            f"is not declared in {shown_path(domain.dependencies_file, base)}",
            domain=domain.name, model=undeclared["model"], file=shown_path(path, base),
        )  # fmt: skip
    failed, missing, ref = FAILED_DOMAIN.search(message), MISSING_NODE.search(message), None
    if failed:
        ref = REF_FROM.search(message)
    if not (failed and missing and ref) or failed["domain"] not in graph.domains:
        return None
    domain = graph.domains[failed["domain"]]
    producer, target = missing["package"], missing["model"]
    consumer = ref["unique_id"].split(".")[2]
    file = shown_path(domain.path / ref["file"], base)
    version = f" v{missing['version']}" if missing["version"] else ""
    if producer not in graph.domains:
        return None
    if producer not in domain.upstreams:
        return rule_finding(
            "ref-undeclared-domain",
            f"{domain.name}.{consumer} refs {producer}.{target}{version}, but domain "
            f"'{producer}' is not declared in {shown_path(domain.dependencies_file, base)} "
            f"(add '- name: {producer}' under projects:)",
            domain=domain.name, model=consumer, file=file,
        )  # fmt: skip
    if not _defines(graph.domains[producer].path, target, missing["version"]):
        return rule_finding(
            "ref-missing",
            f"{domain.name}.{consumer} refs {producer}.{target}{version}, which domain "
            f"'{producer}' does not define (removed or misspelt?)",
            domain=domain.name, model=consumer, file=file,
        )  # fmt: skip
    return rule_finding(
        "ref-not-public",
        f"{domain.name}.{consumer} refs {producer}.{target}{version}, which is not a public "
        f"model of domain '{producer}' (only public models can be referenced across domains)",
        domain=domain.name, model=consumer, file=file,
    )  # fmt: skip


def _copy_domains(graph: DomainGraph, root: Path, names: set[str], dest: Path) -> Path:
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml")
    for name in names:
        source = graph.domains[name].path
        shutil.copytree(source, dest / source.relative_to(root.resolve()), ignore=ignore)
    return dest


def current_mesh(
    root: Path, warehouse: Warehouse, output: Path, base: Path | None = None
) -> CurrentMesh:
    """Parse the working tree; ref mistakes become findings and their domains are left out."""
    graph = DomainGraph.from_domains(discover_domains(root))
    findings: list[Finding] = []
    left_out: set[str] = set()
    while True:
        keep = set(graph.domains) - left_out
        try:
            if not left_out:
                manifest = build_mesh_manifest(root, warehouse, output)
            elif not keep:
                manifest = {"domains": [], "edges": [], "build_order": []}
            else:
                with tempfile.TemporaryDirectory(prefix="mesh-check-") as tmp:
                    partial = _copy_domains(graph, root, keep, Path(tmp))
                    manifest = build_mesh_manifest(partial, warehouse, output)
            break
        except ParseError as exc:
            finding = ref_failure(str(exc), graph, base)
            if finding is None or finding.domain in left_out:
                raise
            findings.append(finding)
            left_out |= {finding.domain} | graph.descendants(finding.domain)
    for domain in manifest["domains"]:
        domain["path"] = str(graph.domains[domain["name"]].path)
    manifest["root"] = str(root.resolve())
    if manifest.get("schema_version") is not None:
        write_json_atomic(output, manifest)
    return CurrentMesh(manifest, tuple(findings), frozenset(left_out))
