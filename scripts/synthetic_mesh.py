"""A synthetic mesh of N domains, for readability tests of the map and for benchmarks.

``generate_manifest`` returns a mesh manifest (valid against the schema) without running dbt;
``generate_reports`` adds check, validation and build reports in the shapes the stages write.
Real (tiny) dbt projects for benchmarks are written by ``scripts/bench/synthetic_projects.py``.

    python scripts/synthetic_mesh.py --domains 120 --models 3 --warehouse /tmp/wh
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamesh.audit.summary import ModelSummary, ValidationSummary
from datamesh.check.findings import CheckResult, Finding, Severity
from datamesh.jsonio import write_json_atomic
from datamesh.orchestrate.run_report import DomainResult, RunReport, Status
from datamesh.warehouse import Warehouse

AREAS = [
    "customers", "catalog", "sales", "finance", "marketing", "logistics", "inventory", "pricing",
    "payments", "support", "hr", "payroll", "procurement", "returns", "loyalty", "fraud",
    "shipping", "web", "mobile", "search", "ads", "crm", "billing", "tax", "legal", "risk",
    "supply", "stores", "forecast", "content",
]  # fmt: skip
ENTITIES = [
    "orders", "customers", "products", "invoices", "payments", "sessions", "events", "stock",
    "prices", "tickets", "campaigns", "accounts", "shipments", "refunds", "employees", "vendors",
]  # fmt: skip
COLUMN_TYPES = ["integer", "bigint", "double", "varchar", "date", "timestamp", "boolean"]
TEAMS = ["Core data", "Growth", "Ops analytics", "Finance analytics", "Platform", "Commerce"]


def domain_names(count: int) -> list[str]:
    """Readable, unique names: ``sales``, ..., then ``sales_2``, ..."""
    return [
        AREAS[i % len(AREAS)] + (f"_{i // len(AREAS) + 1}" if i >= len(AREAS) else "")
        for i in range(count)
    ]


def _owner(team: str) -> dict[str, str]:
    return {"name": team, "email": team.lower().replace(" ", ".") + "@example.com"}


def _columns(rng: random.Random, entity: str) -> list[dict[str, Any]]:
    key = entity.rstrip("s") + "_id"
    columns = [
        {"name": key, "data_type": "integer", "description": f"Key of one {entity[:-1]}.",
         "constraints": ["not_null", "primary_key"]},
    ]  # fmt: skip
    for index in range(rng.randint(2, 6)):
        kind = rng.choice(COLUMN_TYPES)
        columns.append(
            {"name": f"{entity[:-1]}_{kind}_{index}", "data_type": kind,
             "description": f"A {kind} attribute.", "constraints": []}
        )  # fmt: skip
    return columns


def _model_records(
    rng: random.Random, domain: str, entity: str, owner: dict[str, str], group: str
) -> list[dict[str, Any]]:
    """One record per version: a third of the models have a deprecated v1 and a latest v2."""
    name = f"{domain}_{entity}" if rng.random() < 0.3 else entity
    columns = _columns(rng, entity)
    versions: list[int | None] = [1, 2] if rng.random() < 0.35 else [None]
    latest = versions[-1]
    records = []
    for version in versions:
        suffix = f".v{version}" if version is not None else ""
        identifier = f"{name}_v{version}" if version is not None else name
        deprecated = version is not None and version != latest
        records.append(
            {
                "unique_id": f"model.{domain}.{name}{suffix}",
                "name": name,
                "version": version,
                "latest_version": latest,
                "is_latest": version == latest,
                "deprecation_date": "2027-06-30T00:00:00+00:00" if deprecated else None,
                "access": "public",
                "materialized": "table",
                "database": domain,
                "schema": "main",
                "identifier": identifier,
                "relation_name": f'"{domain}"."main"."{identifier}"',
                "description": f"{entity.capitalize()} as the {domain} domain publishes them.",
                "group": group,
                "owner": owner,
                "contract_enforced": rng.random() < 0.9,
                "columns": columns[:-1] if deprecated and len(columns) > 2 else columns,
                "constraints": [],
                "data_tests": [
                    {
                        "type": "unique",
                        "column": columns[0]["name"],
                        "kwargs": {},
                        "severity": "error",
                    },
                ],  # fmt: skip
                "sql_file": f"models/{identifier}.sql",
                "yaml_file": f"models/{name}.yml",
            }
        )
    return records


def generate_manifest(domains: int, models_per_domain: int, seed: int) -> dict[str, Any]:
    """A mesh manifest of ``domains`` domains in build order, each reading 0-3 earlier ones."""
    rng = random.Random(seed)
    names = domain_names(domains)
    records: dict[str, list[dict[str, Any]]] = {}
    upstreams: dict[str, list[str]] = {}
    owners: dict[str, dict[str, str]] = {}
    for index, name in enumerate(names):
        team = f"{rng.choice(TEAMS)} {index % 7 + 1}" if domains > 10 else f"Team {name}"
        owners[name] = _owner(team)
        group = f"team_{name}"
        entities = rng.sample(ENTITIES, min(models_per_domain, len(ENTITIES)))
        records[name] = [
            r for e in entities for r in _model_records(rng, name, e, owners[name], group)
        ]
        earlier = names[:index]
        upstreams[name] = sorted(rng.sample(earlier, rng.randint(0, min(3, len(earlier)))))
    edges = []
    for name in names:
        own_public = sorted({r["name"] for r in records[name]})
        for upstream in upstreams[name]:
            by_model: dict[str, list[dict[str, Any]]] = {}
            for record in records[upstream]:
                by_model.setdefault(record["name"], []).append(record)
            for model in rng.sample(sorted(by_model), rng.randint(1, min(2, len(by_model)))):
                versions = by_model[model]
                read = versions[0] if len(versions) > 1 and rng.random() < 0.3 else versions[-1]
                if own_public and rng.random() < 0.5:
                    consumer_model = rng.choice(own_public)
                    latest = [r for r in records[name] if r["name"] == consumer_model][-1]
                    consumer_uid, consumer_version = latest["unique_id"], latest["version"]
                else:
                    consumer_model = f"int_{upstream}__{model}"
                    consumer_uid, consumer_version = f"model.{name}.{consumer_model}", None
                edges.append(
                    {
                        "consumer": {
                            "domain": name, "model": consumer_model, "version": consumer_version,
                            "unique_id": consumer_uid, "file": f"models/{consumer_model}.sql",
                        },
                        "producer": {
                            "domain": upstream, "model": model, "version": read["version"],
                            "unique_id": read["unique_id"],
                            "latest_version": read["latest_version"],
                            "deprecation_date": read["deprecation_date"],
                        },
                        "pinned": read["version"] is not None,
                        "deprecated": read["deprecation_date"] is not None,
                    }
                )  # fmt: skip
    downstreams: dict[str, list[str]] = {n: [] for n in names}
    for name in names:
        for upstream in upstreams[name]:
            downstreams[upstream].append(name)
    return {
        "schema_version": 1,
        "generated_at": datetime(2026, 11, 1, tzinfo=UTC).isoformat(timespec="seconds"),
        "root": "/synthetic/domains",
        "domains": [
            {
                "name": name,
                "path": f"/synthetic/domains/{name}",
                "description": f"Synthetic domain {name} ({len(records[name])} model versions).",
                "owner": owners[name],
                "groups": [{"name": f"team_{name}", "owner": owners[name]}],
                "upstreams": upstreams[name],
                "downstreams": downstreams[name],
                "storage": f"domains/{name}.duckdb",
                "models": records[name],
                "exposures": [],
            }
            for name in names
        ],
        "edges": edges,
        "build_order": names,
    }


def generate_reports(manifest: dict[str, Any], seed: int) -> dict[str, dict[str, Any]]:
    """Check, validation and last-run reports with a few failures, as the stages' records."""
    rng = random.Random(seed)
    stamp = manifest["generated_at"]
    findings: list[Finding] = []
    models: list[ModelSummary] = []
    run_domains: list[DomainResult] = []
    for domain in manifest["domains"]:
        name = domain["name"]
        roll = rng.random()
        status = (
            Status.FAILED if roll < 0.04 else Status.PUBLISHED if roll < 0.6 else Status.UNCHANGED
        )
        run_domains.append(
            DomainResult(name, status, "dbt build failed" if status == Status.FAILED else "")
        )
        for record in domain["models"]:
            if not record["contract_enforced"]:
                findings.append(
                    Finding(
                        rule="public-model-contract", severity=Severity.ERROR,
                        message=f"{record['unique_id']}: public model without an enforced "
                        "contract", domain=name, model=record["name"],
                        version=record["version"], file=record["yaml_file"],
                        explanation="Consumers rely on the column types of a public model.",
                    )
                )  # fmt: skip
            success = rng.random() > 0.05
            models.append(
                ModelSummary(
                    unique_id=record["unique_id"], domain=name, model=record["name"],
                    version=record["version"], success=success,
                    critical_failures=0 if success else 1,
                    warnings=rng.choice([0, 0, 0, 1]), evaluated=6,
                    validated_at=stamp, result_file=None, target="publish",
                )
            )  # fmt: skip
    check = CheckResult(generated_at=stamp, baseline=None, findings=findings, breaking_changes=[])
    last_run = RunReport.of(
        run_domains, run_id="synthetic", started_at=stamp, seconds=0.0, warehouse="synthetic",
        selected=[d.domain for d in run_domains], workers=1, full_refresh=False,
    )  # fmt: skip
    return {
        "check": check.to_json(),
        "validation": ValidationSummary(stamp, models).to_json(),
        "last_run": last_run.to_json(),
    }


def write_warehouse(warehouse: Path, manifest: dict[str, Any], reports: dict[str, Any]) -> None:
    """Put the manifest and reports where ``mesh map`` reads them."""
    layout = Warehouse(warehouse)
    write_json_atomic(layout.manifest_path, manifest)
    write_json_atomic(layout.check_report_file, reports["check"])
    write_json_atomic(layout.validation_summary_file, reports["validation"])
    write_json_atomic(layout.last_run_file, reports["last_run"])


PROFILE = """{name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{{{ env_var('MESH_WAREHOUSE', '../../warehouse') }}}}/dev/{name}.duckdb"
      threads: 1
      plugins:
        - module: datamesh.resolve.attach
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=120)
    parser.add_argument("--models", type=int, default=3, help="public models per domain")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warehouse", type=Path, help="write manifest + reports here")
    args = parser.parse_args(argv)
    if args.warehouse:
        manifest = generate_manifest(args.domains, args.models, args.seed)
        write_warehouse(args.warehouse, manifest, generate_reports(manifest, args.seed))
        print(f"wrote a {args.domains}-domain manifest and reports under {args.warehouse}")
    else:
        print(json.dumps(generate_manifest(args.domains, args.models, args.seed), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
