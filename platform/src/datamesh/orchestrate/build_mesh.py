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
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain, discover_domains
from datamesh.discover.select import select_domains
from datamesh.jsonio import write_json_atomic
from datamesh.manifest.assemble import assemble_manifest, interface_from_parse
from datamesh.manifest.schema import validate_manifest
from datamesh.orchestrate.fingerprint import build_fingerprint, own_inputs
from datamesh.orchestrate.handoff import Handoff, link_for_consumers, parsed_view
from datamesh.orchestrate.lock import build_lock
from datamesh.orchestrate.progress import Progress
from datamesh.publish.publish import checkpoint, publish_domain
from datamesh.registry import read_interface
from datamesh.resolve.start_gate import close_gate, open_gate
from datamesh.warehouse import Warehouse
from datamesh.write.dbt_run import DbtOutcome, explain_failed_build, run_dbt_build

DONE_OK = {"published", "unchanged"}
POLL_SECONDS = 0.05


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
    started_ahead_of: list[str] = field(default_factory=list)  # producers still building then
    restarted: str = ""  # why a build started ahead was called off and run again


@dataclass
class BuildOptions:
    select: list[str] | None = None
    exclude: list[str] | None = None
    workers: int | None = None
    threads: int | None = None
    full_refresh: bool = False
    wait: bool = False
    pipeline: bool = True  # start consumers while their producers build (orchestrate/handoff.py)


@dataclass
class _Run:
    """What the domain threads of one build share."""

    graph: DomainGraph
    warehouse: Warehouse
    options: BuildOptions
    run_id: str
    progress: Progress
    handoffs: dict[str, Handoff] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)  # checking | waiting | building


def _build_one(run: _Run, name: str, waiting_on: dict[str, Handoff]) -> DomainResult:
    started = time.perf_counter()
    domain = run.graph.domains[name]
    called_off: dict[str, str] = {}
    result = _build_ahead(run, domain, waiting_on, called_off) if waiting_on else None
    if result is None:  # not started ahead, or a producer's interface changed under it
        result = _build_now(run, domain)
    result.started_ahead_of = sorted(waiting_on)
    result.restarted = called_off.get("reason", "") if result.status != "blocked" else ""
    result.seconds = time.perf_counter() - started
    return result


def _build_now(run: _Run, domain: Domain) -> DomainResult:
    """Build a domain whose upstreams are all published, unless nothing it reads changed."""
    name, warehouse = domain.name, run.warehouse
    upstream_entries = {u: read_interface(warehouse.registry_dir, u) for u in domain.upstreams}
    missing = [u for u, entry in upstream_entries.items() if entry is None]
    if missing:
        return DomainResult(
            name, "blocked", f"upstream {', '.join(missing)} never published; select it too"
        )
    inputs = own_inputs(domain, warehouse)
    fingerprint = build_fingerprint(inputs, upstream_entries)
    current = read_interface(warehouse.registry_dir, name)
    if (
        not run.options.full_refresh
        and current is not None
        and current.get("fingerprint") == fingerprint
        and warehouse.published_file(name).is_file()
    ):
        return DomainResult(
            name, "unchanged", "project, raw inputs and upstreams unchanged since last publish",
            fingerprint=fingerprint,
        )  # fmt: skip
    run.stages[name] = "building"
    run.progress.event(name, "building")
    _warm_up_audit()
    staging = _fresh_staging(warehouse, name)
    outcome = run_dbt_build(domain, warehouse, staging, threads=run.options.threads)
    return _audit_and_publish(run, domain, staging, outcome, inputs, {})


def _build_ahead(
    run: _Run, domain: Domain, waiting_on: dict[str, Handoff], called_off: dict[str, str]
) -> DomainResult | None:
    """Start dbt before the producers in ``waiting_on`` are published; None: build again."""
    name, warehouse = domain.name, run.warehouse
    inputs = own_inputs(domain, warehouse)
    parsed_against = {u: parsed_view(read_interface(warehouse.registry_dir, u)) for u in waiting_on}
    staging = _fresh_staging(warehouse, name)
    gate = warehouse.start_gate(name)
    keeper = threading.Thread(
        target=_keep_gate, args=(run, name, gate, waiting_on, parsed_against, called_off),
        name=f"gate-{name}", daemon=True,
    )  # fmt: skip
    run.progress.event(name, "waiting", f"started ahead; runs once {', '.join(waiting_on)} built")
    _warm_up_audit()
    keeper.start()
    outcome = run_dbt_build(domain, warehouse, staging, threads=run.options.threads, gate=gate)
    keeper.join()
    if called_off:
        blocked = _wait_for_publish(waiting_on)
        if blocked:
            return DomainResult(name, "blocked", blocked)
        run.progress.event(name, "restarted", called_off["reason"])
        return None
    return _audit_and_publish(run, domain, staging, outcome, inputs, waiting_on)


def _keep_gate(
    run: _Run,
    name: str,
    gate: Path,
    waiting_on: dict[str, Handoff],
    parsed_against: dict[str, Any],
    called_off: dict[str, str],
) -> None:
    """Open the gate once every producer is built with the interface the consumer parsed.

    Whatever happens here, the gate is decided: a dbt process waiting at it has no timeout.
    """
    try:
        _decide_gate(run, name, gate, waiting_on, parsed_against, called_off)
    except BaseException as exc:
        called_off.setdefault("reason", f"the start gate failed: {type(exc).__name__}: {exc}")
        close_gate(gate, called_off["reason"])
        raise


def _decide_gate(
    run: _Run,
    name: str,
    gate: Path,
    waiting_on: dict[str, Handoff],
    parsed_against: dict[str, Any],
    called_off: dict[str, str],
) -> None:
    attach: dict[str, str] = {}
    for upstream, handoff in waiting_on.items():
        handoff.built.wait()
        if handoff.staging_link is None:
            if handoff.status in DONE_OK:
                continue  # nothing rebuilt after all: the published file is current
            called_off["reason"] = _blocked_reason(upstream, handoff.status)
            close_gate(gate, called_off["reason"])
            return
        if parsed_view(handoff.interface) != parsed_against[upstream]:
            called_off["reason"] = f"upstream '{upstream}' changed its interface"
            close_gate(gate, called_off["reason"])
            return
        attach[upstream] = str(handoff.staging_link)
    open_gate(gate, attach)
    run.stages[name] = "building"
    run.progress.event(
        name, "building", f"reads {', '.join(attach)} from staging, under audit" if attach else ""
    )


def _wait_for_publish(waiting_on: dict[str, Handoff]) -> str | None:
    """Wait until every producer is done; the reason to block if one did not publish."""
    for handoff in waiting_on.values():
        handoff.final.wait()
    culprit = next((u for u, h in waiting_on.items() if h.status not in DONE_OK), None)
    return _blocked_reason(culprit, waiting_on[culprit].status) if culprit else None


def _blocked_reason(upstream: str, status: str | None) -> str:
    return f"upstream '{upstream}' {status}"


def _fresh_staging(warehouse: Warehouse, name: str) -> Path:
    staging = warehouse.staging_file(name)
    shutil.rmtree(staging.parent, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    return staging


def _audit_and_publish(
    run: _Run,
    domain: Domain,
    staging: Path,
    outcome: DbtOutcome,
    inputs: dict[str, Any],
    waiting_on: dict[str, Handoff],
) -> DomainResult:
    """Audit the staging file, wait for producers read before publish, then publish."""
    name, warehouse = domain.name, run.warehouse
    result = DomainResult(
        name, "failed", dbt_seconds=outcome.seconds, counts=outcome.counts,
        log_file=str(outcome.log_file),
    )  # fmt: skip
    if not outcome.success or outcome.manifest is None:
        result.reason, result.failures = explain_failed_build(domain, run.graph, warehouse, outcome)
    else:
        interface = interface_from_parse(domain, outcome.manifest)
        checkpoint(staging)
        run.handoffs[name].mark_built(link_for_consumers(staging, warehouse.handoff_dir), interface)
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
            result.status = "published"
    blocked = _wait_for_publish(waiting_on)  # never publish what was built on unpublished data
    if blocked:
        result.status, result.reason = "blocked", blocked
    elif result.status == "published":
        entries = {u: read_interface(warehouse.registry_dir, u) for u in domain.upstreams}
        result.fingerprint = build_fingerprint(inputs, entries)
        publish_domain(
            warehouse, interface, staging, fingerprint=result.fingerprint, run_id=run.run_id
        )
    shutil.rmtree(staging.parent, ignore_errors=True)
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


def _ahead_of(run: _Run, name: str, selected: set[str], results: dict) -> dict[str, Handoff]:
    """The producers a domain can start ahead of: all others done, these building dbt now."""
    waiting_on: dict[str, Handoff] = {}
    for upstream in run.graph.upstreams(name):
        if upstream not in selected or upstream in results:
            continue
        if run.stages.get(upstream) != "building":
            return {}
        waiting_on[upstream] = run.handoffs[upstream]
    if not all(run.warehouse.registry_file(u).is_file() for u in run.graph.upstreams(name)):
        return {}  # first build of a producer: nothing for the consumer's parse to read yet
    return waiting_on


def write_manifest_from_registry(root: Path, warehouse: Warehouse, graph: DomainGraph) -> None:
    """After a build, the mesh manifest as published, with no second parse."""
    interfaces = {n: read_interface(warehouse.registry_dir, n) for n in graph.domains}
    if any(i is None for i in interfaces.values()):
        return
    manifest = assemble_manifest(root, graph, interfaces)  # type: ignore[arg-type]
    validate_manifest(manifest)
    write_json_atomic(warehouse.manifest_path, manifest)


def _schedule(run: _Run, order: list[str], workers: int, results: dict[str, DomainResult]) -> None:
    """Start domains as their producers allow: up to ``workers`` running dbt, and as many again
    waiting at their start gate, ahead of producers that are building."""
    graph, progress = run.graph, run.progress
    selected = set(order)
    # a domain started ahead runs once its gate opens, even if that briefly exceeds ``workers``
    with ThreadPoolExecutor(max_workers=max(1, len(order))) as pool:
        running: dict[Future, str] = {}
        pending = list(order)
        while pending or running:
            for name in list(pending):
                stages = [run.stages[running[f]] for f in running]
                active = sum(stage != "waiting" for stage in stages)
                waiting_on: dict[str, Handoff] = {}
                if not _ready(graph, name, selected, results):
                    if not run.options.pipeline or stages.count("waiting") >= workers:
                        continue
                    waiting_on = _ahead_of(run, name, selected, results)
                    if not waiting_on:
                        continue
                elif active >= workers:
                    continue
                pending.remove(name)
                culprit = _blocked_by(graph, name, results)
                if culprit:
                    results[name] = DomainResult(
                        name, "blocked", _blocked_reason(culprit, results[culprit].status)
                    )
                    progress.event(name, "skipped", results[name].reason)
                    continue
                run.handoffs[name] = Handoff(name)
                run.stages[name] = "waiting" if waiting_on else "checking"
                running[pool.submit(_build_one, run, name, waiting_on)] = name
            if not running:
                continue
            # producers reaching "building" can let consumers start: look again soon
            timeout = POLL_SECONDS if run.options.pipeline and pending else None
            done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # a bug or an I/O error: report, don't hang
                    result = DomainResult(name, "failed", f"{type(exc).__name__}: {exc}")
                results[name] = result
                run.handoffs[name].mark_final(result.status)
                shown = "skipped" if result.status == "unchanged" else result.status
                detail = f"{result.seconds:.1f}s"
                if result.reason:
                    detail += f"  {result.reason}"
                if result.failures:
                    detail += "\n    " + "\n    ".join(result.failures[:10])
                progress.event(name, shown, detail)


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
    workers = max(1, options.workers or os.cpu_count() or 1)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    results: dict[str, DomainResult] = {}
    run = _Run(graph, warehouse, options, run_id, progress)
    with build_lock(warehouse.state_dir / "build.lock", wait=options.wait):
        shutil.rmtree(warehouse.staging_dir, ignore_errors=True)
        try:
            _schedule(run, order, workers, results)
        finally:
            shutil.rmtree(warehouse.handoff_dir, ignore_errors=True)
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
