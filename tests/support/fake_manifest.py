"""Small in-memory mesh manifests, shaped like ``mesh manifest`` writes them.

Every record carries every field the real one has (``datamesh.manifest.interface`` and
``assemble``), so a fake passes the manifest's JSON Schema: ``tests/unit/test_fake_manifest.py``
checks that, so the fakes cannot drift from the real shape again.
"""

from __future__ import annotations

import copy
from typing import Any

GENERATED_AT = "2026-11-01T00:00:00+00:00"
ROOT = "/mesh"
THINGS_V1_DEPRECATION = "2030-01-01T00:00:00+00:00"


def column(
    name: str, data_type: str = "integer", *constraints: str, description: str = "d"
) -> dict[str, Any]:
    return {
        "name": name,
        "data_type": data_type,
        "description": description,
        "constraints": sorted(constraints),
    }


def model(
    domain: str, name: str, version: int | None = None, latest: int | None = None, **extra: Any
) -> dict[str, Any]:
    """A public, contracted model version with an id and a label column; ``extra`` overrides."""
    suffix = f".v{version}" if version is not None else ""
    identifier = f"{name}_v{version}" if version is not None else name
    record = {
        "unique_id": f"model.{domain}.{name}{suffix}",
        "name": name,
        "version": version,
        "latest_version": latest,
        "is_latest": version is None or latest is None or version == latest,
        "deprecation_date": None,
        "access": "public",
        "materialized": "table",
        "database": domain,
        "schema": "main",
        "identifier": identifier,
        "relation_name": f'"{domain}"."main"."{identifier}"',
        "description": f"{name} described",
        "group": "team",
        "owner": {"name": "Team", "email": "team@example.com"},
        "contract_enforced": True,
        "columns": [column("id", "integer", "not_null"), column("label", "varchar")],
        "constraints": [],
        "data_tests": [],
        "sql_file": f"models/{identifier}.sql",
        "yaml_file": f"models/{name}.yml",
    }
    record.update(extra)
    return record


def edge(consumer: str, producer: str, version: int | None = None, **extra: Any) -> dict:
    """``consumer`` ("domain.model", unversioned) refs ``producer`` at ``version``.

    ``columns`` (names) are the producer columns it reads; without them the read is unknown.
    ``usage`` maps some of them to how they are read (default ``output``).
    """
    columns = extra.pop("columns", None)
    usage = extra.pop("usage", {})
    c_domain, c_model = consumer.split(".")
    p_domain, p_model = producer.split(".")
    suffix = f".v{version}" if version is not None else ""
    record = {
        "consumer": {
            "domain": c_domain, "model": c_model, "version": None,
            "unique_id": f"model.{c_domain}.{c_model}", "file": f"models/{c_model}.sql",
        },
        "producer": {
            "domain": p_domain, "model": p_model, "version": version,
            "unique_id": f"model.{p_domain}.{p_model}{suffix}",
            "latest_version": extra.pop("latest_version", version),
            "deprecation_date": extra.pop("deprecation_date", None),
        },
        "pinned": version is not None,
        "deprecated": False,
        "kind": "ref",
        "columns": "unknown"
        if columns is None
        else [{"name": c, "line": 2, "usage": usage.get(c, "output")} for c in columns],
        "columns_reason": "not given",
        "consumer_owner": {"name": f"Team {c_domain}", "email": f"{c_domain}@example.com"},
        "star": False,
    }  # fmt: skip
    record.update(extra)
    return record


def domain(
    name: str, models: list[dict], upstreams: list[str], downstreams: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{ROOT}/{name}",
        "description": f"Domain {name}.",
        "owner": {"name": f"Team {name}", "email": f"{name}@example.com"},
        "groups": [],
        "upstreams": upstreams,
        "loom_upstreams": [],
        "downstreams": downstreams,
        "storage": f"domains/{name}.duckdb",
        "models": models,
        "exposures": [],
    }


def manifest(models: list[dict], edges: list[dict] | None = None, **upstreams: list[str]) -> dict:
    """A mesh manifest; domains come from the models' ids, the edges and the keys of
    ``upstreams`` (``beta=["alpha"]``: beta declares alpha)."""
    names = {m["unique_id"].split(".")[1] for m in models} | set(upstreams)
    for e in edges or []:
        names |= {e["consumer"]["domain"], e["producer"]["domain"]}
    order = sorted(names)
    domains = [
        domain(
            name,
            [m for m in models if m["unique_id"].split(".")[1] == name],
            list(upstreams.get(name, [])),
            [d for d in order if name in upstreams.get(d, [])],
        )
        for name in order
    ]
    return {
        "schema_version": 1,
        "generated_at": GENERATED_AT,
        "root": ROOT,
        "domains": domains,
        "edges": edges or [],
        "build_order": order,
    }


def things(**changes: Any) -> dict[str, Any]:
    """alpha.things v1 (deprecated) and v2 (latest), read by beta.legacy (v1) and beta.summary."""
    v1 = model("alpha", "things", 1, 2, deprecation_date=THINGS_V1_DEPRECATION)
    v2 = model("alpha", "things", 2, 2)
    v2["columns"].append(column("score"))
    edges = [
        edge("beta.legacy", "alpha.things", 1, latest_version=2, deprecated=True,
             deprecation_date=THINGS_V1_DEPRECATION),
        edge("beta.summary", "alpha.things", 2),
    ]  # fmt: skip
    result = manifest([v1, v2], edges, beta=["alpha"])
    for key, value in changes.items():
        result[key] = value
    return copy.deepcopy(result)
