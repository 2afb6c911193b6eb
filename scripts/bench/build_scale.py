"""Item 6: building many domains: a synthetic mesh of tiny real dbt projects built end to end.

At each size (quick: 5, 10, 20 domains; full: 20, 50, 200) ``mesh build --full-refresh`` runs
once on a fresh copy, so the table shows whether the cost per domain stays constant. At the
largest size it is compared with the same models as one monolithic dbt project and with the
dbt-loom chain (loom_chain.py), and a no-op ``mesh build`` (nothing changed) is measured.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.context import BIN, REPO, Bench
from bench.loom_chain import loom_venv, reset_databases, write_loom_chain
from bench.measure import Measurement
from bench.monolith import monolith_command, write_monolith
from bench.results import Row, Scenario, Target, at_most
from bench.synthetic_projects import write_synthetic_mesh
from datamesh.profiles import DEFAULT_THREADS
from datamesh.warehouse import Warehouse, default_warehouse

FULL_SIZES = (20, 50, 200)
QUICK_SIZES = (5, 10, 20)
SCALE_MODELS = 10  # models per synthetic domain: tiny data, so the fixed cost per domain shows
BUILD_GOAL = 1.5  # mesh / monolith at the largest size
NOOP_GOAL = 2.0  # seconds


def _mesh_build(bench: Bench, root: Path, warehouse: Path, *args: str) -> Measurement:
    command = bench.mesh_on("build", *args, "-q", root=root, warehouse=warehouse)
    return bench.measure(f"scale-mesh-build-{root.parent.name}", command,
                         env=bench.env(warehouse))  # fmt: skip


def _monolith(bench: Bench, root: Path) -> Measurement:
    project = root.parent / "monolith"
    write_monolith(root, project, threads=DEFAULT_THREADS)
    database = root.parent / "monolith-db" / "monolith.duckdb"
    shutil.rmtree(database.parent, ignore_errors=True)
    database.parent.mkdir(parents=True)
    command = monolith_command(
        BIN / "dbt", project, root.parent / "monolith-target", root.parent / "monolith-logs"
    )
    env = bench.env(root.parent / "warehouse", MONOLITH_PATH=str(database))
    return bench.measure("scale-monolith-build", command, env=env, cwd=project)


def _loom(bench: Bench, root: Path) -> Measurement:
    bin_dir = loom_venv(Warehouse(default_warehouse(REPO)).bench_dir / "loom-venv")
    script = write_loom_chain(root, root.parent / "loom", bin_dir=bin_dir,
                              threads=DEFAULT_THREADS)  # fmt: skip
    reset_databases(script.parent)
    return bench.measure("scale-loom-chain", ["bash", str(script)], cwd=script.parent)


def build_scale(bench: Bench) -> Scenario:
    sizes = QUICK_SIZES if bench.settings.quick else FULL_SIZES
    scenario = Scenario(6, f"Building many domains: synthetic mesh of {', '.join(map(str, sizes))}"
                           f" domains x {SCALE_MODELS} models (tiny data)")  # fmt: skip
    growth: list[tuple[int, float]] = []
    largest = sizes[-1]
    for size in sizes:
        base = bench.work / f"scale-{size}"
        shutil.rmtree(base, ignore_errors=True)
        root = base / "domains"
        write_synthetic_mesh(root, size, SCALE_MODELS, seed=bench.settings.seed)
        warehouse = base / "warehouse"
        run = _mesh_build(bench, root, warehouse, "--full-refresh")
        growth.append((size, run.seconds))
        if size != largest:
            continue
        mesh = Row.of(f"mesh build --full-refresh ({size} domains)", [run])
        noop = Row.of(f"mesh build, nothing changed ({size} domains)",
                      [_mesh_build(bench, root, warehouse)])  # fmt: skip
        mono = Row.of(f"monolith dbt build ({size} domains in one project)",
                      [_monolith(bench, root)])  # fmt: skip
        loom = Row.of(f"dbt-loom chain ({size} projects)", [_loom(bench, root)])
        scenario.rows += [mesh, noop, mono, loom]
        scenario.targets += [
            at_most(f"mesh / monolith wall time at {size} domains",
                    mesh.seconds.median / mono.seconds.median, BUILD_GOAL, "x"),
            at_most(f"no-op build at {size} domains", noop.seconds.median, NOOP_GOAL, " s"),
            Target(f"mesh / dbt-loom chain at {size} domains",
                   mesh.seconds.median / loom.seconds.median, "(reported)", None, "x"),
        ]  # fmt: skip
    table = ", ".join(f"{n} -> {s:.1f} s ({s / n:.2f} s/domain)" for n, s in growth)
    scenario.notes.append(f"mesh build --full-refresh by size (domains -> seconds): {table}.")
    scenario.details = {"growth": [{"domains": n, "seconds": round(s, 2)} for n, s in growth]}
    return scenario
