"""Run ``dbt build`` for one domain in a subprocess, into its staging DuckDB file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.dbt_env import (
    ENGINE_OF_BUILD_ENV,
    GATE_ENV,
    NO_ATTACH_ENV,
    PUBLISH_PATH_ENV,
    PUBLISH_SCHEMA_ENV,
    QUIET_DBT_ENV,
    REGISTRY_ENV,
    WAREHOUSE_ENV,
    dbt_common_args,
)
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.engine.kinds import EngineName, SparkSchema
from datamesh.engine.spark_server import HOST_ENV, PORT_ENV
from datamesh.engine.spark_sql import run_statements
from datamesh.errors import MeshError
from datamesh.jsonio import read_json_object
from datamesh.manifest.parse import diagnose_parse, install_packages
from datamesh.manifest.parse_errors import FailureKind
from datamesh.profiles import platform_profiles_dir, spark_profiles_dir
from datamesh.sandbox.wall import ChildWall
from datamesh.warehouse import Warehouse
from datamesh.write.engine_types import explain_unknown_type, is_unknown_type
from datamesh.write.phases import dbt_phases
from datamesh.write.seed_sources import seeds_read_as_sources
from datamesh.write.spark_sources import (
    check_files_exist,
    registration_statements,
    source_tables,
)
from datamesh.write.warm_start import WARM_START_ENV, WarmChild, warm_start_enabled, warm_starter


def _load_prctl() -> Any:
    """libc's prctl, loaded here: the forked child must not import or dlopen (threads run)."""
    if sys.platform != "linux":
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except OSError:
        return None


_PRCTL = _load_prctl()


def _die_with_parent() -> None:
    """Linux: a dbt child is killed when the mesh build that started it dies (even by SIGKILL)."""
    _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def dbt_executable() -> str:
    """The dbt installed beside this Python, so a bare venv works without activation."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


@dataclass
class DbtOutcome:
    """What one dbt build did: success, counts by status, the failing nodes."""

    success: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    log_file: Path | None = None
    manifest: dict[str, Any] | None = None
    stopped: str = ""  # why the build stopped it before it ended (an interrupt, a producer)
    explained: list[str] = field(default_factory=list)  # failures said in the mesh's words
    phases: dict[str, float] = field(default_factory=dict)  # write/phases.py: where time went


def _summarise(run_results: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    counts: dict[str, int] = {}
    failures: list[str] = []
    for result in run_results.get("results", []):
        status = str(result.get("status"))
        counts[status] = counts.get(status, 0) + 1
        if status in {"error", "fail", "runtime error"}:
            message = (result.get("message") or "").strip().splitlines()
            failures.append(f"{result.get('unique_id')}: {status}: {' '.join(message)[:500]}")
    return counts, failures


def _explain_types(run_results: dict[str, Any], manifest_file: Path) -> list[str]:
    """Failed nodes whose error is a type the engine does not know, with model and column."""
    nodes: dict[str, Any] | None = None
    explained: list[str] = []
    for result in run_results.get("results", []):
        message = str(result.get("message") or "")
        if result.get("status") not in {"error", "runtime error"} or not is_unknown_type(message):
            continue
        if nodes is None:
            manifest = read_json_object(manifest_file, "dbt's manifest") or {}
            nodes = manifest.get("nodes") or {}
        sentence = explain_unknown_type(message, nodes.get(result.get("unique_id")))
        if sentence:
            explained.append(sentence)
    return explained


def _tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


POLL_SECONDS = 0.1
GRACE_SECONDS = 3.0


def _wait(child: subprocess.Popen | WarmChild, stop: Callable[[], str | None]) -> tuple[int, str]:
    """Wait for dbt; if ``stop`` gives a reason, end it (SIGTERM, then SIGKILL after a grace)."""
    while True:
        try:
            return child.wait(timeout=POLL_SECONDS), ""
        except subprocess.TimeoutExpired:
            reason = stop()
            if reason:
                break
    child.terminate()
    try:
        return child.wait(timeout=GRACE_SECONDS), reason
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait(), reason


def _start(command: list[str], cwd: Path, env: dict[str, str], log_file: Path,
           wall: ChildWall) -> subprocess.Popen | WarmChild:  # fmt: skip
    """dbt as a fork of the warm process (write/warm_start.py), or as a fresh process."""
    if warm_start_enabled(env):
        writable = None if wall.ruleset is None else list(wall.ruleset.writable)
        return warm_starter().start(command[1:], cwd=cwd, env=env, log=log_file,
                                    writable=writable)  # fmt: skip
    with log_file.open("w", encoding="utf-8") as log:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=wall.preexec(_die_with_parent if _PRCTL is not None else None),
        )  # fmt: skip


def _seed_failures(results_file: Path, project_dir: Path) -> list[str]:
    """Each seed that failed to load, by name and file, with dbt's message."""
    run_results = read_json_object(results_file, "dbt's run results") or {}
    failed: list[str] = []
    for result in run_results.get("results", []):
        if str(result.get("status")) in {"error", "fail", "runtime error"}:
            seed = str(result.get("unique_id", "")).rsplit(".", 1)[-1]
            files = sorted(p.relative_to(project_dir) for p in project_dir.rglob(f"{seed}.csv"))
            where = f" ({files[0].as_posix()})" if files else ""
            message = " ".join(str(result.get("message") or "").split())[:500]
            failed.append(
                f"seed '{seed}'{where}, which a source() of the project reads, failed to load: "
                f"{message}"
            )
    return failed


def run_dbt_build(
    domain: Domain,
    warehouse: Warehouse,
    staging_file: Path,
    *,
    threads: int | None = None,
    gate: Path | None = None,
    stop: Callable[[], str | None] = lambda: None,
    spark: SparkSchema | None = None,
) -> DbtOutcome:
    """``dbt build`` with the generated profile into ``staging_file``; upstreams: the registry.

    With ``gate``, dbt parses and then waits for the orchestrator to open the gate
    (orchestrate/handoff.py) before it runs anything. Seeds that the project's own sources
    read are loaded first by ``dbt seed`` (write/seed_sources.py), into the same file.
    With ``spark``, dbt writes that schema on the Spark server instead (``staging_file``'s
    folder still holds the build's temporary files), after the project's Parquet sources are
    registered as tables (write/spark_sources.py).
    """
    try:
        install_packages(domain, warehouse)
        if spark is not None:
            _register_spark_sources(domain, warehouse, spark)
    except MeshError as exc:  # a failed build the run report explains, like any other
        return DbtOutcome(False, 0.0, explained=[str(exc)])
    target_dir = warehouse.target_dir(domain.name)
    log_dir = warehouse.log_dir(domain.name)
    log_dir.mkdir(parents=True, exist_ok=True)
    results_file = target_dir / "run_results.json"
    results_file.unlink(missing_ok=True)
    profiles_dir = (
        spark_profiles_dir(warehouse, domain.name, domain.profile)
        if spark is not None
        else platform_profiles_dir(warehouse, domain.name, domain.profile)
    )
    common = [*dbt_common_args(domain.path, profiles_dir, target_dir, log_dir), "--no-use-colors"]
    command = [dbt_executable(), "build", *common]
    if threads:
        command += ["--threads", str(threads)]
    env = {
        **os.environ,
        WAREHOUSE_ENV: str(warehouse.root),
        REGISTRY_ENV: str(warehouse.registry_dir),
        PUBLISH_PATH_ENV: str(staging_file),
        **QUIET_DBT_ENV,
    }
    env.pop(GATE_ENV, None)
    env.pop(NO_ATTACH_ENV, None)
    if spark is not None:
        env.update({
            HOST_ENV: spark.host, PORT_ENV: str(spark.port), PUBLISH_SCHEMA_ENV: spark.schema,
            ENGINE_OF_BUILD_ENV: EngineName.SPARK.value,
            # the warm process holds the DuckDB adapter; dbt-spark's Thrift client starts fresh
            WARM_START_ENV: "off",
        })  # fmt: skip
    seeds = seeds_read_as_sources(domain.path)
    log_file = log_dir / "build.log"
    started = time.perf_counter()
    # The write wall (datamesh/sandbox): dbt may write only in its own staging folder (with
    # its TMPDIR), target, logs and project folder; every other file is read-only to it.
    writable = [staging_file.parent, target_dir, log_dir, domain.path]
    tmpdir = staging_file.parent / "tmp"
    with ChildWall(writable, f"dbt for domain '{domain.name}'", tmpdir) as wall:

        def run(argv: list[str], extra_env: dict[str, str], log_path: Path) -> tuple[int, str]:
            child = _start(argv, domain.path, {**env, **extra_env, **wall.env}, log_path, wall)
            return _wait(child, stop)

        seed_failures: list[str] = []
        returncode, stopped = 0, ""
        build_started = started
        if seeds:
            # No producer is read by a seed: attach none (a producer may still be written),
            # and do not wait at the start gate, which is the build's.
            seed_log = log_dir / "seed.log"
            seed_argv = [dbt_executable(), "seed", *common, "--select", *seeds]
            returncode, stopped = run(seed_argv, {NO_ATTACH_ENV: "1"}, seed_log)
            if returncode != 0 and not stopped:
                # each failed seed by name; none when dbt stopped at the parse (explained
                # like a build that could not parse: explain_failed_build)
                seed_failures = _seed_failures(results_file, domain.path)
                log_file = seed_log
        if returncode == 0 and not stopped:
            results_file.unlink(missing_ok=True)
            if gate is not None:
                env[GATE_ENV] = str(gate)
            build_started = time.perf_counter()
            returncode, stopped = run(command, {}, log_file)
    seconds = time.perf_counter() - started
    counts: dict[str, int] = {}
    failures: list[str] = []
    explained: list[str] = []
    manifest_file = target_dir / "manifest.json"
    if results_file.is_file():
        run_results = json.loads(results_file.read_text(encoding="utf-8"))
        counts, failures = _summarise(run_results)
        explained = _explain_types(run_results, manifest_file)
    success = returncode == 0 and not stopped
    if stopped:
        failures = [f"dbt stopped: {stopped}"]
    elif seed_failures:
        explained = seed_failures
    elif not success and not failures:
        failures = [f"dbt exited with code {returncode}:\n{_tail(log_file)}"]
    failures = wall.explain(failures)
    manifest = None
    if success and manifest_file.is_file():
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    # phases of the build step (a seed step before it counts as start-up)
    phases = _phases(log_dir / "dbt.log", log_file, started + seconds - build_started)
    if build_started > started:
        phases["startup"] = round(phases.get("startup", 0.0) + build_started - started, 3)
    return DbtOutcome(
        success, seconds, counts, failures, log_file, manifest, stopped, explained, phases
    )


def _register_spark_sources(domain: Domain, warehouse: Warehouse, spark: SparkSchema) -> None:
    tables = source_tables(domain.path, warehouse.root)
    if tables:
        check_files_exist(tables)
        run_statements(spark.endpoint, registration_statements(tables))


def _phases(dbt_log: Path, build_log: Path, seconds: float) -> dict[str, float]:
    def text(path: Path) -> str:
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""

    return dbt_phases(text(dbt_log), text(build_log), seconds)


def explain_failed_build(
    domain: Domain, graph: DomainGraph, warehouse: Warehouse, outcome: DbtOutcome
) -> tuple[str, list[str]]:
    """The reason and failure lines a run report gives for a failed dbt build.

    A dbt that stopped before running any node could not parse the domain: its subprocess left
    no exception object, so the domain is parsed again in process against the same registry,
    and the report says what ``mesh manifest`` and ``mesh check`` say about it.
    """
    reason = "dbt build failed"
    if outcome.explained:
        first, *others = outcome.explained
        return f"{reason}: {first}", [*others, *outcome.failures]
    if outcome.success or outcome.counts:
        return reason, outcome.failures
    try:
        failure = diagnose_parse(domain, warehouse, warehouse.registry_dir, graph)
    except Exception:  # an explanation must never hide dbt's own failure
        failure = None
    if failure is None:
        return reason, outcome.failures
    if failure.kind is not FailureKind.OTHER:
        reason = f"{reason}: {failure.sentence()}"
    return reason, [failure.message(), *outcome.failures]
