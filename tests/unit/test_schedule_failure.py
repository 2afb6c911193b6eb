"""The scheduling loop fails (its output closed, a bug): every domain thread is released, so
the build ends instead of waiting forever for producers nobody will mark done."""

from __future__ import annotations

import threading
import time
from io import StringIO
from pathlib import Path

import pytest

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.orchestrate import build_mesh as build_module
from datamesh.orchestrate.domain_build import BuildRun, wait_for_publish
from datamesh.orchestrate.options import BuildOptions
from datamesh.orchestrate.progress import Progress
from datamesh.orchestrate.run_report import DomainResult, Status
from datamesh.orchestrate.scheduler import Stage
from datamesh.warehouse import Warehouse


class ClosedOutput(StringIO):
    """The reader of ``mesh build | head`` went away: no line can be written."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_failing_scheduler_releases_consumers_waiting_on_a_producer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # quick ends first (the loop reports it and fails); slow still builds; reader waits on slow
    domains = [Domain(n, tmp_path / n, n) for n in ("quick", "slow")]
    domains.append(Domain("reader", tmp_path / "reader", "reader", ("slow",)))
    graph = DomainGraph.from_domains(domains)
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.registry_dir.mkdir(parents=True)
    warehouse.registry_file("slow").write_text("{}")  # registered: reader may start ahead
    released = threading.Event()

    def fake_build(run: BuildRun, name: str, waiting_on: dict) -> DomainResult:
        if name == "slow":
            run.stages[name] = Stage.BUILDING  # as a real build does once dbt runs
            time.sleep(1.0)
        if name == "quick":
            time.sleep(0.3)  # reader has started ahead of slow by now
        if waiting_on:
            reason = wait_for_publish(waiting_on)
            released.set()
            return DomainResult(name, Status.BLOCKED, reason or "")
        return DomainResult(name, Status.PUBLISHED)

    monkeypatch.setattr(build_module, "build_domain", fake_build)
    progress = Progress(stream=ClosedOutput(), colour=False)
    run = BuildRun(graph, warehouse, BuildOptions(), "run", progress)
    finished = threading.Event()
    errors: list[BaseException] = []

    def schedule() -> None:
        try:
            build_module._schedule(run, ["quick", "slow", "reader"], 3, {})
        except BrokenPipeError:
            finished.set()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=schedule, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not errors, errors
    assert finished.is_set(), "the build hung after its scheduler failed"
    assert released.is_set()
    assert "the build stopped: BrokenPipeError" in run.called_off["reader"]
