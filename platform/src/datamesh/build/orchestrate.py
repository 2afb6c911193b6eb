"""Build the mesh: selected domains in dependency order, in parallel where the graph allows.

Each domain is written to a staging file, audited, then published (write-audit-publish).
A domain whose upstream failed is not built; independent branches go on.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamesh.audit.gate import audit_domain
from datamesh.build.dbt_run import run_dbt_build
from datamesh.build.fingerprint import build_fingerprint
from datamesh.build.lock import build_lock
from datamesh.build.progress import Progress
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.discover.select import select_domains
from datamesh.manifest.assemble import assemble_manifest, interface_from_parse
from datamesh.manifest.schema import validate_manifest
from datamesh.publish.publish import checkpoint, publish_domain
from datamesh.registry import read_interface, write_json_atomic
from datamesh.warehouse import Warehouse

DONE_OK = {"published", "unchanged"}


@dataclass
class DomainResult:
    """One domain's outcome in a run report."""

    domain: str
    status: str  # published | unchanged | failed | blocked
    reason: str = ""
    seconds: float = 0.0
    dbt_seconds: float = 0.0
    audit_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    log_file: str | None = None


@dataclass
class BuildOptions:
    select: list[str] | None = None
    exclude: list[str] | None = None
    workers: int | None = None
    threads: int | None = None
    full_refresh: bool = False
    wait: bool = False


def _build_one(
    graph: DomainGraph,
    warehouse: Warehouse,
    name: str,
    options: BuildOptions,
    run_id: str,
    progress: Progress,
) -> DomainResult:
    started = time.perf_counter()
    domain = graph.domains[name]
    upstream_entries = {u: read_interface(warehouse.registry_dir, u) for u in domain.upstreams}
    missing = [u for u, entry in upstream_entries.items() if entry is None]
    if missing:
        return DomainResult(
            name, "blocked", f"upstream {', '.join(missing)} never published; select it too"
        )
    fingerprint = build_fingerprint(domain, warehouse, upstream_entries)
    current = read_interface(warehouse.registry_dir, name)
    if (
        not options.full_refresh
        and current is not None
        and current.get("fingerprint") == fingerprint
        and warehouse.published_file(name).is_file()
    ):
        return DomainResult(
            name, "unchanged", "project, raw inputs and upstreams unchanged since last publish",
            fingerprint=fingerprint, seconds=time.perf_counter() - started,
        )  # fmt: skip
    progress.event(name, "building")
    _warm_up_audit()
    staging = warehouse.staging_file(name)
    shutil.rmtree(staging.parent, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    outcome = run_dbt_build(domain, warehouse, staging, threads=options.threads)
    result = DomainResult(
        name, "failed", fingerprint=fingerprint, dbt_seconds=outcome.seconds,
        counts=outcome.counts, log_file=str(outcome.log_file),
    )  # fmt: skip
    if not outcome.success or outcome.manifest is None:
        result.reason = "dbt build failed"
        result.failures = outcome.failures
    else:
        interface = interface_from_parse(domain, outcome.manifest)
        checkpoint(staging)
        audit_started = time.perf_counter()
        audit = audit_domain(
            name, staging, interface, warehouse.reports_dir, domain_dir=domain.path
        )
        result.audit_seconds = time.perf_counter() - audit_started
        result.warnings = audit.warnings
        if not audit.passed:
            result.reason = "audit failed"
            result.failures = audit.failures
        else:
            publish_domain(warehouse, interface, staging, fingerprint=fingerprint, run_id=run_id)
            result.status = "published"
    shutil.rmtree(staging.parent, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


_WARM_UP = threading.Lock()


def _warm_up_audit() -> None:
    """Import Great Expectations (~3 s) while the first dbt build runs, off the critical path."""

    def load() -> None:
        with contextlib.suppress(Exception):  # the audit itself reports a broken install
            importlib.import_module("great_expectations")

    if _WARM_UP.acquire(blocking=False):  # once per process; never released
        threading.Thread(target=load, name="warm-up-audit", daemon=True).start()


def _blocked_by(graph: DomainGraph, name: str, results: dict[str, DomainResult]) -> str | None:
    for upstream in graph.upstreams(name):
        result = results.get(upstream)
        if result is not None and result.status not in DONE_OK:
            return upstream
    return None


def _ready(graph: DomainGraph, name: str, selected: set[str], results: dict) -> bool:
    return all(u not in selected or u in results for u in graph.upstreams(name))


def write_manifest_from_registry(root: Path, warehouse: Warehouse, graph: DomainGraph) -> None:
    """After a build, the mesh manifest as published, with no second parse."""
    interfaces = {n: read_interface(warehouse.registry_dir, n) for n in graph.domains}
    if any(i is None for i in interfaces.values()):
        return
    manifest = assemble_manifest(root, graph, interfaces)  # type: ignore[arg-type]
    validate_manifest(manifest)
    write_json_atomic(warehouse.manifest_path, manifest)


def build_mesh(
    root: Path,
    warehouse: Warehouse,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build the selected domains and write a run report; returns the report."""
    options = options or BuildOptions()
    progress = progress or Progress()
    graph = DomainGraph.from_domains(discover_domains(root))
    order = select_domains(graph, options.select, options.exclude)
    selected = set(order)
    workers = max(1, options.workers or os.cpu_count() or 1)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    results: dict[str, DomainResult] = {}
    with build_lock(warehouse.state_dir / "build.lock", wait=options.wait):
        shutil.rmtree(warehouse.staging_dir, ignore_errors=True)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            running: dict[Future, str] = {}
            pending = list(order)
            while pending or running:
                for name in list(pending):
                    if len(running) >= workers:
                        break
                    if not _ready(graph, name, selected, results):
                        continue
                    pending.remove(name)
                    culprit = _blocked_by(graph, name, results)
                    if culprit:
                        results[name] = DomainResult(
                            name, "blocked", f"upstream '{culprit}' {results[culprit].status}"
                        )
                        progress.event(name, "skipped", results[name].reason)
                        continue
                    future = pool.submit(
                        _build_one, graph, warehouse, name, options, run_id, progress
                    )
                    running[future] = name
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    name = running.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # a bug or an I/O error: report, don't hang
                        result = DomainResult(name, "failed", f"{type(exc).__name__}: {exc}")
                    results[name] = result
                    shown = "skipped" if result.status == "unchanged" else result.status
                    detail = f"{result.seconds:.1f}s"
                    if result.reason:
                        detail += f"  {result.reason}"
                    if result.failures:
                        detail += "\n    " + "\n    ".join(result.failures[:10])
                    progress.event(name, shown, detail)
        progress.close()
        write_manifest_from_registry(root, warehouse, graph)
    failed = [r for r in results.values() if r.status in {"failed", "blocked"}]
    report = {
        "run_id": run_id,
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 3),
        "warehouse": str(warehouse.root),
        "selected": order,
        "workers": workers,
        "full_refresh": options.full_refresh,
        "status": "failed" if failed else "success",
        "domains": [asdict(results[name]) for name in order],
    }
    runs = warehouse.reports_dir / "runs"
    write_json_atomic(runs / f"{run_id}.json", report)
    write_json_atomic(warehouse.reports_dir / "last_run.json", report)
    return report
