"""Build the mesh: selected domains in dependency order, in parallel where the graph allows.

Wires the parts: ``scheduler`` decides which domain starts when, ``domain_build`` runs one
domain's write-audit-publish in a thread, ``run_report`` records how each ended. A domain
whose upstream failed is not built; independent branches go on.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

from datamesh.audit.summary import read_validation_summary
from datamesh.audit.validate import duckdb_config
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.discover.select import select_domains
from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic
from datamesh.manifest.assemble import assemble_manifest
from datamesh.manifest.schema import validate_manifest
from datamesh.orchestrate.domain_build import BuildRun, build_domain
from datamesh.orchestrate.handoff import Handoff
from datamesh.orchestrate.interrupt import interrupts_caught
from datamesh.orchestrate.lock import build_lock
from datamesh.orchestrate.options import BuildOptions
from datamesh.orchestrate.progress import Progress
from datamesh.orchestrate.run_report import DomainResult, RunReport, Status, write_run_report
from datamesh.orchestrate.scheduler import Block, Limits, Stage, Start, next_starts
from datamesh.publish.engines import publisher_for
from datamesh.registry import read_interface
from datamesh.resolve.start_gate import close_gate
from datamesh.warehouse import Warehouse

__all__ = ["BuildOptions", "build_mesh", "write_manifest_from_registry"]

POLL_SECONDS = 0.05


def write_manifest_from_registry(root: Path, warehouse: Warehouse, graph: DomainGraph) -> None:
    """After a build, the mesh manifest as published, with no second parse."""
    interfaces = {n: read_interface(warehouse.registry_dir, n) for n in graph.domains}
    if any(i is None for i in interfaces.values()):
        return
    manifest = assemble_manifest(root, graph, interfaces)  # type: ignore[arg-type]
    validate_manifest(manifest)
    write_json_atomic(warehouse.manifest_path, manifest)


def order_with_upstreams(graph: DomainGraph, order: list[str]) -> list[str]:
    """The selected domains and every domain they read, each once."""
    names = dict.fromkeys(order)
    for name in order:
        names.update(dict.fromkeys(graph.upstreams(name)))
    return list(names)


def _with_consumers(graph: DomainGraph, order: list[str]) -> list[str]:
    chosen = set(order) | {c for name in order for c in graph.descendants(name)}
    return [name for name in graph.build_order() if name in chosen]


def _check_publications(run: BuildRun, order: list[str]) -> None:
    """Collect stray candidates, then find damaged publications: rebuild them and consumers."""
    warehouse, graph = run.warehouse, run.graph
    for name in graph.domains:
        try:
            entry = read_interface(warehouse.registry_dir, name)
        except MeshError:  # a damaged entry: its domain is rebuilt, keep its files until then
            continue
        keep = {entry.get("storage"), entry.get("previous_storage")} if entry else set()
        run.publisher.collect(warehouse, name, keep)  # and what killed builds left behind
    run.selected = set(order)
    run.damaged = run.publisher.scan(warehouse, order_with_upstreams(graph, order))
    for problem in run.damaged.values():
        run.progress.event(problem.domain, "damaged", f"{problem}; rebuilding it")
    run.forced = {d for d in run.damaged if d in run.selected}
    run.forced |= {c for d in run.forced for c in graph.descendants(d) if c in run.selected}


def _schedule(
    run: BuildRun, order: list[str], workers: int, results: dict[str, DomainResult]
) -> None:
    """Start domains as ``scheduler.next_starts`` allows; record each as it ends."""
    limits = Limits(workers, run.options.pipeline and run.publisher.pipelines)
    selected = set(order)

    def registered(name: str) -> bool:
        """A consumer's parse can read this producer's entry (so it may start ahead of it)."""
        return run.warehouse.registry_file(name).is_file() and name not in run.damaged

    # a domain started ahead runs once its gate opens, even if that briefly exceeds ``workers``
    with ThreadPoolExecutor(max_workers=max(1, len(order))) as pool:
        running: dict[Future, str] = {}
        pending = list(order)
        try:
            _loop(run, pool, pending, running, selected, limits, registered, results)
        except BaseException as exc:
            # the pool's exit waits for every domain thread: release them all first, or one
            # waiting on a producer (or at its gate) would hold the build forever
            _abandon(run, running, f"the build stopped: {type(exc).__name__}: {exc}")
            raise


def _loop(run: BuildRun, pool: ThreadPoolExecutor, pending: list[str],
          running: dict[Future, str], selected: set[str], limits: Limits,
          registered: Callable[[str], bool], results: dict[str, DomainResult]) -> None:  # fmt: skip
    """The scheduling loop of ``_schedule``: start what may start, record what ended."""
    while pending or running:
        if run.interrupt.is_set() and pending:
            _stop_everything(run, pending, running, results)
            pending.clear()
        finished = {name: result.status for name, result in results.items()}
        stages = {name: run.stages[name] for name in running.values()}
        decisions = next_starts(run.graph, pending, selected, finished, stages, registered, limits)
        for decision in decisions:
            pending.remove(decision.domain)
            if isinstance(decision, Block):
                results[decision.domain] = DomainResult(
                    decision.domain, Status.BLOCKED, decision.reason
                )
                run.progress.event(decision.domain, str(Status.BLOCKED), decision.reason)
                continue
            running[_start(pool, run, decision)] = decision.domain
        if not running:
            continue
        # look again soon: producers reaching "building" can let consumers start, and a
        # signal is acted on here
        done, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if run.interrupt.is_set():
            _stop_everything(run, pending, running, results)
            pending.clear()
        for future in done:
            name = running.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # a bug or an I/O error: report, don't hang
                result = DomainResult(name, Status.FAILED, f"{type(exc).__name__}: {exc}")
            results[name] = result
            run.handoffs[name].mark_final(result.status)
            _report_end(run.progress, result)


def _abandon(run: BuildRun, running: dict[Future, str], reason: str) -> None:
    """The scheduler failed (a bug, a closed output): stop every running domain and wake it."""
    for name in running.values():
        run.called_off.setdefault(name, reason)
        if run.stages.get(name) == Stage.WAITING:
            close_gate(run.warehouse.start_gate(name), reason)
        run.handoffs[name].mark_final(Status.INTERRUPTED)


def _stop_everything(
    run: BuildRun, pending: list[str], running: dict[Future, str], results: dict[str, DomainResult]
) -> None:
    """After a signal: start nothing more, and wake every domain thread that waits.

    Running dbt children are ended by their own threads (``BuildRun.stop_reason``); closing the
    gates and releasing the handoffs makes consumers waiting on a producer stop at once.
    """
    reason = f"interrupted by {run.interrupt.signal_name}"
    for name in pending:
        results[name] = DomainResult(name, Status.INTERRUPTED, f"{reason}; not started")
    for name in running.values():
        if run.stages.get(name) == Stage.WAITING:
            close_gate(run.warehouse.start_gate(name), reason)
        run.handoffs[name].mark_final(Status.INTERRUPTED)


def _start(pool: ThreadPoolExecutor, run: BuildRun, start: Start) -> Future:
    run.handoffs[start.domain] = Handoff(start.domain)
    run.stages[start.domain] = start.stage
    run.ahead_of[start.domain] = set(start.ahead_of)
    waiting_on = {u: run.handoffs[u] for u in start.ahead_of}
    return pool.submit(build_domain, run, start.domain, waiting_on)


def _report_end(progress: Progress, result: DomainResult) -> None:
    # the run report's own word for every status (no "skipped" here and "blocked" there)
    detail = f"{result.seconds:.1f}s"
    if result.reason:
        detail += f"  {result.reason}"
    if result.failures:
        detail += "\n    " + "\n    ".join(result.failures[:10])
    progress.event(result.domain, str(result.status), detail)


def build_mesh(
    root: Path,
    warehouse: Warehouse,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Build the selected domains and write a run report; returns the report."""
    options = options or BuildOptions()
    progress = progress or Progress()
    graph = DomainGraph.from_domains(discover_domains(root))
    order = select_domains(graph, options.select, options.exclude)
    if options.allow_breaking:  # a breaking publish rebuilds its consumers in the same build
        order = _with_consumers(graph, order)
    workers = max(1, options.workers or os.cpu_count() or 1)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    results: dict[str, DomainResult] = {}
    # Spark without a server: a named error before anything is built
    run = BuildRun(graph, warehouse, options, run_id, progress,
                   publisher=publisher_for(options.engine, warehouse))  # fmt: skip
    with interrupts_caught(run.interrupt), build_lock(warehouse.build_lock_file, wait=options.wait):
        # audits merge into the summary: a corrupt one stops the build before it starts
        read_validation_summary(warehouse.validation_summary_file)
        duckdb_config()  # a bad audit setting stops the build before any domain is built
        shutil.rmtree(warehouse.staging_dir, ignore_errors=True)
        _check_publications(run, order)
        try:
            _schedule(run, order, workers, results)
        finally:
            shutil.rmtree(warehouse.handoff_dir, ignore_errors=True)
        progress.close()
        write_manifest_from_registry(root, warehouse, graph)
    report = RunReport.of(
        [results[name] for name in order],
        run_id=run_id,
        started_at=started_at.isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 3),
        warehouse=str(warehouse.root),
        selected=order,
        workers=workers,
        full_refresh=options.full_refresh,
        interrupted_by=run.interrupt.signal_name,
        integrity=[p.record() for p in run.damaged.values()],
    )
    write_run_report(warehouse, report)
    return report
