"""One domain's write -> audit -> publish, run in a thread of ``build_mesh``.

A domain started ahead of its producers (``scheduler.Start.ahead_of``) has a gate keeper: a
thread that opens its dbt's start gate once every producer has built with the interface the
consumer parsed, or closes it with the reason (``orchestrate/handoff.py``).
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.audit.gate import audit_domain
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.engine.kinds import EngineName, entry_engine
from datamesh.errors import MeshError
from datamesh.manifest.assemble import interface_from_parse
from datamesh.orchestrate.fingerprint import build_fingerprint, own_inputs
from datamesh.orchestrate.handoff import Handoff, link_for_consumers, parsed_view
from datamesh.orchestrate.interrupt import Interrupt
from datamesh.orchestrate.options import BuildOptions
from datamesh.orchestrate.progress import Progress
from datamesh.orchestrate.publish_gate import describe, describe_cautions, publish_breaks
from datamesh.orchestrate.run_report import DomainResult, Status
from datamesh.orchestrate.scheduler import Stage, blocked_reason
from datamesh.orchestrate.state_path import keep_publish_state
from datamesh.publish.engines import Candidate, DuckDBPublisher, Publisher
from datamesh.publish.integrity import IntegrityProblem
from datamesh.registry import read_interface
from datamesh.resolve.start_gate import close_gate, open_gate
from datamesh.warehouse import Warehouse
from datamesh.write.dbt_run import DbtOutcome, explain_failed_build, run_dbt_build
from datamesh.write.warm_start import warm_start_enabled


@dataclass
class BuildRun:
    """What the domain threads of one build share."""

    graph: DomainGraph
    warehouse: Warehouse
    options: BuildOptions
    run_id: str
    progress: Progress
    handoffs: dict[str, Handoff] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    selected: set[str] = field(default_factory=set)
    damaged: dict[str, IntegrityProblem] = field(default_factory=dict)  # found at the start
    forced: set[str] = field(default_factory=set)  # rebuilt whatever their fingerprint
    interrupt: Interrupt = field(default_factory=Interrupt)
    ahead_of: dict[str, set[str]] = field(default_factory=dict)  # consumer -> producers
    called_off: dict[str, str] = field(default_factory=dict)  # consumer -> why its dbt stops
    publisher: Publisher = field(default_factory=DuckDBPublisher)  # the engine seam

    def inputs_of(self, domain: Domain) -> dict[str, Any]:
        """A domain's own inputs, and the engine's: switching engines rebuilds."""
        return {**own_inputs(domain, self.warehouse), **self.publisher.own_inputs()}

    def stop_reason(self, name: str) -> str | None:
        """Why a domain's running dbt must stop now, if it must."""
        if self.interrupt.is_set():
            return f"interrupted by {self.interrupt.signal_name}"
        return self.called_off.get(name)

    def producer_failed(self, name: str, status: Status) -> None:
        """Close the gates of everything downstream of ``name`` now, and stop what runs.

        None of it could be published in this build (a consumer publishes only after every
        producer it read did), so nothing is gained by letting it run on, and no gate may open
        on a consumer that will be blocked.
        """
        self.handoffs[name].mark_final(status)
        downstream = self.graph.descendants(name)
        for consumer in self.ahead_of:  # every domain started so far in this build
            if consumer in downstream and consumer != name:
                self.called_off.setdefault(consumer, blocked_reason(name, status))
                if consumer in self.handoffs:  # its own consumers must not open on it either
                    self.handoffs[consumer].mark_final(Status.BLOCKED)


def build_domain(run: BuildRun, name: str, waiting_on: dict[str, Handoff]) -> DomainResult:
    """Build one domain, ahead of the producers in ``waiting_on`` if there are any."""
    started = time.perf_counter()
    domain = run.graph.domains[name]
    called_off: dict[str, str] = {}
    result = _build_ahead(run, domain, waiting_on, called_off) if waiting_on else None
    if result is None:  # not started ahead, or a producer's interface changed under it
        result = _build_now(run, domain)
    result.started_ahead_of = sorted(waiting_on)
    result.restarted = called_off.get("reason", "") if result.status != Status.BLOCKED else ""
    result.seconds = time.perf_counter() - started
    return result


def _build_now(run: BuildRun, domain: Domain) -> DomainResult:
    """Build a domain whose upstreams are all published, unless nothing it reads changed."""
    name, warehouse = domain.name, run.warehouse
    unreadable = [run.damaged[u] for u in domain.upstreams if u in run.damaged]
    if unreadable and unreadable[0].domain not in run.selected:
        problem = unreadable[0]
        return DomainResult(
            name, Status.BLOCKED, f"{problem}; select it too (mesh build -s {problem.domain}+)"
        )
    upstream_entries = {u: read_interface(warehouse.registry_dir, u) for u in domain.upstreams}
    missing = [u for u, entry in upstream_entries.items() if entry is None]
    if missing:
        return DomainResult(
            name, Status.BLOCKED, f"upstream {', '.join(missing)} never published; select it too"
        )
    elsewhere = [
        f"{u} (published on {entry_engine(entry)})"
        for u, entry in upstream_entries.items()
        if entry is not None and entry_engine(entry) != run.publisher.engine.value
    ]
    if elsewhere:
        return DomainResult(
            name, Status.BLOCKED,
            f"upstream {', '.join(elsewhere)} is not on {run.publisher.engine}; select it too",
        )  # fmt: skip
    inputs = run.inputs_of(domain)
    fingerprint = build_fingerprint(inputs, upstream_entries)
    current = None if name in run.damaged else read_interface(warehouse.registry_dir, name)
    if (
        not run.options.full_refresh
        and name not in run.forced
        and current is not None
        and current.get("fingerprint") == fingerprint
    ):
        return DomainResult(
            name, Status.UNCHANGED,
            "project, raw inputs and upstreams unchanged since last publish",
            fingerprint=fingerprint,
        )  # fmt: skip
    run.stages[name] = Stage.BUILDING
    run.progress.event(name, "building")
    _warm_up_audit(run)
    staging = _fresh_staging(warehouse, name)
    outcome = run_dbt_build(
        domain, warehouse, staging, threads=run.options.threads,
        stop=lambda: run.stop_reason(name), spark=run.publisher.dbt_target(name, run.run_id),
    )  # fmt: skip
    return _audit_and_publish(run, domain, staging, outcome, inputs, {})


def _build_ahead(
    run: BuildRun, domain: Domain, waiting_on: dict[str, Handoff], called_off: dict[str, str]
) -> DomainResult | None:
    """Start dbt before the producers in ``waiting_on`` are published; None: build again."""
    name, warehouse = domain.name, run.warehouse
    inputs = run.inputs_of(domain)
    parsed_against = {u: parsed_view(read_interface(warehouse.registry_dir, u)) for u in waiting_on}
    staging = _fresh_staging(warehouse, name)
    gate = warehouse.start_gate(name)
    keeper = threading.Thread(
        target=_keep_gate, args=(run, name, gate, waiting_on, parsed_against, called_off),
        name=f"gate-{name}", daemon=True,
    )  # fmt: skip
    run.progress.event(name, "waiting", f"started ahead; runs once {', '.join(waiting_on)} built")
    _warm_up_audit(run)
    keeper.start()
    outcome = run_dbt_build(
        domain, warehouse, staging, threads=run.options.threads, gate=gate,
        stop=lambda: run.stop_reason(name),
    )  # fmt: skip
    keeper.join()
    if called_off:
        blocked = wait_for_publish(waiting_on)
        if blocked:
            return DomainResult(name, Status.BLOCKED, blocked)
        run.progress.event(name, "restarted", called_off["reason"])
        return None
    return _audit_and_publish(run, domain, staging, outcome, inputs, waiting_on)


def _keep_gate(
    run: BuildRun,
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
        decision = decide_gate(waiting_on, parsed_against)
        if isinstance(decision, str):
            called_off["reason"] = decision
            close_gate(gate, decision)
            return
        open_gate(gate, decision)
        run.stages[name] = Stage.BUILDING
        run.progress.event(
            name, "building",
            f"reads {', '.join(decision)} before they publish, under audit" if decision else "",
        )  # fmt: skip
    except BaseException as exc:
        called_off.setdefault("reason", f"the start gate failed: {type(exc).__name__}: {exc}")
        close_gate(gate, called_off["reason"])
        raise


def decide_gate(
    waiting_on: dict[str, Handoff], parsed_against: dict[str, Any]
) -> dict[str, str] | str:
    """Wait until every producer is built: the candidates to attach, or why to call off.

    A producer that ended without building anything and is published (unchanged) needs no
    candidate: the published one is current.
    """
    attach: dict[str, str] = {}
    for upstream, handoff in waiting_on.items():
        handoff.built.wait()
        if handoff.status is not None and not handoff.status.ok:  # failed, even if it built
            return blocked_reason(upstream, handoff.status)
        if handoff.staging_link is None:
            if handoff.status is not None and handoff.status.ok:
                continue
            return blocked_reason(upstream, handoff.status)
        if parsed_view(handoff.interface) != parsed_against[upstream]:
            return f"upstream '{upstream}' changed its interface"
        attach[upstream] = str(handoff.staging_link)
    return attach


def wait_for_publish(waiting_on: dict[str, Handoff]) -> str | None:
    """Wait until every producer is done; the reason to block if one did not publish."""
    for handoff in waiting_on.values():
        handoff.final.wait()
    culprit = next((u for u, h in waiting_on.items() if h.status is None or not h.status.ok), None)
    return blocked_reason(culprit, waiting_on[culprit].status) if culprit else None


def publishes_nothing(interface: dict[str, Any]) -> bool:
    """No public model and no read of another domain: its publication would be empty.

    A pure consumer (no public model, but cross-domain refs) still publishes: its registry
    entry records what it reads, which the breaking-change gate judges it by when it is not
    in the tree being built.
    """
    return not interface["models"] and not interface.get("edges")


def no_public_model(domain: Domain) -> str:
    """Why an empty domain is not published: consumers would find nothing in it."""
    return (
        f"domain '{domain.name}' has no public model, so there is nothing to publish: mark a "
        f"model 'access: public' with an enforced contract in its YAML under "
        f"{domain.path / 'models'} (README: Publish a model), or run mesh init for a skeleton"
    )


def _fresh_staging(warehouse: Warehouse, name: str) -> Path:
    staging = warehouse.staging_file(name)
    shutil.rmtree(staging.parent, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    return staging


def _audit_and_publish(
    run: BuildRun,
    domain: Domain,
    staging: Path,
    outcome: DbtOutcome,
    inputs: dict[str, Any],
    waiting_on: dict[str, Handoff],
) -> DomainResult:
    """Copy the public interface into a candidate, audit it, wait for producers, publish it."""
    name, warehouse = domain.name, run.warehouse
    result = DomainResult(
        name, Status.FAILED, dbt_seconds=outcome.seconds, counts=outcome.counts,
        log_file=str(outcome.log_file), phases=dict(outcome.phases),
    )  # fmt: skip
    candidate: Candidate | None = None
    publisher = run.publisher
    stopped = outcome.stopped or (run.stop_reason(name) if outcome.success else None)
    if stopped:  # interrupted, or a producer failed: neither audit nor publish would count
        result.status = Status.INTERRUPTED if run.interrupt.is_set() else Status.BLOCKED
        result.reason = stopped
    elif not outcome.success or outcome.manifest is None:
        result.reason, result.failures = explain_failed_build(domain, run.graph, warehouse, outcome)
        run.producer_failed(name, Status.FAILED)
    elif publishes_nothing(
        interface := interface_from_parse(
            domain, outcome.manifest, _upstream_interfaces(run, domain, waiting_on)
        )
    ):
        result.reason = no_public_model(domain)
        result.failures = [result.reason]
        run.producer_failed(name, Status.FAILED)
    else:
        candidate = publisher.candidate(warehouse, interface, staging, run.run_id)
        link = (
            link_for_consumers(candidate, warehouse.handoff_dir)
            if publisher.pipelines and isinstance(candidate, Path)
            else None
        )
        run.handoffs[name].mark_built(link, interface)
        audit_started = time.perf_counter()
        audit = audit_domain(name, candidate, interface, warehouse, domain_dir=domain.path)
        result.audit_seconds = time.perf_counter() - audit_started
        result.phases["audit"] = round(result.audit_seconds, 3)
        result.warnings = audit.warnings
        if not audit.passed:
            result.reason = "audit failed"
            result.failures = audit.failures
            run.producer_failed(name, Status.FAILED)
        else:
            result.status = Status.PUBLISHED
    blocked = wait_for_publish(waiting_on)  # never publish what was built on unpublished data
    if blocked and result.status != Status.INTERRUPTED:
        result.status, result.reason = Status.BLOCKED, blocked
    if result.status == Status.PUBLISHED and run.interrupt.is_set():
        result.status = Status.INTERRUPTED  # nothing is published once the signal is seen
        result.reason = f"interrupted by {run.interrupt.signal_name} before publishing"
    if result.status == Status.PUBLISHED:
        entries = {u: read_interface(warehouse.registry_dir, u) for u in domain.upstreams}
        result.fingerprint = build_fingerprint(inputs, entries)
        if _republishes_nothing(run, name, result.fingerprint):
            result.status = Status.UNCHANGED
            result.reason = "rebuilt ahead of its producers, which published what it had read"
    if result.status == Status.PUBLISHED:
        _gate_publish(run, name, interface, result)
    if result.status == Status.PUBLISHED:
        publish_started = time.perf_counter()
        consumers = [c for c, d in run.graph.domains.items() if name in d.upstreams]
        publisher.publish(
            warehouse, interface, candidate, fingerprint=result.fingerprint, run_id=run.run_id,
            consumers=consumers,
        )  # fmt: skip
        keep_publish_state(warehouse, name)  # for dbt --state (Slim CI): mesh state-path
        result.phases["publish"] = round(time.perf_counter() - publish_started, 3)
    if result.status != Status.PUBLISHED:
        publisher.discard(name, run.run_id, candidate)
    shutil.rmtree(staging.parent, ignore_errors=True)
    return result


def _upstream_interfaces(
    run: BuildRun, domain: Domain, waiting_on: dict[str, Handoff]
) -> list[dict[str, Any]]:
    """The interfaces this build read: a producer built ahead handed over its own."""
    found = []
    for upstream in domain.upstreams:
        handoff = waiting_on.get(upstream)
        entry = handoff.interface if handoff is not None and handoff.interface else None
        try:
            entry = entry or read_interface(run.warehouse.registry_dir, upstream)
        except MeshError:  # damaged: its columns are unknown, so every read counts (unknown)
            entry = None
        if entry is not None:
            found.append(entry)
    return found


def _gate_publish(run: BuildRun, name: str, interface: dict[str, Any], result: DomainResult):
    """Refuse a publish that breaks a column or version a consumer reads (unless allowed)."""
    changes = publish_breaks(name, interface, run.graph, run.warehouse)
    result.warnings = [*result.warnings, *describe_cautions(changes)]
    breaks = [c for c in changes if c.breaking]
    if not breaks:
        return
    lines = describe(breaks)
    readers = sorted({f"{c.domain}.{c.model}" for b in breaks for c in b.consumers})
    if run.options.allow_breaking:
        result.reason = f"published with --allow-breaking; breaks {', '.join(readers)}"
        result.warnings = [*result.warnings, *lines]
        return
    result.status = Status.FAILED
    result.reason = (
        f"publish refused: the new interface breaks {', '.join(readers)} "
        "(mesh build --allow-breaking publishes anyway and rebuilds them)"
    )
    result.failures = lines
    run.producer_failed(name, Status.FAILED)


def _republishes_nothing(run: BuildRun, name: str, fingerprint: str) -> bool:
    """A domain started ahead whose producers published exactly what it had: keep what is there.

    Started ahead, it could not know its producers' new fingerprints; now it does. Same inputs,
    same upstream fingerprints: its publication is already this build's result.
    """
    if run.options.full_refresh or name in run.forced:
        return False
    current = read_interface(run.warehouse.registry_dir, name)
    return current is not None and current.get("fingerprint") == fingerprint


_WARM_UP = threading.Lock()


def _warm_up_audit(run: BuildRun) -> None:
    """Import Great Expectations (~3 s) while the first dbt build runs, off the critical path.

    Only when every dbt of the build is forked by the warm process: a fresh dbt process is
    started with ``preexec_fn`` (the write wall), and CPython's fork then takes the logging and
    import locks; an import running in another thread at that moment deadlocked a Spark build
    of the benchmark (the forking thread held logging's lock, GX's import waited for it).
    """
    if run.options.engine is not EngineName.DUCKDB or not warm_start_enabled():
        return

    def load() -> None:
        with contextlib.suppress(Exception):  # the audit itself reports a broken install
            importlib.import_module("great_expectations")

    if _WARM_UP.acquire(blocking=False):  # once per process; never released
        threading.Thread(target=load, name="warm-up-audit", daemon=True).start()
