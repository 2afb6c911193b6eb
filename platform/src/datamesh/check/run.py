"""One check: parse the working tree, run the rules, diff against the baseline, keep a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from datamesh.check.baseline import baseline_manifest
from datamesh.check.bypass import relation_bypass_findings
from datamesh.check.config import CheckConfig
from datamesh.check.current import current_mesh
from datamesh.check.findings import OFF, CheckResult, Finding, finding_key
from datamesh.check.report_file import write_check_report
from datamesh.check.rules import (
    RULES,
    RuleContext,
    apply_config,
    explicit_latest_versions,
    run_rules,
)
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.discover.select import select_domains
from datamesh.impact.breaking import additions, breaking_changes
from datamesh.warehouse import Warehouse


@dataclass(frozen=True)
class CheckOptions:
    baseline: str | None = None
    config: CheckConfig = CheckConfig()
    today: date | None = None
    select: list[str] | None = None
    exclude: list[str] | None = None


def repo_base(root: Path) -> Path:
    """Files are shown relative to the git repo holding the mesh, else to the mesh root."""
    for folder in (root.resolve(), *root.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return root.resolve()


def _still_defined(graph: DomainGraph):
    def still_defined(domain: str, model: dict[str, Any]) -> bool:
        found = graph.domains.get(domain)
        return bool(found and model.get("sql_file") and (found.path / model["sql_file"]).is_file())

    return still_defined


def _baseline_findings(
    baseline: dict[str, Any], ctx: RuleContext, config: CheckConfig
) -> frozenset[tuple[str, str, str | None, str]]:
    """The governance findings the baseline already had, so a pull-request comment can tell
    them from what the change introduces. The baseline's checkout may be gone: which models
    name latest_version is taken from the working tree, and the compiled-SQL rule is not rerun."""
    base_ctx = RuleContext(baseline, ctx.today, ctx.explicit_latest, ctx.base)
    found: list[Finding] = apply_config(list(run_rules(base_ctx)), config)[0]
    return frozenset(finding_key(f) for f in found)


def run_check(root: Path, warehouse: Warehouse, options: CheckOptions) -> CheckResult:
    """Findings and breaking changes for the mesh under ``root``; writes the check report."""
    base = repo_base(root)
    graph = DomainGraph.from_domains(discover_domains(root))
    current = current_mesh(graph, root, warehouse, warehouse.check_manifest_file, base)
    ctx = RuleContext(
        current.manifest,
        options.today or date.today(),
        explicit_latest_versions(current.manifest),
        base,
    )
    bypass = []  # compiling every domain is the cost of this rule: none when it is off
    if options.config.severity("relation-bypass", RULES["relation-bypass"].severity) != OFF:
        bypass = relation_bypass_findings(graph, current.manifest, warehouse, base)
    findings, waived = apply_config([*current.findings, *run_rules(ctx), *bypass], options.config)
    if current.left_out:  # who reads a model is unknown while a domain is left out
        findings = [f for f in findings if f.rule != "unused-public-model"]
    changes, changelog, preexisting = [], [], frozenset()
    if options.baseline:
        baseline = baseline_manifest(options.baseline, root, warehouse)
        changes = breaking_changes(
            baseline, current.manifest, still_defined=_still_defined(graph),
            locate=ctx.file, skip_domains=current.left_out,
        )  # fmt: skip
        changelog = additions(baseline, current.manifest)
        preexisting = _baseline_findings(baseline, ctx, options.config)
    if options.select or options.exclude:
        chosen = set(select_domains(graph, options.select, options.exclude))
        findings = [f for f in findings if f.domain in chosen]
        changes = [c for c in changes if c.domain in chosen]
        waived = [(f, w) for f, w in waived if f.domain in chosen]
    result = CheckResult(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        baseline=options.baseline,
        findings=findings,
        breaking_changes=changes,
        waived=waived,
        left_out=sorted(current.left_out),
        changelog=changelog,
        preexisting=preexisting,
    )
    write_check_report(warehouse, result)
    return result
