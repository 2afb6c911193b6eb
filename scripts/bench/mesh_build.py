"""Items 1-3 of the issue: full mesh build vs the monolith, no-op build, one changed domain."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from bench.context import BIN, REPO, Bench
from bench.loom_chain import loom_venv, reset_databases, write_loom_chain
from bench.measure import Measurement, summarise
from bench.monolith import monolith_command, write_monolith
from bench.profile import dbt_log_phases
from bench.results import Row, Scenario, Target, at_most
from datamesh.orchestrate.run_report import RunReport, Status, read_run_report
from datamesh.warehouse import Warehouse, default_warehouse
from datamesh.write.phases import PHASES


def _last_run(bench: Bench) -> RunReport:
    path = Warehouse(bench.warehouse).last_run_file
    report = read_run_report(path)
    if report is None:
        raise FileNotFoundError(f"{path}: the build wrote no run report")
    return report


def build_breakdown(report: RunReport) -> dict[str, Any]:
    """Where a mesh build's time went: dbt, its node execution and audit seconds per domain."""
    domains = {}
    for d in report.domains:
        log = Path(d.log_file) if d.log_file else None
        phases = dbt_log_phases(log.read_text("utf-8", errors="replace")) if log else {}
        domains[d.domain] = {
            "status": str(d.status),
            "seconds": round(d.seconds, 2),
            "dbt_seconds": round(d.dbt_seconds, 2),
            "execution_seconds": phases.get("execution_seconds"),
            "gate_seconds": phases.get("gate_seconds") or 0.0,
            "full_parse_reason": phases.get("full_parse_reason"),
            "audit_seconds": round(d.audit_seconds, 2),
            "nodes": sum(d.counts.values()),
            "phases": d.phases,  # the run report's own breakdown (write/phases.py)
        }
    return {
        "seconds": report.seconds,
        "workers": report.workers,
        "dbt_seconds": round(sum(d["dbt_seconds"] for d in domains.values()), 2),
        "execution_seconds": round(sum(d["execution_seconds"] or 0 for d in domains.values()), 2),
        "gate_seconds": round(sum(d["gate_seconds"] for d in domains.values()), 2),
        "audit_seconds": round(sum(d["audit_seconds"] for d in domains.values()), 2),
        "nodes": sum(d["nodes"] for d in domains.values()),
        "phases": {
            p: round(sum(d.phases.get(p, 0.0) for d in report.domains), 2) for p in PHASES
        },  # fmt: skip
        "domains": domains,
    }


def parse_notes(breakdowns: list[dict[str, Any]]) -> list[str]:
    """Why dbt parsed domains in full, in its own words; empty when every parse was partial."""
    reasons = sorted(
        {d["full_parse_reason"] for b in breakdowns for d in b["domains"].values()} - {None}
    )
    if not reasons:
        return []
    return ["dbt parsed domains in full, not partially: " + "; ".join(f"'{r}'" for r in reasons)]


def monolith_execution_seconds(log: Path) -> float | None:
    return dbt_log_phases(log.read_text("utf-8", errors="replace"))["execution_seconds"]


def dependency_levels(manifest: dict[str, Any]) -> int:
    """The longest chain of domains each waiting for the one before (the build's critical path)."""
    upstreams = {d["name"]: d.get("upstreams") or [] for d in manifest["domains"]}
    depth: dict[str, int] = {}
    for name in manifest["build_order"]:
        depth[name] = 1 + max((depth.get(u, 0) for u in upstreams.get(name, [])), default=0)
    return max(depth.values(), default=0)


def _manifest(bench: Bench) -> dict[str, Any]:
    return json.loads(Warehouse(bench.warehouse).manifest_path.read_text("utf-8"))


def monolith_nodes(target: Path) -> int:
    results = json.loads((target / "run_results.json").read_text("utf-8"))
    return len(results.get("results", []))


def _mesh_full(bench: Bench) -> Measurement:
    run = bench.measure("mesh-full-build", bench.mesh_build("--full-refresh"))
    bench.cache.setdefault("full_breakdowns", []).append(build_breakdown(_last_run(bench)))
    return run


def _monolith(bench: Bench, project: Path) -> Measurement:
    # a folder of its own: dbt run by hand may not write in a folder that holds the warehouse
    database = bench.work / "monolith-db" / "monolith.duckdb"
    database.parent.mkdir(exist_ok=True)
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    command = monolith_command(
        BIN / "dbt", project, bench.work / "monolith-target", bench.work / "monolith-logs"
    )
    return bench.measure(
        "monolith-build", command, env=bench.env(MONOLITH_PATH=str(database)), cwd=project
    )


def _loom_chain(bench: Bench, script: Path) -> Measurement:
    reset_databases(script.parent)
    return bench.measure("loom-chain-build", ["bash", str(script)], cwd=script.parent)


def full_mesh_runs(bench: Bench) -> list[Measurement]:
    """The full-build runs (made once, by item 1 or by the first item that needs them)."""
    if "full_runs" not in bench.cache:
        bench.cache["full_runs"] = [_mesh_full(bench) for _ in range(bench.settings.repeat)]
    return bench.cache["full_runs"]


def warm_up(bench: Bench, project: Path, chain: Path) -> None:
    """One unmeasured build of each side: the steady state an hourly run finds (a registry for
    the mesh, dbt's partial parse for all), not the very first build of a new checkout."""
    bench.say("warm-up (not measured): one mesh build, one monolith build, one dbt-loom chain")
    bench.measure("mesh-warm-up", bench.mesh_build("--full-refresh"))
    _monolith(bench, project)
    _loom_chain(bench, chain)


def full_vs_monolith(bench: Bench) -> Scenario:
    """Item 1: mesh and monolith alternate, so load from other users hits both alike."""
    scenario = Scenario(1, f"Full mesh build vs one monolithic dbt project "
                           f"({bench.settings.orders:,} orders)")  # fmt: skip
    project = bench.work / "monolith"
    info = write_monolith(bench.domains_root, project)
    bench.say("dbt-loom peer: installing its venv (once) and writing the chain")
    chain = write_loom_chain(
        bench.domains_root, bench.work / "loom", threads=info["threads"],
        bin_dir=loom_venv(Warehouse(default_warehouse(REPO)).bench_dir / "loom-venv"),
    )  # fmt: skip
    mesh_runs: list[Measurement] = []
    mono_runs: list[Measurement] = []
    loom_runs: list[Measurement] = []
    warm_up(bench, project, chain)
    for index in range(bench.settings.repeat):  # the order rotates: load hits every side alike
        sides = [
            lambda: mesh_runs.append(_mesh_full(bench)),
            lambda: mono_runs.append(_monolith(bench, project)),
            lambda: loom_runs.append(_loom_chain(bench, chain)),
        ]
        for side in sides[index % 3 :] + sides[: index % 3]:
            side()
    bench.cache["full_runs"] = mesh_runs
    mono_exec = summarise(
        monolith_execution_seconds(Path(r.log)) or 0.0 for r in mono_runs if r.log
    )
    at = f"{bench.settings.orders / 1e6:g}M orders"
    mesh, mono = (
        Row.of(f"mesh build --full-refresh ({at})", mesh_runs),
        Row.of(f"monolith dbt build ({len(info['domains'])} domains in one project, {at})",
               mono_runs),
    )  # fmt: skip
    loom = Row.of(f"dbt-loom chain (one dbt build per project, independent ones at once, {at})",
                  loom_runs)  # fmt: skip
    scenario.rows += [mesh, mono, loom]
    time_ratio = mesh.seconds.median / mono.seconds.median
    memory_ratio = mesh.peak_bytes.median / mono.peak_bytes.median
    scenario.targets.append(at_most(f"mesh / monolith wall time ({at})", time_ratio, 1.15, "x"))
    scenario.targets.append(at_most(f"mesh / monolith peak memory ({at})", memory_ratio, 1.3, "x"))
    scenario.targets.append(
        at_most(f"mesh / dbt-loom chain wall time ({at})",
                mesh.seconds.median / loom.seconds.median, 0.9, "x")
    )  # fmt: skip
    scenario.notes.append(
        "The dbt-loom chain: each domain copied as a plain dbt project with dbt-loom 0.9.6 (a "
        "venv of its own), its producers' target/manifest.json in dbt_loom.config.yml and their "
        "DuckDB files attached read-only; a shell script runs dbt build per project level by "
        "level, the independent ones at once. It audits and publishes nothing."
    )
    breakdowns = bench.cache["full_breakdowns"]
    last = breakdowns[-1]
    nodes = monolith_nodes(bench.work / "monolith-target")
    scenario.details = {"monolith": info, "mesh_breakdowns": breakdowns, "monolith_nodes": nodes}
    dbt_sum = summarise(b["dbt_seconds"] for b in breakdowns)
    audit_sum = summarise(b["audit_seconds"] for b in breakdowns)
    scenario.notes.append(
        f"Same work: the mesh ran {last['nodes']} dbt nodes over {len(last['domains'])} domains, "
        f"the monolith {nodes} nodes in one dbt build ({info['threads']} threads; the mesh "
        f"builds {last['workers']} domains at once with the same threads each)."
    )
    if time_ratio > 1.15:
        exec_sum = summarise(b["execution_seconds"] for b in breakdowns)
        gate_sum = summarise(b.get("gate_seconds", 0.0) for b in breakdowns)
        per_domain = ", ".join(
            f"{name} {d['dbt_seconds']:.1f}/{d.get('gate_seconds', 0.0):.1f}/"
            f"{d['execution_seconds'] or 0:.1f}/{d['audit_seconds']:.1f}"
            for name, d in last["domains"].items()
        )
        rest = dbt_sum.median - exec_sum.median - gate_sum.median
        scenario.notes.append(
            f"Where the mesh's time goes (medians, seconds summed over domains; domains run "
            f"{last['workers']} at a time and consumers start ahead of their producers, so the "
            f"sums exceed the wall time): dbt processes {dbt_sum.median:.1f}, of which waiting "
            f"at the start gate for producers {gate_sum.median:.1f}, running nodes (dbt's own "
            f"'Finished running' time less the wait) {exec_sum.median:.1f} against "
            f"{mono_exec.median:.1f} in the monolith, and the rest ({rest:.1f}) one Python "
            f"start-up, dbt import and parse per domain. Great Expectations audit of the staged "
            f"files {audit_sum.median:.1f} (the monolith audits nothing). Per domain, "
            f"dbt/gate wait/running nodes/audit: {per_domain}. The machine has "
            f"{os.cpu_count()} cores: every second of CPU the mesh adds (start-ups, audits) "
            f"competes with the builds. Domains form {dependency_levels(_manifest(bench))} "
            f"dependency levels."
        )
        scenario.notes += parse_notes(breakdowns)
        bench.cache["parse_notes"] = set(scenario.notes)
    return scenario


def noop_build(bench: Bench) -> Scenario:
    """Item 2: nothing changed since the last build: every domain is skipped."""
    scenario = Scenario(2, "No-op mesh build (nothing changed) vs full build")
    full = Row.of("mesh build --full-refresh", full_mesh_runs(bench))
    runs = [
        bench.measure("mesh-noop-build", bench.mesh_build()) for _ in range(bench.settings.repeat)
    ]
    statuses = {d.domain: str(d.status) for d in _last_run(bench).domains}
    rebuilt = [name for name, status in statuses.items() if status != Status.UNCHANGED]
    noop = Row.of("mesh build (no change)", runs)
    scenario.rows.append(noop)
    share = 100 * noop.seconds.median / full.seconds.median
    scenario.targets.append(at_most("no-op / full build wall time", share, 5, "%"))
    scenario.details = {"statuses": statuses}
    if rebuilt:
        scenario.notes.append(f"Not a no-op: rebuilt {', '.join(rebuilt)}.")
    if share > 5:
        scenario.notes.append(
            f"No-op took {noop.seconds.median:.2f} s: Python start-up and importing dbt "
            "(for its version in the fingerprint) plus hashing every project file; "
            "it does not grow with the data, so the share falls as the full build grows."
        )
    return scenario


def changed_file(domains_root: Path, domain: str) -> Path:
    """The model a change is made to: the domain's first mart (or first model)."""
    models = sorted((domains_root / domain / "models").rglob("*.sql"))
    marts = [p for p in models if "marts" in p.parts]
    if not models:
        raise RuntimeError(f"{domains_root / domain}: no models to change")
    return (marts or models)[0]


def one_changed_domain(bench: Bench) -> Scenario:
    """Item 3: a comment appended to one model: that domain and its downstreams rebuild."""
    domain = bench.settings.changed_domain
    scenario = Scenario(3, f"One changed domain ({domain}) and its downstreams vs full build")
    full = Row.of("mesh build --full-refresh", full_mesh_runs(bench))
    target = changed_file(bench.domains_root, domain)
    original = target.read_text("utf-8")
    command = bench.mesh_build()
    runs, rebuilt = [], []
    try:
        for _ in range(bench.settings.repeat):
            target.write_text(original + f"\n-- benchmark change {uuid.uuid4().hex}\n", "utf-8")
            runs.append(bench.measure("mesh-changed-build", command))
            report = _last_run(bench)
            rebuilt = [d.domain for d in report.domains if d.status == Status.PUBLISHED]
    finally:
        target.write_text(original, "utf-8")
    changed = Row.of(f"mesh build after editing {domain} ({', '.join(rebuilt)} rebuilt)", runs)
    scenario.rows.append(changed)
    share = 100 * changed.seconds.median / full.seconds.median
    scenario.targets.append(
        Target("changed-domain / full build wall time", share, "(reported)", None, "%")
    )
    scenario.details = {"changed_file": str(target.relative_to(bench.domains_root)),
                        "rebuilt": rebuilt, "breakdown": build_breakdown(report)}  # fmt: skip
    scenario.notes.append(
        f"Edited {target.relative_to(bench.domains_root)} (a SQL comment); rebuilt: "
        f"{', '.join(rebuilt)}; the others were skipped as unchanged."
    )
    seen = bench.cache.get("parse_notes", set())
    scenario.notes += [n for n in parse_notes([scenario.details["breakdown"]]) if n not in seen]
    return scenario
