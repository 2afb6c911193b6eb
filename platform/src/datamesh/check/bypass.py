"""``relation-bypass``: a model that reads another domain's table without ``ref``.

A literal ``sales.main.fct_orders`` in a model works where ``sales`` is attached, but dbt never
sees the edge: no declaration, no version, no breaking-change gate, no build order. The compiled
SQL is what DuckDB runs, so it is parsed (sqlglot, not a regex) and every table whose catalog
(or, for a two-part name, schema) is another domain is a bypass unless it is the relation of a
node the model depends on (a ref renders to exactly that name). A source that points into
another domain (its name as database, or a path under its publications or the registry) is the
same violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from datamesh.check.compiled import CompiledDomain, CompiledModel, DeclaredSource, compiled_domain
from datamesh.check.findings import Finding, shown_path
from datamesh.check.rules import rule_finding
from datamesh.discover.graph import DomainGraph
from datamesh.engine.kinds import domain_of_schema
from datamesh.warehouse import Warehouse

DIALECT = "duckdb"
DEFAULT_SCHEMA = "main"  # where a two-part ``domain.table`` resolves in an attached catalog


@dataclass(frozen=True)
class Relation:
    """A table as the SQL names it; ``domain`` is the catalog it resolves in."""

    parts: tuple[str, ...]
    domain: str
    name: str

    @property
    def shown(self) -> str:
        return ".".join(self.parts)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.domain, self.parts[1] if len(self.parts) == 3 else DEFAULT_SCHEMA, self.name)


class UnparsableSql(Exception):
    """sqlglot could not read a compiled model; the message is sqlglot's (line and column)."""


def _relation_key(relation_name: str) -> tuple[str, str, str] | None:
    table = exp.to_table(relation_name, dialect=DIALECT)
    if not (table.catalog and table.db and table.name):
        return None
    return (table.catalog.lower(), table.db.lower(), table.name.lower())


def foreign_relations(
    sql: str, domains: Iterable[str], own: str, allowed: Iterable[str] = ()
) -> list[Relation]:
    """Tables in ``sql`` that live in another of ``domains`` and are not in ``allowed``.

    ``allowed`` holds relation names (``"alpha"."main"."things_v2"``) of the nodes the model
    depends on. Raises UnparsableSql when sqlglot cannot parse ``sql``.
    """
    others = {d.lower() for d in domains} - {own.lower()}
    permitted = {key for name in allowed if (key := _relation_key(name)) is not None}
    try:
        statements = sqlglot.parse(sql, dialect=DIALECT)
    except SqlglotError as exc:
        raise UnparsableSql(str(exc).splitlines()[0]) from exc
    found: dict[tuple[str, str, str], Relation] = {}
    for tree in (s for s in statements if s is not None):
        for table in tree.find_all(exp.Table):
            if not isinstance(table.this, exp.Identifier):
                continue  # a table function: read_parquet(...), range(...)
            # a one-part name (a CTE, a model of the domain's own) has no catalog to bypass into
            catalog, schema, name = table.catalog, table.db, table.name
            domain = domain_of_schema((catalog or schema).lower())  # Spark: sales__b<run id>
            if domain not in others:
                continue
            parts = tuple(p for p in (catalog, schema, name) if p)
            relation = Relation(parts, domain, name.lower())
            if relation.key not in permitted:
                found.setdefault(relation.key, relation)
    return list(found.values())


def line_of(raw_code: str, parts: tuple[str, ...]) -> int:
    """The line where ``raw_code`` writes the relation (quoted or not), else 1."""
    pattern = r"\s*\.\s*".join(rf'"?{re.escape(part)}"?' for part in parts)
    match = re.search(rf"(?<![\w.]){pattern}(?![\w])", raw_code, flags=re.IGNORECASE)
    return raw_code.count("\n", 0, match.start()) + 1 if match else 1


def _quoted_paths(location: str) -> list[str]:
    quoted = [q.replace("''", "'") for q in re.findall(r"'((?:[^']|'')*)'", location)]
    return quoted or [location]


def source_target(
    source: DeclaredSource, domains: Iterable[str], own: str, warehouse: Warehouse, folder: Path
) -> str | None:
    """The other domain a source points into (``registry`` for the registry), else None."""
    others = sorted({d.lower() for d in domains} - {own.lower()})
    if (source.database or "").lower() in others:
        return source.database.lower()  # type: ignore[union-attr]
    if not source.database and (source.schema or "").lower() in others:
        return source.schema.lower()  # type: ignore[union-attr]
    for text in _quoted_paths(source.external_location or ""):
        if not text.strip():
            continue
        path = (folder / text).resolve()
        if path.is_relative_to(warehouse.registry_dir.resolve()):
            return "registry"
        for other in others:
            if path.is_relative_to(warehouse.publications_dir(other).resolve()):
                return other
    return None


def _public_ref(manifest: dict[str, Any], domain: str, identifier: str) -> str:
    for record in manifest["domains"]:
        if record["name"] != domain:
            continue
        for model in record["models"]:
            if model["identifier"].lower() == identifier and model.get("access") == "public":
                version = model.get("version")
                pin = f", v={version}" if version is not None else ""
                return f"{{{{ ref('{domain}', '{model['name']}'{pin}) }}}}"
    return f"{{{{ ref('{domain}', '<model>') }}}} (no public model of {domain} is {identifier})"


def _declare(domain: str, upstreams: Iterable[str]) -> str:
    return "" if domain in upstreams else f" and declare '{domain}' in dependencies.yml"


def _model_findings(
    compiled: CompiledDomain, model: CompiledModel, ctx: _Context
) -> Iterator[Finding]:
    where = f"{compiled.name}.{model.name}"
    file = shown_path(ctx.folder(compiled.name) / model.file, ctx.base)
    try:
        relations = foreign_relations(
            model.compiled_code, ctx.domains, compiled.name, model.allowed
        )
    except UnparsableSql as exc:
        yield rule_finding(
            "relation-bypass-unchecked",
            f"{where}: the SQL parser cannot read the compiled SQL ({exc}); relation-bypass "
            "did not check it",
            domain=compiled.name, model=model.name, file=file,
        )  # fmt: skip
        return
    for relation in relations:
        at = f"{file}:{line_of(model.raw_code, relation.parts)}"
        fix = _public_ref(ctx.manifest, relation.domain, relation.name)
        yield rule_finding(
            "relation-bypass",
            f"{where} reads {relation.shown} of domain '{relation.domain}' without ref "
            f"({at}): write {fix}{_declare(relation.domain, ctx.upstreams(compiled.name))}",
            domain=compiled.name, model=model.name, file=at,
        )  # fmt: skip


def _source_findings(
    compiled: CompiledDomain, source: DeclaredSource, ctx: _Context
) -> Iterator[Finding]:
    folder = ctx.folder(compiled.name)
    target = source_target(source, ctx.domains, compiled.name, ctx.warehouse, folder)
    if target is None:
        return
    source_name, table = source.name.split(".", 1)
    path = folder / source.file
    raw = path.read_text(encoding="utf-8") if path.is_file() else ""
    at = f"{shown_path(path, ctx.base)}:{line_of(raw, (source_name,))}"
    if target == "registry":
        what, fix = "the platform's registry", "read another domain only through ref"
    else:
        what = f"domain '{target}'"
        fix = (
            f"remove the source and write {_public_ref(ctx.manifest, target, table.lower())} "
            f"in the models that read it{_declare(target, ctx.upstreams(compiled.name))}"
        )
    yield rule_finding(
        "relation-bypass",
        f"{compiled.name}: source {source.name} points into {what} ({at}): {fix}",
        domain=compiled.name, model=source_name, file=at,
    )  # fmt: skip


@dataclass(frozen=True)
class _Context:
    graph: DomainGraph
    manifest: dict[str, Any]
    warehouse: Warehouse
    base: Path | None

    @property
    def domains(self) -> list[str]:
        return list(self.graph.domains)

    def folder(self, domain: str) -> Path:
        return self.graph.domains[domain].path

    def upstreams(self, domain: str) -> tuple[str, ...]:
        return tuple(self.graph.domains[domain].upstreams)


def relation_bypass_findings(
    graph: DomainGraph, manifest: dict[str, Any], warehouse: Warehouse, base: Path | None
) -> list[Finding]:
    """``relation-bypass`` findings for every domain of ``manifest`` (the ones that parsed)."""
    ctx = _Context(graph, manifest, warehouse, base)
    findings: list[Finding] = []
    for name in manifest["build_order"]:
        compiled = compiled_domain(graph.domains[name], graph, manifest, warehouse)
        for model in compiled.models:
            findings.extend(_model_findings(compiled, model, ctx))
        for source in compiled.sources:
            findings.extend(_source_findings(compiled, source, ctx))
    return findings
