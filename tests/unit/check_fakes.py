"""Small in-memory mesh manifests for the check's unit tests."""

from __future__ import annotations

import copy
from typing import Any


def column(name: str, data_type: str = "integer", *constraints: str, description: str = "d"):
    return {
        "name": name,
        "data_type": data_type,
        "description": description,
        "constraints": sorted(constraints),
    }


def model(
    domain: str, name: str, version: int | None = None, latest: int | None = None, **extra: Any
) -> dict[str, Any]:
    suffix = f".v{version}" if version is not None else ""
    record = {
        "unique_id": f"model.{domain}.{name}{suffix}",
        "name": name,
        "version": version,
        "latest_version": latest,
        "is_latest": version is None or version == latest,
        "deprecation_date": None,
        "access": "public",
        "description": f"{name} described",
        "group": "team",
        "owner": {"name": "Team", "email": "team@example.com"},
        "contract_enforced": True,
        "columns": [column("id", "integer", "not_null"), column("label", "varchar")],
        "constraints": [],
        "sql_file": f"models/{name}" + (f"_v{version}" if version is not None else "") + ".sql",
        "yaml_file": f"models/{name}.yml",
    }
    record.update(extra)
    return record


def edge(consumer: str, producer: str, version: int | None = None, **extra: Any) -> dict:
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
    }  # fmt: skip
    record.update(extra)
    return record


def manifest(models: list[dict], edges: list[dict] | None = None, **upstreams) -> dict:
    """A mesh manifest; domains come from the models' ids (plus keys of ``upstreams``)."""
    names = {m["unique_id"].split(".")[1] for m in models} | set(upstreams)
    for e in edges or []:
        names |= {e["consumer"]["domain"], e["producer"]["domain"]}
    domains = [
        {
            "name": name,
            "path": f"/mesh/{name}",
            "upstreams": list(upstreams.get(name, [])),
            "models": [m for m in models if m["unique_id"].split(".")[1] == name],
            "exposures": [],
        }
        for name in sorted(names)
    ]
    return {"domains": domains, "edges": edges or [], "build_order": sorted(names)}


def things(**changes: Any) -> dict[str, Any]:
    """alpha.things v1 (deprecated) and v2 (latest), read by beta.legacy (v1) and beta.summary."""
    v1 = model("alpha", "things", 1, 2, deprecation_date="2030-01-01T00:00:00+00:00")
    v2 = model("alpha", "things", 2, 2)
    v2["columns"].append(column("score"))
    edges = [
        edge("beta.legacy", "alpha.things", 1, latest_version=2, deprecated=True,
             deprecation_date="2030-01-01T00:00:00+00:00"),
        edge("beta.summary", "alpha.things", 2),
    ]  # fmt: skip
    result = manifest([v1, v2], edges, beta=["alpha"])
    for key, value in changes.items():
        result[key] = value
    return copy.deepcopy(result)
