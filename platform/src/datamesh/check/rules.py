"""Governance rules: small functions over the mesh manifest, each yielding findings.

Each rule has a kebab-case id, a default severity and a one-line explanation (``RULES``); the
severity can be overridden and a rule waived for one model in ``mesh_check.yml``. Two rules
(``ref-not-public``, ``ref-undeclared-domain``) come from dbt parse failures, not from a
manifest: see ``check/current.py``; ``relation-bypass`` reads compiled SQL (``check/bypass.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from datamesh.check.config import CheckConfig, Waiver
from datamesh.check.findings import (
    ERROR,
    INFO,
    OFF,
    WARNING,
    Finding,
    Severity,
    shown_path,
    version_number,
)
from datamesh.discover.declarations import LOOM_CONFIG
from datamesh.yamlfile import load_yaml


@dataclass(frozen=True)
class RuleContext:
    """What rules read: the manifest, today's date and which models name their latest_version.

    ``explicit_latest`` holds (domain, model) pairs whose YAML writes ``latest_version:``; dbt
    fills in the highest version when it is missing, so the manifest alone cannot tell. None
    means unknown (e.g. a saved manifest) and the rule is skipped.
    """

    manifest: dict[str, Any]
    today: date
    explicit_latest: frozenset[tuple[str, str]] | None = None
    base: Path | None = None

    def domain(self, name: str) -> dict[str, Any]:
        return next((d for d in self.manifest["domains"] if d["name"] == name), {})

    def file(self, domain: str, relative: str | None) -> str | None:
        """A domain file as a reviewer finds it: relative to the repo when possible."""
        if not relative:
            return None
        folder = self.domain(domain).get("path")
        if not folder:
            return f"{domain}/{relative}"
        return shown_path(Path(folder) / relative, self.base)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    explanation: str
    check: Callable[[RuleContext], Iterable[Finding]] | None


def _public_models(ctx: RuleContext) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for domain in ctx.manifest["domains"]:
        for model in domain["models"]:
            if model.get("access") == "public":
                yield domain, model


def _label(model: dict[str, Any]) -> str:
    version = model.get("version")
    return model["name"] + (f" v{version}" if version is not None else "")


def _model_file(ctx: RuleContext, domain: str, model: dict[str, Any]) -> str | None:
    return ctx.file(domain, model.get("yaml_file") or model.get("sql_file"))


def rule_finding(rule: str, message: str, **where: Any) -> Finding:
    """A finding of ``rule`` at its default severity, with its explanation."""
    return Finding(
        rule, RULES[rule].severity, message, explanation=RULES[rule].explanation, **where
    )


def _on_model(ctx: RuleContext, rule: str, domain: str, model: dict, message: str) -> Finding:
    return rule_finding(
        rule, message, domain=domain, model=model["name"], version=model.get("version"),
        file=_model_file(ctx, domain, model),
    )  # fmt: skip


def public_contract(ctx: RuleContext) -> Iterator[Finding]:
    for domain, model in _public_models(ctx):
        if not model.get("contract_enforced"):
            yield _on_model(
                ctx, "public-contract", domain["name"], model,
                f"public model {domain['name']}.{_label(model)} has no enforced contract "
                "(config: contract: {enforced: true})",
            )  # fmt: skip


def public_description(ctx: RuleContext) -> Iterator[Finding]:
    for domain, model in _public_models(ctx):
        if not (model.get("description") or "").strip():
            yield _on_model(
                ctx, "public-description", domain["name"], model,
                f"public model {domain['name']}.{_label(model)} has no description",
            )  # fmt: skip


def public_column_description(ctx: RuleContext) -> Iterator[Finding]:
    for domain, model in _public_models(ctx):
        missing = [
            c["name"]
            for c in model.get("columns") or []
            if not (c.get("description") or "").strip()
        ]
        if missing:
            yield _on_model(
                ctx, "public-column-description", domain["name"], model,
                f"public model {domain['name']}.{_label(model)}: column(s) without a "
                f"description: {', '.join(missing)}",
            )  # fmt: skip


def public_owner(ctx: RuleContext) -> Iterator[Finding]:
    for domain, model in _public_models(ctx):
        where = f"public model {domain['name']}.{_label(model)}"
        owner = model.get("owner") or {}
        if not model.get("group"):
            message = f"{where} belongs to no group (config: group: <team>)"
        elif not (owner.get("name") or owner.get("email")):
            message = f"{where}: group '{model['group']}' has no owner (name or email)"
        else:
            continue
        yield _on_model(ctx, "public-owner", domain["name"], model, message)


def latest_version_declared(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.explicit_latest is None:
        return
    seen: set[tuple[str, str]] = set()
    for domain, model in _public_models(ctx):
        key = (domain["name"], model["name"])
        if model.get("version") is None or key in ctx.explicit_latest or key in seen:
            continue
        seen.add(key)
        yield rule_finding(
            "latest-version-declared",
            f"versioned model {domain['name']}.{model['name']} does not name its "
            f"latest_version (dbt assumes v{model.get('latest_version')})",
            domain=domain["name"], model=model["name"],
            file=_model_file(ctx, domain["name"], model),
        )  # fmt: skip


def deprecation_date_set(ctx: RuleContext) -> Iterator[Finding]:
    for domain, model in _public_models(ctx):
        version = version_number(model.get("version"))
        latest = version_number(model.get("latest_version"))
        if version is None or latest is None or version >= latest:
            continue
        if not model.get("deprecation_date"):
            yield _on_model(
                ctx, "deprecation-date", domain["name"], model,
                f"{domain['name']}.{_label(model)} is older than the latest "
                f"v{model['latest_version']} but has no deprecation_date",
            )  # fmt: skip


def unused_upstream(ctx: RuleContext) -> Iterator[Finding]:
    for domain in ctx.manifest["domains"]:
        used = {
            e["producer"]["domain"]
            for e in ctx.manifest["edges"]
            if e["consumer"]["domain"] == domain["name"]
        }
        loom = domain.get("loom_upstreams") or []
        for upstream in domain.get("upstreams") or []:
            if upstream not in used:
                declared_in = LOOM_CONFIG if upstream in loom else "dependencies.yml"
                yield rule_finding(
                    "unused-upstream",
                    f"domain '{domain['name']}' declares upstream '{upstream}' in "
                    f"{declared_in} but no model refs it",
                    domain=domain["name"], file=ctx.file(domain["name"], declared_in),
                )  # fmt: skip


def dbt_loom_declaration(ctx: RuleContext) -> Iterator[Finding]:
    for domain in ctx.manifest["domains"]:
        for upstream in domain.get("loom_upstreams") or []:
            yield rule_finding(
                "dbt-loom-declaration",
                f"domain '{domain['name']}' declares upstream '{upstream}' only in {LOOM_CONFIG}: "
                f"move it to dependencies.yml (projects: [{{name: {upstream}}}]); the mesh reads "
                "the entry as a declaration and never the manifest file its path names",
                domain=domain["name"], file=ctx.file(domain["name"], LOOM_CONFIG),
            )  # fmt: skip


def local_package_domain(ctx: RuleContext) -> Iterator[Finding]:
    for edge in ctx.manifest["edges"]:
        if edge.get("kind") != "package":
            continue
        consumer, producer = _edge_names(edge)
        upstream, model = edge["producer"]["domain"], edge["producer"]["model"]
        yield rule_finding(
            "local-package-domain",
            f"{consumer} reads {producer} from domain '{upstream}' installed as a local package "
            f"(packages.yml): it rebuilds {upstream}'s models inside "
            f"{edge['consumer']['domain']} instead of reading the published ones. Declare "
            f"'{upstream}' in dependencies.yml (projects: [{{name: {upstream}}}]), remove the "
            f"package and ref it with two arguments: ref('{upstream}', '{model}')",
            **_edge_where(ctx, edge),
        )


def _as_date(value: str) -> date:
    return datetime.fromisoformat(value).date()


def _edge_where(ctx: RuleContext, edge: dict[str, Any]) -> dict[str, Any]:
    consumer = edge["consumer"]
    return {
        "domain": consumer["domain"],
        "model": consumer["model"],
        "version": consumer.get("version"),
        "file": ctx.file(consumer["domain"], consumer.get("file")),
    }


def _edge_names(edge: dict[str, Any]) -> tuple[str, str]:
    consumer, producer = edge["consumer"], edge["producer"]
    version = producer.get("version")
    label = f"{producer['domain']}.{producer['model']}" + (
        f" v{version}" if version is not None else ""
    )
    return f"{consumer['domain']}.{consumer['model']}", label


def deprecated_refs(ctx: RuleContext) -> Iterator[Finding]:
    for edge in ctx.manifest["edges"]:
        deprecation = edge["producer"].get("deprecation_date")
        if not deprecation:
            continue
        when = _as_date(deprecation)
        days = (when - ctx.today).days
        consumer, producer = _edge_names(edge)
        latest = edge["producer"].get("latest_version")
        read = edge["producer"].get("version")
        # "move to" goes to readers of an older version only, never to a reader of the latest
        move = f": move to v{latest}" if latest is not None and str(latest) != str(read) else ""
        if days < 0:
            yield rule_finding(
                "deprecated-ref-expired",
                f"{consumer} still reads {producer}, deprecated since {when} "
                f"({-days} days ago){move}",
                **_edge_where(ctx, edge),
            )
        else:
            yield rule_finding(
                "deprecated-ref",
                f"{consumer} reads {producer}, deprecated on {when}: {days} days left{move}",
                **_edge_where(ctx, edge),
            )


def _shape_version(ctx: RuleContext, edge: dict[str, Any]) -> tuple[Any, list[str]]:
    """The version an unpinned reader should pin: the one it resolves to when that holds every
    column it reads, else the newest that does; and the columns the resolved one lacks."""
    producer = edge["producer"]
    resolved, columns = producer["version"], edge.get("columns", "unknown")
    if columns == "unknown":
        return resolved, []
    versions = {
        str(m.get("version")): {c["name"].lower() for c in m.get("columns") or []}
        for m in ctx.domain(producer["domain"]).get("models", [])
        if m["name"] == producer["model"] and m.get("version") is not None
    }
    wanted = {c["name"].lower() for c in columns}
    lacking = sorted(wanted - versions.get(str(resolved), wanted))
    if not lacking:
        return resolved, []
    fitting = [v for v, names in versions.items() if wanted <= names]
    fitting.sort(key=lambda v: version_number(v) or 0)
    return (fitting[-1] if fitting else None), lacking


def unpinned_versioned_ref(ctx: RuleContext) -> Iterator[Finding]:
    for edge in ctx.manifest["edges"]:
        if edge.get("pinned") or edge["producer"].get("version") is None:
            continue
        consumer, producer = _edge_names(edge)
        domain, model = edge["producer"]["domain"], edge["producer"]["model"]
        version, lacking = _shape_version(ctx, edge)
        if not lacking:
            advice = f"pin it (ref('{domain}', '{model}', v={version}))"
        elif version is not None:
            advice = (
                f"it reads {', '.join(lacking)}, which v{edge['producer']['version']} lacks: "
                f"pin it to the version with its shape (ref('{domain}', '{model}', v={version}))"
            )
        else:
            advice = f"it reads {', '.join(lacking)}, which no version has: fix the model"
        yield rule_finding(
            "unpinned-versioned-ref",
            f"{consumer} refs versioned {producer} without a version: {advice}",
            **_edge_where(ctx, edge),
        )


def unused_public_model(ctx: RuleContext) -> Iterator[Finding]:
    read = {(e["producer"]["domain"], e["producer"]["model"]) for e in ctx.manifest["edges"]}
    exposed = {
        unique_id
        for domain in ctx.manifest["domains"]
        for exposure in domain.get("exposures") or []
        for unique_id in exposure.get("depends_on") or []
    }
    seen: set[tuple[str, str]] = set()
    for domain, model in _public_models(ctx):
        key = (domain["name"], model["name"])
        if key in seen:
            continue
        seen.add(key)
        versions = [m for m in domain["models"] if m["name"] == model["name"]]
        if key in read or any(m["unique_id"] in exposed for m in versions):
            continue
        yield rule_finding(
            "unused-public-model",
            f"public model {key[0]}.{key[1]} is read by no other domain and used by no "
            "exposure",
            domain=key[0], model=key[1], file=_model_file(ctx, key[0], model),
        )  # fmt: skip


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("public-contract", ERROR,
             "A public model must enforce its contract so consumers get the columns and types "
             "it promises.", public_contract),
        Rule("public-description", ERROR,
             "A public model needs a description: consumers read it to choose a data product.",
             public_description),
        Rule("public-column-description", ERROR,
             "Every column of a public model needs a description.", public_column_description),
        Rule("public-owner", ERROR,
             "A public model belongs to a group whose owner consumers can contact.", public_owner),
        Rule("latest-version-declared", ERROR,
             "A versioned model names its latest_version, so adding a version never silently "
             "moves unpinned consumers.", latest_version_declared),
        Rule("deprecation-date", ERROR,
             "Every version older than the latest has a deprecation_date, so consumers know "
             "when it goes away.", deprecation_date_set),
        Rule("ref-not-public", ERROR,
             "Another domain's model can be referenced only when it is public.", None),
        Rule("ref-undeclared-domain", ERROR,
             "A domain refs only domains it declares in dependencies.yml.", None),
        Rule("ref-missing", ERROR,
             "A cross-domain ref names a model or version its domain does not define.", None),
        Rule("relation-bypass", ERROR,
             "A model reads another domain only through ref (never its catalog by name, never "
             "a source into its storage), so every cross-domain read is declared and gated.",
             None),
        Rule("relation-bypass-unchecked", INFO,
             "A model whose compiled SQL the SQL parser cannot read: relation-bypass could not "
             "check it.", None),
        Rule("unused-upstream", WARNING,
             "An upstream declared in dependencies.yml that no model refs: remove it.",
             unused_upstream),
        Rule("dbt-loom-declaration", WARNING,
             "An upstream declared only in dbt_loom.config.yml: the mesh reads it, but "
             "dependencies.yml is the one declaration dbt and the mesh share.",
             dbt_loom_declaration),
        Rule("local-package-domain", WARNING,
             "A domain installed as a local package is rebuilt inside its consumer: read its "
             "published models through dependencies.yml and two-argument refs instead.",
             local_package_domain),
        Rule("deprecated-ref", WARNING,
             "A consumer reads a deprecated model version: migrate before the date.",
             deprecated_refs),
        Rule("deprecated-ref-expired", ERROR,
             "A consumer reads a model version whose deprecation date has passed.", None),
        Rule("unpinned-versioned-ref", WARNING,
             "A cross-domain ref to a versioned model without v=: pin a version so a new "
             "latest does not change what you read.", unpinned_versioned_ref),
        Rule("unused-public-model", INFO,
             "A public model nobody consumes and no exposure uses: make it protected or "
             "remove it.", unused_public_model),
    )
}  # fmt: skip


def run_rules(ctx: RuleContext) -> list[Finding]:
    """Every manifest rule's findings, at their default severities."""
    findings: list[Finding] = []
    for rule in RULES.values():
        if rule.check is not None:
            findings.extend(rule.check(ctx))
    return findings


def apply_config(
    findings: Iterable[Finding], config: CheckConfig
) -> tuple[list[Finding], list[tuple[Finding, Waiver]]]:
    """Overridden severities applied, ``off`` rules dropped, waived findings set aside."""
    kept: list[Finding] = []
    waived: list[tuple[Finding, Waiver]] = []
    for finding in findings:
        severity = config.severity(finding.rule, finding.severity)
        if severity == OFF:
            continue
        finding = replace(finding, severity=severity)
        waiver = config.waiver_for(finding)
        if waiver is not None:
            waived.append((finding, waiver))
        else:
            kept.append(finding)
    return kept, waived


def explicit_latest_versions(manifest: dict[str, Any]) -> frozenset[tuple[str, str]]:
    """(domain, model) pairs whose YAML names ``latest_version`` (read from the domain files)."""
    found: set[tuple[str, str]] = set()
    for domain in manifest["domains"]:
        for yaml_file in {m["yaml_file"] for m in domain["models"] if m.get("version") is not None}:
            path = Path(domain["path"]) / yaml_file if yaml_file else None
            if path is None or not path.is_file():
                continue
            data = load_yaml(path) or {}
            for entry in data.get("models") or [] if isinstance(data, dict) else []:
                if isinstance(entry, dict) and entry.get("latest_version") is not None:
                    found.add((domain["name"], str(entry.get("name"))))
    return frozenset(found)
