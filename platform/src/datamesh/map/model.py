"""Join the mesh manifest with the latest check, validation and build reports into one view.

Every renderer of the map (Mermaid, DOT, the HTML catalog) reads this view model, so the joins
(which finding belongs to which model version, who consumes which version, how healthy a domain
is) are made once, here, by a pure function that unit tests can feed small dicts. The words and
colours every drawing shows (version captions, domain-arrow labels, the health palette) are
written into the view here too, from ``map/style.py``: the renderers only format them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from datamesh.map.health import domain_health, latest_attempts
from datamesh.map.style import (
    DEPRECATED_COLOR,
    HEALTH_PALETTE,
    MAX_REFS_IN_LABEL,
    GxStatus,
    deprecation_note,
    domain_edge_label,
    edge_caption,
    palette,
    ref_label,
    version_caption,
    version_label,
)
from datamesh.warehouse import Warehouse

NOT_RUN = "not run yet"
# Past this many domains a model-level drawing is unreadable: draw domains only.
MAX_MODEL_LEVEL_DOMAINS = 30

# Where each report the page cites lives, as people read it (relative to the warehouse).
_LAYOUT = Warehouse(Path("warehouse"))
SOURCE_FILES = {
    "check": _LAYOUT.shown(_LAYOUT.check_report_file),
    "validation": _LAYOUT.shown(_LAYOUT.validation_summary_file),
    "build": _LAYOUT.shown(_LAYOUT.last_run_file),
}


def date_only(value: str | None) -> str | None:
    """``2030-01-01T00:00:00+00:00`` -> ``2030-01-01``: what a reader of a catalog wants."""
    return value[:10] if value else None


def safe_id(*parts: str) -> str:
    """An identifier Mermaid and DOT both accept unquoted, distinct for distinct parts."""
    return "__".join(re.sub(r"[^A-Za-z0-9_]", "_", p) for p in parts)


def model_key(domain: str, model: str) -> str:
    return f"{domain}.{model}"


def _same_version(a: Any, b: Any) -> bool:
    return (None if a in (None, "") else str(a)) == (None if b in (None, "") else str(b))


def _version_sort_key(version: Any) -> tuple[int, int, str]:
    """v2 before v10; an unversioned model first."""
    text = "" if version is None else str(version)
    return (1 if text else 0, int(text) if text.isdigit() else 0, text)


def _source(report: dict[str, Any] | None, file: str) -> dict[str, Any]:
    if report is None:
        return {"status": NOT_RUN, "file": file, "generated_at": None}
    stamp = report.get("generated_at") or report.get("started_at")
    return {"status": "ok", "file": file, "generated_at": stamp}


def _validation_index(validation: dict[str, Any] | None) -> dict[Any, dict[str, Any]]:
    index: dict[Any, dict[str, Any]] = {}
    for entry in (validation or {}).get("models") or []:
        if entry.get("unique_id"):
            index[entry["unique_id"]] = entry
        key = (entry.get("domain"), entry.get("model"), str(entry.get("version")))
        index[key] = entry
    return index


def _gx_result(entry: dict[str, Any] | None, validation_ran: bool) -> dict[str, Any]:
    if entry is None:
        return {"status": GxStatus.NO_SUITE if validation_ran else GxStatus.NOT_RUN}
    critical = entry.get("critical_failures") or 0
    warnings = entry.get("warnings") or 0
    status = GxStatus.PASSED if entry.get("success", False) else GxStatus.FAILED
    return {
        "status": status,
        "critical_failures": critical,
        "warnings": warnings,
        "evaluated": entry.get("evaluated"),
        "validated_at": entry.get("validated_at"),
        "result_file": entry.get("result_file"),
        "target": entry.get("target"),
    }


def _consumers_by_version(edges: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_uid: dict[str, list[dict[str, Any]]] = {}
    for edge in edges:
        producer, consumer = edge["producer"], edge["consumer"]
        uid = producer.get("unique_id") or (
            f"model.{producer['domain']}.{producer['model']}"
            + (f".v{producer['version']}" if producer.get("version") is not None else "")
        )
        by_uid.setdefault(uid, []).append(
            {
                "domain": consumer["domain"],
                "model": consumer["model"],
                "version": consumer.get("version"),
                "label": None
                if consumer.get("version") in (None, "")
                else version_label(consumer.get("version")),
                "file": consumer.get("file"),
                "pinned": bool(edge.get("pinned")),
                "deprecated": bool(edge.get("deprecated")),
                "columns_read": _columns_read(edge),
            }
        )
    return by_uid


def _columns_read(edge: dict[str, Any]) -> list[str] | None:
    """The producer columns an edge's consumer reads; None: unknown, so every column."""
    columns = edge.get("columns")
    if not isinstance(columns, list):
        return None
    return sorted({c["name"] for c in columns if isinstance(c, dict) and c.get("name")})


def readers_by_column(
    columns: list[dict[str, Any]], consumers: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Per column of a model version, the consumer models that read it (one hop downstream).

    A consumer whose reads could not be resolved counts as reading every column (``unknown``),
    as the breaking-change gate counts it.
    """
    readers: dict[str, list[dict[str, Any]]] = {c["name"]: [] for c in columns}
    for consumer in consumers:
        read = consumer.get("columns_read")
        who = {"domain": consumer["domain"], "model": consumer["model"], "unknown": read is None}
        for name in readers:
            if read is None or name in read:
                readers[name].append(who)
    return readers


def upstream_reads(edges: list[dict[str, Any]], domain: str, model: str) -> list[dict[str, Any]]:
    """What a model reads from other domains, with the columns (one hop upstream)."""
    reads = []
    for edge in edges:
        consumer, producer = edge["consumer"], edge["producer"]
        if (consumer["domain"], consumer["model"]) != (domain, model):
            continue
        version = producer.get("version")
        reads.append(
            {
                "domain": producer["domain"],
                "model": producer["model"],
                "label": None if version in (None, "") else version_label(version),
                "columns_read": _columns_read(edge),
            }
        )
    return sorted(reads, key=lambda r: (r["domain"], r["model"], r["label"] or ""))


def _findings_for(
    findings: list[dict[str, Any]], domain: str, model: str | None, version: Any = None
) -> list[dict[str, Any]]:
    chosen = []
    for finding in findings:
        if finding.get("domain") != domain or finding.get("model") != model:
            continue
        if model is not None and version is not None:
            if not _same_version(finding.get("version"), version):
                continue
        elif model is not None and finding.get("version") not in (None, ""):
            continue
        chosen.append(finding)
    return chosen


def _model_views(
    domain: dict[str, Any],
    consumers: dict[str, list[dict[str, Any]]],
    check: dict[str, Any] | None,
    validation_index: dict[Any, dict[str, Any]],
    validation_ran: bool,
    edges: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    findings = (check or {}).get("findings") or []
    breaking = (check or {}).get("breaking_changes") or []
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in domain["models"]:
        grouped.setdefault(record["name"], []).append(record)
    views = []
    for name, records in sorted(grouped.items()):
        records.sort(key=lambda r: (_version_sort_key(r.get("version")), r["unique_id"]))
        latest = next((r for r in records if r.get("is_latest")), records[-1])
        versions = []
        for record in records:
            entry = validation_index.get(record["unique_id"]) or validation_index.get(
                (domain["name"], name, str(record.get("version")))
            )
            deprecated_on = date_only(record.get("deprecation_date"))
            label = version_label(record.get("version"))
            is_latest = bool(record.get("is_latest"))
            versions.append(
                {
                    "unique_id": record["unique_id"],
                    "version": record.get("version"),
                    "label": label,
                    "caption": version_caption(
                        record.get("version"), bool(deprecated_on), deprecated_on
                    ),
                    "heading": label
                    + (" (latest)" if is_latest and record.get("version") is not None else ""),
                    "is_latest": is_latest,
                    "deprecation_date": deprecated_on,
                    "deprecation_note": deprecation_note(deprecated_on) if deprecated_on else None,
                    "access": record.get("access"),
                    "materialized": record.get("materialized"),
                    "relation_name": record.get("relation_name"),
                    "contract_enforced": bool(record.get("contract_enforced")),
                    "columns": record.get("columns") or [],
                    "data_tests": record.get("data_tests") or [],
                    "consumers": consumers.get(record["unique_id"], []),
                    "readers_by_column": readers_by_column(
                        record.get("columns") or [], consumers.get(record["unique_id"], [])
                    ),
                    "findings": _findings_for(findings, domain["name"], name, record["version"])
                    if record.get("version") is not None
                    else [],
                    "breaking_changes": [
                        b
                        for b in breaking
                        if b.get("domain") == domain["name"]
                        and b.get("model") == name
                        and _same_version(b.get("version"), record.get("version"))
                    ],
                    "gx": _gx_result(entry, validation_ran),
                    "sql_file": record.get("sql_file"),
                    "yaml_file": record.get("yaml_file"),
                }
            )
        owner = latest.get("owner") or domain.get("owner") or {}
        deprecated = any(v["deprecation_date"] for v in versions)
        latest_version = latest.get("latest_version")
        views.append(
            {
                "key": model_key(domain["name"], name),
                "id": safe_id("m", domain["name"], name),
                "domain": domain["name"],
                "name": name,
                "description": latest.get("description") or "",
                "group": latest.get("group"),
                "owner": {"name": owner.get("name"), "email": owner.get("email")},
                "latest_version": latest_version,
                "latest_label": None if latest_version is None else version_label(latest_version),
                "versions": versions,
                "versions_caption": ", ".join(v["caption"] for v in versions),
                "findings": _findings_for(findings, domain["name"], name),
                "consumer_count": sum(len(v["consumers"]) for v in versions),
                "reads": upstream_reads(edges or [], domain["name"], name),
                "deprecated": deprecated,
                "stroke": DEPRECATED_COLOR if deprecated else None,
            }
        )
    return views


def _domain_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One edge per (producer domain, consumer domain), with what flows along it."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in edges:
        producer, consumer = edge["producer"]["domain"], edge["consumer"]["domain"]
        entry = grouped.setdefault(
            (producer, consumer),
            {"producer": producer, "consumer": consumer, "refs": [], "deprecated": False},
        )
        ref = ref_label(edge["producer"]["model"], edge["producer"].get("version"))
        if ref not in entry["refs"]:
            entry["refs"].append(ref)
        entry["deprecated"] = entry["deprecated"] or bool(edge.get("deprecated"))
    drawn = [grouped[k] for k in sorted(grouped)]
    for entry in drawn:
        entry["label"] = domain_edge_label(entry["refs"], entry["deprecated"], MAX_REFS_IN_LABEL)
        entry["full_label"] = domain_edge_label(entry["refs"], entry["deprecated"], None)
        entry["color"] = DEPRECATED_COLOR if entry["deprecated"] else None
    return drawn


def _model_edges(
    edges: list[dict[str, Any]], public: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Model-level edges, and the models at their ends that are not public (consumers' own)."""
    internal: dict[str, dict[str, Any]] = {}
    drawn: list[dict[str, Any]] = []
    for edge in edges:
        producer, consumer = edge["producer"], edge["consumer"]
        source = model_key(producer["domain"], producer["model"])
        target = model_key(consumer["domain"], consumer["model"])
        for key, end in ((source, producer), (target, consumer)):
            if key not in public and key not in internal:
                internal[key] = {
                    "key": key,
                    "id": safe_id("c", end["domain"], end["model"]),
                    "domain": end["domain"],
                    "name": end["model"],
                }
        deprecated = bool(edge.get("deprecated"))
        deprecated_on = date_only(producer.get("deprecation_date"))
        drawn.append(
            {
                "source": source,
                "target": target,
                "version": producer.get("version"),
                "label": version_label(producer.get("version")),
                "caption": edge_caption(producer.get("version"), deprecated, deprecated_on),
                "deprecated": deprecated,
                "deprecation_date": deprecated_on,
                "pinned": bool(edge.get("pinned")),
                "color": DEPRECATED_COLOR if deprecated else None,
            }
        )
    drawn.sort(key=lambda e: (e["source"], e["target"], str(e["version"])))
    return drawn, sorted(internal.values(), key=lambda n: n["key"])


def build_map_view(
    manifest: dict[str, Any],
    check: dict[str, Any] | None = None,
    validation: dict[str, Any] | None = None,
    last_run: dict[str, Any] | None = None,
    runs: list[dict[str, Any]] | None = None,
    publications: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The map's view model; a missing report (None) shows as "not run yet", never as healthy.

    ``runs`` are every run report kept (default: ``last_run`` alone) and ``publications`` the
    registry's current entries by domain: health is judged per domain from them."""
    consumers = _consumers_by_version(manifest.get("edges") or [])
    validation_index = _validation_index(validation)
    runs = runs if runs is not None else ([last_run] if last_run else [])
    attempts = latest_attempts(runs)
    publications = publications or {}
    findings = (check or {}).get("findings") or []
    domains, models = [], []
    for domain in manifest["domains"]:
        views = _model_views(domain, consumers, check, validation_index, validation is not None,
                             manifest.get("edges") or [])  # fmt: skip
        domain_findings = _findings_for(findings, domain["name"], None)
        owner = domain.get("owner") or {}
        all_findings = domain_findings + [
            f
            for m in views
            for f in m["findings"] + [x for v in m["versions"] for x in v["findings"]]
        ]
        health = domain_health(
            attempt=attempts.get(domain["name"]),
            publication=publications.get(domain["name"]),
            builds_ran=bool(runs),
            versions=[v for m in views for v in m["versions"]],
            findings=all_findings,
            checked_at=(check or {}).get("generated_at"),
        )
        swatch = HEALTH_PALETTE[health["level"]]
        domains.append(
            {
                "name": domain["name"],
                "id": safe_id("d", domain["name"]),
                "description": domain.get("description") or "",
                "owner": {"name": owner.get("name"), "email": owner.get("email")},
                "groups": domain.get("groups") or [],
                "upstreams": domain.get("upstreams") or [],
                "downstreams": domain.get("downstreams") or [],
                "models": [m["key"] for m in views],
                "exposures": domain.get("exposures") or [],
                "findings": domain_findings,
                "health": health,
                "fill": swatch.fill,
                "stroke": swatch.stroke,
            }
        )
        models.extend(views)
    public = {m["key"] for m in models}
    edges, internal = _model_edges(manifest.get("edges") or [], public)
    known = {d["name"] for d in domains}
    orphan_findings = [f for f in findings if f.get("domain") not in known]
    return {
        "manifest_generated_at": manifest.get("generated_at"),
        "build_order": manifest.get("build_order") or [],
        "sources": {
            "check": {
                **_source(check, SOURCE_FILES["check"]),
                "summary": (check or {}).get("summary"),
                "baseline": (check or {}).get("baseline"),
            },
            "validation": _source(validation, SOURCE_FILES["validation"]),
            "build": {
                **_source(last_run, SOURCE_FILES["build"]),
                "status": "not run yet" if last_run is None else last_run.get("status"),
            },
        },  # fmt: skip
        "domains": domains,
        "models": models,
        "internal_consumers": internal,
        "edges": edges,
        "domain_edges": _domain_edges(manifest.get("edges") or []),
        "other_findings": orphan_findings,
        "breaking_changes": (check or {}).get("breaking_changes") or [],
        "styles": palette(),
    }
