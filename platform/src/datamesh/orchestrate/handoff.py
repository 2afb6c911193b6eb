"""Pipelined write-audit-publish: a consumer starts before its producers are published.

A consumer's ``dbt build`` spends seconds starting Python, importing dbt and parsing before it
runs a single model; a producer's audit spends seconds more after its models are built. Both
used to sit on the critical path of every dependency level. Now a consumer is started while its
producers still build: dbt parses against the producers' registered interfaces, then waits at a
start gate (in the attach plugin, before the first connection opens) until each producer has
built and checkpointed its staging file. The gate then opens with the producers' staging files
to attach (hard links, so a producer's publish or clean-up cannot pull a file from under the
consumer), and the consumer builds while the producers are audited.

Nothing unaudited is ever published: the consumer publishes only after every producer it read
from has published; if a producer fails its build or audit, the consumer is thrown away and
reported blocked. If a producer's new interface differs from the one the consumer parsed
against, the gate closes and the consumer is built again once the producer is published.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from datamesh.orchestrate.run_report import Status
from datamesh.resolve.nodes import injected_nodes
from datamesh.resolve.upstreams import Upstream


def parsed_view(interface: dict[str, Any] | None) -> list[Any] | None:
    """What a consumer's parse takes from a producer's interface: the nodes dbt injects.

    Descriptions, tests or owners may change without calling a started consumer off. The
    nodes' ``generated_at`` is when they were made, not what they say.
    """
    if interface is None:
        return None
    nodes = injected_nodes([Upstream(interface["domain"], interface, Path())])
    return [{k: v for k, v in asdict(n).items() if k != "generated_at"} for n in nodes]


@dataclass
class Handoff:
    """What one producer tells the consumers started ahead of it, as it happens."""

    domain: str
    built: threading.Event = field(default_factory=threading.Event)
    final: threading.Event = field(default_factory=threading.Event)
    staging_link: Path | None = None  # checkpointed staging file, hard-linked for consumers
    interface: dict[str, Any] | None = None
    status: Status | None = None  # how the producer ended

    def mark_built(self, staging_link: Path | None, interface: dict[str, Any]) -> None:
        self.staging_link, self.interface = staging_link, interface
        self.built.set()

    def mark_final(self, status: Status) -> None:
        self.status = status
        self.built.set()  # a producer that never got to "built" releases its waiters too
        self.final.set()


def link_for_consumers(staging_file: Path, handoff_dir: Path) -> Path:
    """A second name for the checkpointed staging file that outlives its publish and clean-up."""
    handoff_dir.mkdir(parents=True, exist_ok=True)
    link = handoff_dir / staging_file.name
    link.unlink(missing_ok=True)
    os.link(staging_file, link)
    return link
