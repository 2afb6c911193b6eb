"""Which domain may start now: pure decisions over the graph, the results so far and the stages
of the domains running.

A domain starts when every selected producer has finished (``Start`` with nothing ahead), or,
pipelined, while the producers it still waits for are all running dbt (``Start`` ahead of them:
its dbt parses, then waits at its start gate; ``orchestrate/handoff.py``). A domain whose
producer did not publish is ``Block``ed instead. Up to ``workers`` domains run dbt at once, and
as many again wait at their gates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from datamesh.discover.graph import DomainGraph
from datamesh.orchestrate.run_report import Status


class Stage(StrEnum):
    """Where a running domain is."""

    CHECKING = "checking"  # deciding whether anything it reads changed
    WAITING = "waiting"  # started ahead: its dbt waits at the start gate
    BUILDING = "building"  # its dbt runs models


@dataclass(frozen=True)
class Start:
    domain: str
    ahead_of: tuple[str, ...] = ()  # producers still building when it starts

    @property
    def stage(self) -> Stage:
        return Stage.WAITING if self.ahead_of else Stage.CHECKING


@dataclass(frozen=True)
class Block:
    domain: str
    upstream: str  # the producer that did not publish
    status: Status  # how it ended

    @property
    def reason(self) -> str:
        return blocked_reason(self.upstream, self.status)


def blocked_reason(upstream: str, status: str | None) -> str:
    return f"upstream '{upstream}' {status}"


@dataclass(frozen=True)
class Limits:
    workers: int  # domains running dbt at once (and domains waiting at a gate at once)
    pipeline: bool = True  # may a consumer start ahead of producers that are building


def ready(
    graph: DomainGraph, name: str, selected: set[str], finished: Mapping[str, Status]
) -> bool:
    """Every selected producer of ``name`` has finished."""
    return all(u not in selected or u in finished for u in graph.upstreams(name))


def blocked_by(graph: DomainGraph, name: str, finished: Mapping[str, Status]) -> str | None:
    """The first producer of ``name`` that finished without publishing."""
    for upstream in graph.upstreams(name):
        status = finished.get(upstream)
        if status is not None and not status.ok:
            return upstream
    return None


def ahead_of(
    graph: DomainGraph,
    name: str,
    selected: set[str],
    finished: Mapping[str, Status],
    running: Mapping[str, Stage],
    registered: Callable[[str], bool],
) -> tuple[str, ...]:
    """The producers ``name`` may start ahead of: every other one done, these building now.

    Empty when it may not: a producer not yet building, or one never published (a first
    build: nothing registered for the consumer's parse to read).
    """
    waiting_on: list[str] = []
    for upstream in graph.upstreams(name):
        if upstream not in selected or upstream in finished:
            continue
        if running.get(upstream) != Stage.BUILDING:
            return ()
        waiting_on.append(upstream)
    if not all(registered(u) for u in graph.upstreams(name)):
        return ()
    return tuple(waiting_on)


def next_starts(
    graph: DomainGraph,
    pending: list[str],
    selected: set[str],
    finished: Mapping[str, Status],
    running: Mapping[str, Stage],
    registered: Callable[[str], bool],
    limits: Limits,
) -> list[Start | Block]:
    """What to do now with the pending domains, in their order.

    Each decision counts for the next: a started domain takes a slot, a blocked one is
    finished (so its own consumers are blocked in the same pass).
    """
    finished, running = dict(finished), dict(running)
    decisions: list[Start | Block] = []
    for name in pending:
        stages = list(running.values())
        waiting_on: tuple[str, ...] = ()
        if not ready(graph, name, selected, finished):
            if not limits.pipeline or stages.count(Stage.WAITING) >= limits.workers:
                continue
            waiting_on = ahead_of(graph, name, selected, finished, running, registered)
            if not waiting_on:
                continue
        elif sum(stage != Stage.WAITING for stage in stages) >= limits.workers:
            continue
        culprit = blocked_by(graph, name, finished)
        if culprit:
            decisions.append(Block(name, culprit, finished[culprit]))
            finished[name] = Status.BLOCKED
            continue
        start = Start(name, waiting_on)
        decisions.append(start)
        running[name] = start.stage
    return decisions
